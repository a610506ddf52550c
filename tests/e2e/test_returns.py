"""A customer brings back a unit: found by its serial, returned, restocked and sold again."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import SerialStatus
from sales.models import Return, Sale
from tests.factories import (
    OutletFactory,
    ProductFactory,
    UserFactory,
    unit_sold,
)


@pytest.fixture
def sold(roles):
    UserFactory(username="sam", groups=["Staff"])
    machine = ProductFactory(
        name="Barista Pro Espresso Machine", sku="BP-900", retail_price=Decimal("499.00")
    )
    main = OutletFactory(name="Main Street")
    return unit_sold(product=machine, outlet=main, serial="BP9-0100")


def test_a_sold_unit_is_returned_restocked_and_sold_again(page, log_in, sold):
    unit, first_sale = sold
    log_in("sam")

    page.get_by_label("Look up serial").fill("bp9-0100")
    page.get_by_label("Look up serial").press("Enter")
    expect(page.get_by_role("heading", name="Serial number BP9-0100")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Ada Lovelace")).to_have_count(1)
    expect(page.get_by_text("In warranty until")).to_be_visible()

    page.get_by_role("button", name="Return").click()
    expect(page.get_by_role("heading", name="Return BP9-0100")).to_be_visible()
    expect(page.get_by_label("Refund amount")).to_have_value("499.00")
    page.get_by_label("Reason").select_option(label="Unwanted purchase")
    page.get_by_label("Outcome").select_option(label="Restock")
    page.get_by_role("button", name="Record return").click()

    expect(page.get_by_text("Return recorded.")).to_be_visible()
    expect(page.get_by_role("heading", name="Serial number BP9-0100")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="In stock")).to_have_count(1)
    expect(page.get_by_role("button", name="Return")).to_have_count(0)
    returned = Return.objects.get()
    assert (returned.sale, returned.refund_amount) == (first_sale, Decimal("499.00"))

    page.get_by_role("button", name="Sales").click()
    page.get_by_role("link", name="New sale").click()
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Product").fill("Barista Pro")
    page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)").click()
    page.get_by_label("Serial numbers").fill("BP9-0100\n")
    page.get_by_role("button", name="Complete sale").click()

    second_sale = Sale.objects.exclude(pk=first_sale.pk).get()
    expect(page.get_by_role("heading", name=f"Sale {second_sale.number}")).to_be_visible()
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
