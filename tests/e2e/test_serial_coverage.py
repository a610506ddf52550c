"""Reports > Serial coverage in a browser: "Ensure all high-value products have serial
numbers enabled and recorded", found and fixed by a Manager."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from reports.models import HighValueThreshold
from tests.factories import OutletFactory, ProductFactory, StockLevelFactory, UserFactory


def open_serial_coverage(page):
    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Serial coverage").click()
    expect(page.get_by_role("heading", name="Serial coverage", exact=True)).to_be_visible()


def test_a_manager_enables_serial_numbers_for_a_high_value_product_from_the_report(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    cargo = ProductFactory(
        name="E-Bike Cargo 900", sku="EB-C900", retail_price=Decimal("4299.00"),
        has_serial_numbers=False,
    )  # fmt: skip
    ProductFactory(name="Pool Chlorine Tablets 5 kg", retail_price=Decimal("39.00"),
                   has_serial_numbers=False)  # fmt: skip
    log_in("mia")

    open_serial_coverage(page)
    high_value = page.get_by_role("region", name="High-value products without serial numbers")
    row = high_value.get_by_role("row").filter(has_text="E-Bike Cargo 900")
    expect(row).to_contain_text("£4,299.00")
    expect(high_value).not_to_contain_text("Pool Chlorine Tablets")

    row.get_by_role("button", name="Enable serial numbers").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Serial numbers enabled for E-Bike Cargo 900."
    )
    expect(high_value).to_contain_text("None: every high-value product has serial numbers.")
    expect(high_value.get_by_text("E-Bike Cargo 900")).to_have_count(0)
    cargo.refresh_from_db()
    assert cargo.has_serial_numbers is True

    page.goto(f"/catalog/products/{cargo.pk}/edit/")
    expect(page.get_by_label("Has serial numbers")).to_be_checked()


def test_a_manager_raises_the_threshold_and_a_product_leaves_the_list(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    ProductFactory(name="Espresso Pro", retail_price=Decimal("550.00"), has_serial_numbers=False)
    log_in("mia")
    open_serial_coverage(page)
    high_value = page.get_by_role("region", name="High-value products without serial numbers")
    expect(high_value).to_contain_text("Espresso Pro")

    page.get_by_label("High-value threshold").fill("600.00")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_contain_text("High-value threshold set to £600.00.")
    expect(page.get_by_text(re.compile(r"changed by mia on "))).to_be_visible()
    expect(high_value).not_to_contain_text("Espresso Pro")
    assert HighValueThreshold.objects.get().amount == Decimal("600.00")


def test_stock_without_serials_links_to_add_serial_numbers_for_that_product_and_outlet(
    page, log_in
):
    UserFactory(username="sam", groups=["Staff"])
    phone = ProductFactory(name="Phone X", has_serial_numbers=True)
    main = OutletFactory(name="Main Street")
    StockLevelFactory(product=phone, outlet=main, on_hand=3)
    log_in("sam")
    open_serial_coverage(page)
    section = page.get_by_role("region", name="Stock without serials")
    expect(page.get_by_role("button", name="Enable serial numbers")).to_have_count(0)

    section.get_by_role("link", name="Add Serial numbers").click()

    expect(page).to_have_url(
        re.compile(rf"/inventory/serials/add/\?product={phone.pk}&outlet={main.pk}$")
    )
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()


def test_on_a_phone_the_report_and_product_page_do_not_scroll_sideways(
    browser, live_server, roles
):
    UserFactory(username="mia", groups=["Managers"])
    harbour = OutletFactory(name="Harbour Mall")
    phone = ProductFactory(name="Nova A5 Smartphone 128 GB", has_serial_numbers=True)
    StockLevelFactory(product=phone, outlet=harbour, on_hand=2)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("mia")
        page.get_by_label("Password").fill("secret-pass-123")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        # The tables' hidden " at Harbour Mall" link texts once widened the whole page.
        page.goto("/reports/coverage/")
        expect(page.get_by_role("heading", name="Stock without serials")).to_be_visible()
        # On a phone the outlet is shown under the product, its own column hidden.
        row = page.get_by_role("row").filter(has_text="Nova A5 Smartphone 128 GB")
        expect(row.get_by_text("Harbour Mall", exact=True).first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(phone.get_absolute_url())
        expect(page.get_by_role("button", name="Add Serial numbers")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
