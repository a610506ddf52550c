"""The words forms show: the same empty choice everywhere, every missing field flagged."""

import re

import pytest
from django.urls import reverse

from sales.services import LineInput, sale_create
from tests.factories import CustomerFactory, OutletFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


def options(html, select_name):
    select = re.search(rf'<select name="{select_name}".*?</select>', html, re.S)
    assert select, f"no {select_name} select"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def test_the_return_pages_outlet_asks_to_select_one_as_every_outlet_box_does(staff_client):
    unit = SerialRecordFactory(outlet=OutletFactory(name="Main Street"))
    sale_create(
        outlet=unit.outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
    )

    response = staff_client.get(reverse("sales:return_create", args=[unit.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert options(html, "outlet") == ["Select an outlet", "Main Street"]
    assert "---------" not in html
    add_page = staff_client.get(reverse("inventory:serial_create")).content.decode()
    assert options(add_page, "outlet")[0] == "Select an outlet"


def test_add_serial_numbers_sent_empty_flags_product_outlet_and_serial_numbers(staff_client):
    OutletFactory(name="Main Street")

    response = staff_client.post(
        reverse("inventory:serial_create"),
        {"product": "", "product_search": "", "outlet": "", "serial_numbers": ""},
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "product": ["Enter and select the product name."],
        "outlet": ["Select an outlet."],
        "serial_numbers": ["Enter at least one serial number."],
    }
    html = response.content.decode()
    for message in [
        "Enter and select the product name.",
        "Select an outlet.",
        "Enter at least one serial number.",
    ]:
        assert message in html
    box = re.search(r'<textarea name="serial_numbers"[^>]*>', html)
    assert box and "is-invalid" in box.group(0)


def test_add_serial_numbers_with_only_separators_says_to_enter_one(staff_client):
    response = staff_client.post(
        reverse("inventory:serial_create"),
        {"product": "", "product_search": "", "outlet": "", "serial_numbers": " ,;\n\t"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["serial_numbers"] == [
        "Enter at least one serial number."
    ]
