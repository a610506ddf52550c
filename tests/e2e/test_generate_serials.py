"""Add Serial numbers > Generate, as a clerk receiving a carton of numbered units does it."""

import pytest
from playwright.sync_api import expect

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, UserFactory

RANGE = "SN-0098\nSN-0099\nSN-0100\nSN-0101\nSN-0102"


@pytest.fixture
def shop(roles):
    UserFactory(username="sam", groups=["Staff"])
    return {
        "pump": ProductFactory(name="Pool Pump AquaFlow", sku="AQ-15"),
        "main": OutletFactory(name="Main Street"),
    }


def pick_product_and_outlet(page):
    page.get_by_label("Product").fill("aquaflow")
    page.get_by_role("option", name="Pool Pump AquaFlow (AQ-15)").click()
    page.get_by_label("Outlet").select_option(label="Main Street")


def test_generate_a_range_check_it_then_add_it(page, log_in, shop):
    log_in("sam")
    page.goto("/inventory/serials/add/")
    pick_product_and_outlet(page)
    page.get_by_label("First serial").fill("SN-0098")
    page.get_by_label("Count").fill("5")
    page.get_by_role("button", name="Generate").click()

    expect(
        page.get_by_text(
            "5 serial numbers generated: SN-0098 to SN-0102. Check them, then Add Serial numbers."
        )
    ).to_be_visible()
    expect(page.get_by_label("Serial numbers")).to_have_value(RANGE)
    expect(page.get_by_text("5 serial numbers entered.")).to_be_visible()
    expect(page.get_by_label("Product")).to_have_value("Pool Pump AquaFlow (AQ-15)")
    expect(page.get_by_label("Outlet")).to_have_value(str(shop["main"].pk))
    assert not SerialRecord.objects.exists()

    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_text("5 serial numbers added")).to_be_visible()
    serials = SerialRecord.objects.filter(product=shop["pump"], outlet=shop["main"])
    assert sorted(serials.values_list("serial", flat=True)) == RANGE.split("\n")


def test_generate_first_then_choose_the_product_and_add_to_what_was_typed(page, log_in, shop):
    log_in("sam")
    page.goto("/inventory/serials/add/")
    page.get_by_label("Serial numbers").fill("AQ-1, AQ-2")
    page.get_by_label("First serial").fill("AF5-69H")
    page.get_by_label("Count").fill("3")
    page.get_by_role("button", name="Generate").click()

    box = page.get_by_label("Serial numbers")
    expect(box).to_have_value("AQ-1, AQ-2\nAF5-69H\nAF5-70H\nAF5-71H")
    expect(page.get_by_text("5 serial numbers entered.")).to_be_visible()
    # Not chosen yet, and not told off for it.
    expect(page.get_by_text("Enter and select the product name.")).to_have_count(0)
    expect(page.get_by_text("Select an outlet.")).to_have_count(0)

    pick_product_and_outlet(page)
    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_text("5 serial numbers added")).to_be_visible()
    assert SerialRecord.objects.filter(product=shop["pump"]).count() == 5


def test_a_first_serial_without_a_number_is_said_on_the_field(page, log_in, shop):
    log_in("sam")
    page.goto("/inventory/serials/add/")
    page.get_by_label("Serial numbers").fill("AQ-1")
    page.get_by_label("First serial").fill("AF-H")
    page.get_by_label("Count").fill("5")
    page.get_by_role("button", name="Generate").click()

    first = page.get_by_label("First serial")
    expect(first).to_have_accessible_description(
        "Its last number counts up, zeros kept: SN-0098, SN-0099, SN-0100… "
        "The first serial has no number to count up from."
    )
    expect(first).to_have_value("AF-H")
    expect(page.get_by_label("Count")).to_have_value("5")
    expect(page.get_by_label("Serial numbers")).to_have_value("AQ-1")
    assert not SerialRecord.objects.exists()


def test_enter_in_first_serial_generates_and_enter_in_a_picked_product_adds(page, log_in, shop):
    log_in("sam")
    page.goto("/inventory/serials/add/")
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Count").fill("2")
    # A scanner reading the first unit's label: the code, then Enter.
    page.get_by_label("First serial").press_sequentially("SN-0098")
    page.get_by_label("First serial").press("Enter")
    expect(page.get_by_label("Serial numbers")).to_have_value("SN-0098\nSN-0099")
    assert not SerialRecord.objects.exists()

    # Enter after a code in Product picks the product it names and moves on...
    page.get_by_label("Product").fill("AQ-15")
    page.get_by_label("Product").press("Enter")
    expect(page.get_by_label("Outlet")).to_be_focused()
    assert not SerialRecord.objects.exists()
    # ...and Enter in Product once it is picked adds, as before Generate existed.
    page.get_by_label("Product").press("Enter")
    expect(page.get_by_text("2 serial numbers added")).to_be_visible()
    assert SerialRecord.objects.filter(product=shop["pump"]).count() == 2


def test_generate_works_without_javascript(browser, live_server, shop):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/accounts/login/?next=/inventory/serials/add/")
        page.get_by_label("Username").fill("sam")
        page.get_by_label("Password").fill("secret-pass-123")
        page.get_by_role("button", name="Log in").click()
        page.get_by_label("First serial").fill("SN-0098")
        page.get_by_label("Count").fill("5")
        page.get_by_role("button", name="Generate").click()
        expect(page.get_by_label("Serial numbers")).to_have_value(RANGE)
        # Enter in any field sends Generate, the form's first button: it never adds.
        page.get_by_label("Product").fill("AQ-15")
        page.get_by_label("Product").press("Enter")
        expect(page.get_by_text("Enter the first serial.")).to_be_visible()
        expect(page.get_by_label("Serial numbers")).to_have_value(RANGE)
        assert not SerialRecord.objects.exists()
    finally:
        context.close()
