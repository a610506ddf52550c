"""A Manager wants a sold unit gone: the serial page's advice leads to a Return, and
after it to Write off, the button the advice then names."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import SerialStatus
from tests.factories import (
    OutletFactory,
    ProductFactory,
    UserFactory,
    unit_sold,
)


@pytest.fixture
def sold(roles):
    UserFactory(username="mia", groups=["Managers"])
    phone = ProductFactory(name="Nova X12", sku="NOV-X12", retail_price=Decimal("899.00"))
    main = OutletFactory(name="Main Street")
    unit, _sale = unit_sold(product=phone, outlet=main, serial="NX-0100")
    return unit


def test_the_advice_on_a_sold_unit_leads_to_a_return_and_then_to_write_off(page, log_in, sold):
    log_in("mia")
    page.get_by_label("Look up serial").fill("nx-0100")
    page.get_by_label("Look up serial").press("Enter")
    expect(page.get_by_role("heading", name="Serial number NX-0100")).to_be_visible()

    expect(
        page.get_by_text("Sold units cannot be deleted or written off: record a Return first.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Write off")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)

    page.get_by_role("link", name="record a Return").click()
    expect(page.get_by_role("heading", name="Return NX-0100")).to_be_visible()
    page.get_by_label("Reason").select_option(label="Faulty")
    page.get_by_label("Outcome").select_option(label="Faulty")
    page.get_by_role("button", name="Record return").click()

    expect(page.get_by_text("Return recorded.")).to_be_visible()
    expect(
        page.get_by_text(
            "This serial number was sold, so it cannot be deleted. Write it off instead."
        )
    ).to_be_visible()
    page.get_by_role("link", name="Write off").click()
    page.get_by_label("Reason").fill("Screen cracked beyond repair")
    page.get_by_role("button", name="Write off").click()

    expect(page.get_by_text("Serial number “NX-0100” written off.")).to_be_visible()
    sold.refresh_from_db()
    assert sold.status == SerialStatus.WRITTEN_OFF
