import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal

from roles import permissions
from roles.permissions import MANAGER_PERMISSIONS, STAFF_PERMISSIONS
from roles.services import groups_sync


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
def test_every_listed_permission_exists():
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert set(MANAGER_PERMISSIONS) <= existing


@pytest.mark.django_db
def test_staff_may_add_and_import_serials_but_not_change_outlets(staff_user, manager_user):
    assert staff_user.has_perm("inventory.add_serialrecord")
    assert not staff_user.has_perm("inventory.change_outlet")
    assert manager_user.has_perm("inventory.change_outlet")


@pytest.mark.django_db
def test_post_migrate_brings_the_groups_back_to_exactly_their_permissions():
    Group.objects.get(name="Staff").delete()
    managers = Group.objects.get(name="Managers")
    managers.permissions.remove(Permission.objects.get(codename="transfer_serialrecord"))
    managers.permissions.add(Permission.objects.get(codename="delete_user"))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert granted("Staff") == set(STAFF_PERMISSIONS)
    assert granted("Managers") == set(MANAGER_PERMISSIONS)


@pytest.mark.django_db
def test_migrate_syncs_the_groups_when_nothing_is_left_to_migrate():
    Group.objects.get(name="Staff").permissions.clear()

    call_command("migrate", verbosity=0)

    assert granted("Staff") == set(STAFF_PERMISSIONS)


@pytest.mark.django_db
def test_a_listed_permission_that_does_not_exist_is_skipped(monkeypatch):
    monkeypatch.setitem(
        permissions.GROUPS, "Staff", [*STAFF_PERMISSIONS, "inventory.juggle_serialrecord"]
    )

    groups_sync(apps=apps)

    assert granted("Staff") == set(STAFF_PERMISSIONS)


@pytest.mark.django_db(transaction=True)
def test_the_groups_are_back_after_a_flush():
    call_command("flush", interactive=False, verbosity=0)

    assert granted("Staff") == set(STAFF_PERMISSIONS)
    assert granted("Managers") == set(MANAGER_PERMISSIONS)
