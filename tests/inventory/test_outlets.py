import pytest
from django.urls import reverse

from inventory.models import Outlet
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
