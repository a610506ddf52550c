import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inventory.models import Outlet
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import OutletFactory

pytestmark = pytest.mark.django_db


def test_staff_sees_the_outlet_list_without_add_or_edit(staff_client):
    OutletFactory(name="Main Street")
    response = staff_client.get(reverse("inventory:outlet_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Main Street" in html
    assert "Add outlet" not in html
    assert 'aria-label="Edit"' not in html


def test_manager_adds_an_outlet(manager_client):
    response = manager_client.post(
        reverse("inventory:outlet_create"), {"name": " Harbour Mall ", "address": "Port Lane"}
    )
    assert response.status_code == 302
    assert response.url == reverse("inventory:outlet_list")
    outlet = Outlet.objects.get()
    assert (outlet.name, outlet.address, outlet.is_active) == ("Harbour Mall", "Port Lane", True)
    page = manager_client.get(response.url).content.decode()
    assert "Outlet “Harbour Mall” added." in page


def test_outlet_names_are_unique_whatever_the_case(manager_client):
    OutletFactory(name="Main Street")
    response = manager_client.post(
        reverse("inventory:outlet_create"), {"name": "MAIN STREET", "address": "Elsewhere"}
    )
    assert response.status_code == 200
    assert "An outlet with this name already exists." in response.content.decode()
    assert 'value="MAIN STREET"' in response.content.decode()
    assert Outlet.objects.count() == 1


def test_manager_edits_an_outlet(manager_client):
    outlet = OutletFactory(name="Main St")
    response = manager_client.post(
        reverse("inventory:outlet_update", args=[outlet.pk]),
        {"name": "Main Street", "address": "12 Main Street"},
    )
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert (outlet.name, outlet.address) == ("Main Street", "12 Main Street")


def test_manager_deactivates_and_reactivates_an_outlet(manager_client):
    outlet = OutletFactory()
    url = reverse("inventory:outlet_set_active", args=[outlet.pk])
    manager_client.post(url, {"active": "0"})
    outlet.refresh_from_db()
    assert outlet.is_active is False
    manager_client.post(url, {"active": "1"})
    outlet.refresh_from_db()
    assert outlet.is_active is True


@pytest.mark.parametrize(
    ("method", "name", "with_pk"),
    [
        ("get", "inventory:outlet_create", False),
        ("post", "inventory:outlet_create", False),
        ("get", "inventory:outlet_update", True),
        ("post", "inventory:outlet_update", True),
        ("post", "inventory:outlet_set_active", True),
    ],
)
def test_staff_may_not_add_or_change_outlets(staff_client, method, name, with_pk):
    outlet = OutletFactory(name="Keep")
    url = reverse(name, args=[outlet.pk] if with_pk else [])
    response = getattr(staff_client, method)(url, {"name": "Changed", "active": "0"})
    assert response.status_code == 403
    outlet.refresh_from_db()
    assert (outlet.name, outlet.is_active) == ("Keep", True)
    assert Outlet.objects.count() == 1


def test_deactivating_needs_a_post(manager_client):
    outlet = OutletFactory()
    response = manager_client.get(reverse("inventory:outlet_set_active", args=[outlet.pk]))
    assert response.status_code == 405


def test_the_outlet_list_pages_by_the_shop_setting(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 2
    OutletFactory.create_batch(3)
    response = staff_client.get(reverse("inventory:outlet_list"))
    assert len(response.context["object_list"]) == 2
    assert "Page 1 of 2" in response.content.decode()


def test_a_name_taken_between_the_check_and_the_save_is_a_form_error(manager_client, monkeypatch):
    # The check passes (another clerk has not saved yet) and then the database
    # refuses the insert: the path every lost race takes.
    OutletFactory(name="Race Outlet")
    monkeypatch.setattr(Outlet, "validate_constraints", lambda self, exclude=None: None)
    response = manager_client.post(
        reverse("inventory:outlet_create"), {"name": "race outlet", "address": "Dock 4"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "An outlet with this name already exists." in html
    assert 'value="race outlet"' in html
    assert list(Outlet.objects.values_list("name", flat=True)) == ["Race Outlet"]


def test_a_rename_to_a_name_taken_meanwhile_is_refused(monkeypatch):
    from inventory.services import outlet_update

    OutletFactory(name="Harbour Mall")
    outlet = OutletFactory(name="Main Street")
    monkeypatch.setattr(Outlet, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError) as caught:
        outlet_update(outlet=outlet, name="HARBOUR MALL", address="")
    assert caught.value.error_dict["name"][0].code == "name_taken"
    outlet.refresh_from_db()
    assert outlet.name == "Main Street"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_three_clerks_adding_one_outlet_in_three_cases_make_one_outlet(monkeypatch):
    from inventory.services import outlet_create

    # Each clerk's check passes before the others commit; the database decides.
    monkeypatch.setattr(Outlet, "validate_constraints", lambda self, exclude=None: None)

    start = threading.Barrier(3, timeout=10)
    results: list = []
    threads = [
        run_in_thread(lambda name=name: outlet_create(name=name), results, start=start)
        for name in ("Race Outlet", "race outlet", "RACE OUTLET")
    ]
    for thread in threads:
        thread.join(timeout=20)
        assert not thread.is_alive()
    assert Outlet.objects.count() == 1
    created = [r for r in results if isinstance(r, Outlet)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1 and len(refused) == 2
    assert all(error.error_dict["name"][0].code == "name_taken" for error in refused)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_renames_to_one_name_at_once_leave_one_outlet_with_it(monkeypatch):
    from inventory.services import outlet_update

    monkeypatch.setattr(Outlet, "validate_constraints", lambda self, exclude=None: None)

    first, second = OutletFactory(name="North"), OutletFactory(name="South")
    start = threading.Barrier(2, timeout=10)
    results: list = []
    threads = [
        run_in_thread(
            lambda outlet=outlet: outlet_update(outlet=outlet, name="Central", address=""),
            results,
            start=start,
        )
        for outlet in (first, second)
    ]
    for thread in threads:
        thread.join(timeout=20)
        assert not thread.is_alive()
    names = sorted(Outlet.objects.values_list("name", flat=True))
    assert names in (["Central", "South"], ["Central", "North"])
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1
    assert refused[0].error_dict["name"][0].code == "name_taken"
