"""Live actions look like buttons a person may press, not like disabled grey ones."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.factories import (
    OutletFactory,
    ProductFactory,
    UserFactory,
    unit_sold,
)

# Bootstrap 5's colours, as the browser computes them.
SECONDARY_GREY = "rgb(108, 117, 125)"
PRIMARY_BLUE = "rgb(13, 110, 253)"


@pytest.fixture
def sold(roles):
    UserFactory(username="mia", groups=["Managers"])
    machine = ProductFactory(name="Barista Pro", sku="BP-900", retail_price=Decimal("499.00"))
    main = OutletFactory(name="Main Street")
    return unit_sold(product=machine, outlet=main, serial="BP9-0100")


def colours(control):
    """The computed text, border and background colours of `control`."""
    return control.evaluate(
        "element => { const style = getComputedStyle(element);"
        " return [style.color, style.borderTopColor, style.backgroundColor]; }"
    )


def assert_live_secondary(control):
    """An enabled secondary action: blue outline and text (btn-outline-primary), never grey."""
    expect(control).to_be_visible()
    expect(control).to_be_enabled()
    text, border, _background = colours(control)
    assert SECONDARY_GREY not in (text, border)
    assert (text, border) == (PRIMARY_BLUE, PRIMARY_BLUE)


def assert_primary(control):
    expect(control).to_be_visible()
    text, border, background = colours(control)
    assert SECONDARY_GREY not in (text, border, background)
    assert (text, background) == ("rgb(255, 255, 255)", PRIMARY_BLUE)


def log_in(page, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill("mia")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()


def test_new_sales_add_line_and_pick_from_stock_look_pressable(page, sold):
    log_in(page, "/sales/new/")
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()

    assert_live_secondary(page.get_by_role("button", name="Add line"))
    assert_live_secondary(page.get_by_role("button", name="Pick from stock").first)
    assert_primary(page.get_by_role("button", name="Complete sale"))


def test_the_sale_pages_print_receipt_is_its_primary_action(page, sold):
    _unit, sale = sold
    log_in(page, sale.get_absolute_url())
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()

    assert_primary(page.get_by_role("link", name="Print receipt"))


def test_edit_and_export_csv_look_pressable_on_every_page_that_offers_them(page, sold):
    unit, sale = sold
    log_in(page, "/catalog/products/")
    expect(page.get_by_role("heading", name="Products")).to_be_visible()
    assert_live_secondary(page.get_by_role("link", name="Edit", exact=True))

    page.goto(sale.customer.get_absolute_url())
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    assert_live_secondary(page.get_by_role("link", name="Edit", exact=True))

    page.goto(unit.get_absolute_url())
    expect(page.get_by_role("heading", name="Serial number BP9-0100")).to_be_visible()
    assert_live_secondary(page.get_by_role("link", name="Edit", exact=True))
    assert_live_secondary(page.get_by_role("button", name="Return"))

    for url, heading in [("/inventory/serials/", "Serial numbers"), ("/sales/", "Sales")]:
        page.goto(url)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert_live_secondary(page.get_by_role("link", name="Export CSV"))
        assert_live_secondary(page.get_by_role("button", name="Filter", exact=True))
