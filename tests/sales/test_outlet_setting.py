"""The outlet setting "Require a customer for serialised products" (Managers only)."""

import re

import pytest
from django.urls import reverse

from inventory.models import Outlet
from tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

LABEL = "Require a customer for serialised products"


def test_a_manager_switches_the_setting_on_and_off_on_the_outlets_edit_page(manager_client):
    outlet = OutletFactory(name="Online Warehouse", address="Building C")
    url = reverse("inventory:outlet_update", args=[outlet.pk])
    html = manager_client.get(url).content.decode()
    assert re.search(rf"<label[^>]*>\s*{LABEL}\s*</label>", html)

    on = {"name": "Online Warehouse", "address": "Building C"}
    response = manager_client.post(url, {**on, "require_customer_for_serialised": "on"})

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.require_customer_for_serialised is True
    page = manager_client.get(url).content.decode()
    assert re.search(r'name="require_customer_for_serialised"[^>]*checked', page)

    # An unticked box is not sent at all: that switches it off.
    response = manager_client.post(url, on)
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.require_customer_for_serialised is False


def test_adding_an_outlet_can_set_it_too(manager_client):
    response = manager_client.post(
        reverse("inventory:outlet_create"),
        {"name": "Harbour Mall", "address": "", "require_customer_for_serialised": "on"},
    )
    assert response.status_code == 302
    assert Outlet.objects.get(name="Harbour Mall").require_customer_for_serialised is True


def test_staff_cannot_change_the_setting(staff_client):
    outlet = OutletFactory(name="Main Street")
    url = reverse("inventory:outlet_update", args=[outlet.pk])

    response = staff_client.post(
        url, {"name": "Main Street", "require_customer_for_serialised": "on"}
    )

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.require_customer_for_serialised is False
