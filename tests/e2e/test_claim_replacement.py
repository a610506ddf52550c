"""A warranty claim resolved with a replacement picked from the units in stock, as the
claim page suggests them, not typed from memory."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory.models import SerialStatus
from sales.models import ClaimStatus
from sales.services import claim_open
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
    unit_sold,
)


@pytest.fixture
def claim(roles):
    UserFactory(username="sam", groups=["Staff"])
    machine = ProductFactory(
        name="Barista Pro Espresso Machine", sku="BP-900", retail_price=Decimal("499.00")
    )
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    for serial in ["BP9-0117", "BP9-0171"]:
        SerialRecordFactory(product=machine, outlet=harbour, serial=serial)
    SerialRecordFactory(product=ProductFactory(name="Grinder"), outlet=main, serial="BP9-0172")
    unit, _sale = unit_sold(
        product=machine, outlet=main, serial="BP9-0100", at=timezone.now() - timedelta(days=20)
    )
    return claim_open(serial=unit, fault_description="Leaks water", user=None)


def test_a_replacement_picked_from_the_suggestions_resolves_the_claim(page, log_in, claim):
    log_in("sam")
    page.get_by_role("button", name="Sales").click()
    page.get_by_role("link", name="Warranty claims").click()
    page.get_by_role("link", name=f"Warranty claim {claim.pk}").click()
    expect(page.get_by_role("heading", name=f"Warranty claim {claim.pk}")).to_be_visible()

    units = page.get_by_role("group", name="Barista Pro Espresso Machine units in stock")
    expect(units.get_by_role("button")).to_have_count(2)
    page.get_by_label("Replacement serial").press_sequentially("71")
    expect(units.get_by_role("button", name="BP9-0117 · Harbour Mall")).to_have_count(0)
    units.get_by_role("button", name="BP9-0171 · Harbour Mall").click()
    expect(page.get_by_label("Replacement serial")).to_have_value("BP9-0171")

    page.get_by_label("Status").select_option(label="Resolved: replaced")
    page.get_by_role("button", name="Update claim").click()

    expect(
        page.get_by_text(f"Warranty claim {claim.pk} updated: Resolved: replaced.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="BP9-0171")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RESOLVED_REPLACED
    assert claim.replacement_serial.serial == "BP9-0171"
    assert claim.replacement_serial.status == SerialStatus.SOLD
    assert claim.replacement_sale.customer == claim.customer
