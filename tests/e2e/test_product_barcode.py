"""A product's Barcode, typed by a Manager, then typed (or scanned) in a Product field."""

import re

from playwright.sync_api import expect

from catalog.models import Product
from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, UserFactory

BARCODE = "4006381333931"


def test_a_barcode_saved_on_a_product_picks_it_on_add_serial_numbers(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="")
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="96385074")
    OutletFactory(name="Main Street")
    log_in("mia")

    # Catalog > Products, the Edit pencil of the product.
    page.get_by_role("button", name="Catalog").click()
    page.get_by_role("link", name="Products").click()
    row = page.get_by_role("row").filter(has_text="Bosch Kettle")
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit product")).to_be_visible()

    # A wrong check digit first: said next to the field, the digits kept.
    page.get_by_label("Barcode").fill("4006381333932")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The check digit of this barcode should be 1.")).to_be_visible()
    expect(page.get_by_label("Barcode")).to_have_value("4006381333932")
    assert Product.objects.get(pk=kettle.pk).barcode == ""

    page.get_by_label("Barcode").fill(BARCODE)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Product “Bosch Kettle” saved.")
    kettle.refresh_from_db()
    assert (kettle.barcode, kettle.gtin) == (BARCODE, "0" + BARCODE)

    # The Products list shows it, and its search finds the product by it.
    page.goto("/catalog/products/")
    page.get_by_label("Search").fill(BARCODE)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row").filter(has_text=BARCODE)).to_have_count(1)
    expect(page.get_by_role("link", name="Rancilio Silvia")).to_have_count(0)

    # Inventory > Serial numbers > Add Serial numbers: the barcode in Product.
    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()
    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    page.get_by_label("Product").fill(BARCODE)
    # The suggestions find the product by its barcode, and only it.
    suggestions = page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    expect(suggestions.get_by_role("option", name="Bosch Kettle (BK-1)")).to_be_visible()
    # Sent as typed, without a pick: the server picks the barcode's product.
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Serial numbers").fill("KET-0001")
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_role("alert")).to_contain_text("1 serial number added")
    expect(page).to_have_url(re.compile(r"/inventory/serials/"))
    unit = SerialRecord.objects.get()
    assert (unit.serial, unit.product_id) == ("KET-0001", kettle.pk)


def test_the_serial_number_format_is_chosen_in_the_serial_numbers_section(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    phone = ProductFactory(name="Nova X12", sku="NOV-1")
    log_in("mia")
    page.goto(f"/catalog/products/{phone.pk}/edit/")

    section = page.get_by_role("group", name="Serial numbers")
    section.get_by_label("Serial number format").select_option(label="Pattern")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Enter the pattern serial numbers of this product follow.")
    ).to_be_visible()

    section.get_by_label("Pattern", exact=True).fill("NOV-#####")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Product “Nova X12” saved.")
    phone.refresh_from_db()
    assert (phone.serial_format, phone.serial_pattern) == ("pattern", "NOV-#####")


def test_a_scanned_barcode_and_its_enter_pick_the_product_and_move_on(page, log_in):
    """A scanner types the code, then Enter: the product is picked, nothing is sent."""
    UserFactory(username="mia", groups=["Managers"])
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=BARCODE, has_serial_numbers=True)
    # Its SKU is another product's barcode, so picking by barcode is what is seen.
    ProductFactory(name="Rancilio Silvia", sku="96385074", has_serial_numbers=True)
    OutletFactory(name="Main Street")
    log_in("mia")
    page.goto("/inventory/serials/add/")

    page.get_by_label("Product").press_sequentially(BARCODE)
    page.get_by_label("Product").press("Enter")

    expect(page.get_by_label("Product")).to_have_value("Bosch Kettle (BK-1)")
    expect(page.get_by_label("Outlet")).to_be_focused()
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    expect(page.get_by_text("Enter at least one serial number.")).to_have_count(0)

    # A GS1 scan of a unit (AI 01 and 21) in Product picks its product too.
    page.get_by_label("Product").fill("(01)0" + BARCODE + "(21)KET-7")
    page.get_by_label("Product").press("Enter")
    expect(page.get_by_label("Product")).to_have_value("Bosch Kettle (BK-1)")
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Serial numbers").fill("KET-0001")
    page.get_by_role("button", name="Add Serial numbers").click()
    expect(page.get_by_role("alert")).to_contain_text("1 serial number added")
    assert SerialRecord.objects.get().product.name == "Bosch Kettle"
