"""The procedure's "Pre-record serial numbers", step by step, as a user does it."""

from pathlib import Path

from playwright.sync_api import expect

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, UserFactory


def test_pre_record_serial_numbers_as_the_procedure_says(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900")
    ProductFactory(name="Barista Lite", sku="BL-100")
    OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    log_in("sam")

    # Navigate to Inventory > Serial numbers
    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()
    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    # Click Add Serial numbers
    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    # Enter and select the product name in the Product field
    page.get_by_label("Product").fill("Barista Pro")
    page.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)").click()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Espresso Machine (BP-900)")
    # Select the outlet in the Outlet field
    page.get_by_label("Outlet").select_option(label="Harbour Mall")
    # Enter each serial number, separated by a comma, in the Serial numbers field
    page.get_by_label("Serial numbers").fill("BP9-0001, BP9-0002, BP9-0003")
    # Click Add Serial numbers
    page.get_by_role("button", name="Add Serial numbers").click()

    # Each serial number now appears as an individual line on the Serial numbers page
    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    expect(page.get_by_text("3 serial numbers added")).to_be_visible()
    rows = page.get_by_role("row").filter(has_text="Barista Pro Espresso Machine")
    expect(rows).to_have_count(3)
    for serial in ["BP9-0001", "BP9-0002", "BP9-0003"]:
        expect(rows.filter(has_text=serial)).to_contain_text("Harbour Mall")
    assert SerialRecord.objects.filter(product=product, outlet__name="Harbour Mall").count() == 3


def test_a_duplicate_shows_the_error_and_keeps_the_input(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    ProductFactory(name="Pool Pump 1.5 HP", sku="PP-15")
    OutletFactory(name="Main Street")
    log_in("sam")
    page.goto("/inventory/serials/add/")
    page.get_by_label("Product").fill("Pool Pump")
    page.get_by_role("option", name="Pool Pump 1.5 HP (PP-15)").click()
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Serial numbers").fill("PP-1\nPP-2")
    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_text("2 serial numbers added")).to_be_visible()

    page.goto("/inventory/serials/add/")
    page.get_by_label("Product").fill("Pool Pump 1.5 HP")
    page.get_by_role("option", name="Pool Pump 1.5 HP (PP-15)").click()
    page.get_by_label("Outlet").select_option(label="Main Street")
    batch = "PP-3, pp-2, PP-4, PP-3"
    page.get_by_label("Serial numbers").fill(batch)
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(
        page.get_by_text("2 of the entries cannot be added. Nothing was saved.")
    ).to_be_visible()
    expect(
        page.get_by_text("Already recorded for this product at Main Street (In stock).")
    ).to_be_visible()
    expect(page.get_by_text("Entered more than once (first as entry 1).")).to_be_visible()
    expect(page.get_by_label("Serial numbers")).to_have_value(batch)
    expect(page.get_by_label("Product")).to_have_value("Pool Pump 1.5 HP (PP-15)")
    assert SerialRecord.objects.count() == 2
    # Grouped by reason, every problem downloadable; the page stays as it is.
    expect(page.get_by_role("heading", name="1 already recorded for this product")).to_be_visible()
    expect(page.get_by_role("heading", name="1 entered more than once")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download all problems").click()
    assert Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines() == [
        "Entry,Serial number,Problem",
        "2,pp-2,Already recorded for this product at Main Street (In stock).",
        "4,PP-3,Entered more than once (first as entry 1).",
    ]
    expect(page.get_by_label("Serial numbers")).to_have_value(batch)
    assert SerialRecord.objects.count() == 2

    page.get_by_role("button", name="Add only the 2 valid serial numbers").click()
    expect(page.get_by_text("2 serial numbers added")).to_be_visible()
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == [
        "PP-1",
        "PP-2",
        "PP-3",
        "PP-4",
    ]


def test_a_product_typed_before_the_page_has_finished_loading_still_gets_suggestions(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    ProductFactory(name="E-Bike City 500", sku="EB-500")
    log_in("sam")
    held = []

    def hold(route):  # htmx arrives only when the test lets it
        held.append(route)

    page.route("**/htmx-2.min.js", hold)
    page.goto("/inventory/serials/add/", wait_until="commit")
    page.get_by_label("Product").fill("E-Bike")
    assert len(held) == 1, "htmx was requested and is being held back"
    held[0].continue_()
    page.get_by_role("option", name="E-Bike City 500 (EB-500)").click()
    expect(page.get_by_label("Product")).to_have_value("E-Bike City 500 (EB-500)")
