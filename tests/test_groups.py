import pytest
from django.contrib.auth.models import Group

from config.roles import MANAGER_PERMISSIONS, STAFF_PERMISSIONS


def granted(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


@pytest.mark.django_db
def test_migrations_create_staff_with_exactly_its_permissions():
    assert granted("Staff") == set(STAFF_PERMISSIONS)


@pytest.mark.django_db
def test_migrations_create_managers_with_exactly_their_permissions():
    assert granted("Managers") == set(MANAGER_PERMISSIONS)


@pytest.mark.django_db
def test_staff_cannot_change_outlets_but_managers_can(staff_user, manager_user):
    assert not staff_user.has_perm("inventory.change_outlet")
    assert manager_user.has_perm("inventory.change_outlet")
    assert staff_user.has_perm("inventory.add_serialrecord")
