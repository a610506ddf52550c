"""Demo data for `manage.py seed_demo`: safe to run again, it adds nothing twice."""

from django.contrib.auth.models import Group, User

from inventory.models import Outlet

DEMO_USERS = [
    # username, password, group
    ("manager", "manager", "Managers"),
    ("staff", "staff", "Staff"),
]

DEMO_OUTLETS = [
    ("Main Street", "12 Main Street\nSpringfield"),
    ("Harbour Mall", "Unit 4, Harbour Mall\nPort Lane"),
    ("Online Warehouse", "Building C, Logistics Park"),
]


def seed_users() -> list[User]:
    users = []
    for username, password, group_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        users.append(user)
    return users


def seed_outlets() -> list[Outlet]:
    return [
        Outlet.objects.get_or_create(name=name, defaults={"address": address})[0]
        for name, address in DEMO_OUTLETS
    ]
