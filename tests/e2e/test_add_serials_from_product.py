"""From a product page short of serials to Add Serial numbers, filled in, as a clerk does it."""

from playwright.sync_api import expect

from inventory.models import SerialRecord, StockLevel
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_the_mismatch_leads_to_the_add_form_with_product_and_outlet(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Barista Pro", sku="BP-900")
    OutletFactory(name="Main Street")
    harbour = OutletFactory(name="Harbour Mall")
    StockLevel.objects.create(product=product, outlet=harbour, on_hand=3)
    SerialRecordFactory(product=product, outlet=harbour, serial="BP9-0001")
    log_in("sam")

    page.goto(product.get_absolute_url())
    row = page.get_by_role("row").filter(has_text="Harbour Mall")
    expect(row.get_by_text("2 without serials")).to_be_visible()
    row.get_by_role("link", name="Add Serial numbers at Harbour Mall").click()

    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro (BP-900)")
    expect(page.get_by_label("Outlet")).to_have_value(str(harbour.pk))
    page.get_by_label("Serial numbers").fill("BP9-0002, BP9-0003")
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_text("2 serial numbers added")).to_be_visible()
    assert SerialRecord.objects.filter(product=product, outlet=harbour).count() == 3
    page.goto(product.get_absolute_url())
    expect(page.get_by_role("heading", name="Barista Pro")).to_be_visible()
    expect(page.get_by_text("without serials")).to_have_count(0)


def test_add_serial_numbers_on_the_product_page_fills_in_the_product(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Barista Pro", sku="BP-900")
    OutletFactory(name="Main Street")
    log_in("sam")

    page.goto(product.get_absolute_url())
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    expect(page.get_by_label("Product")).to_have_value("Barista Pro (BP-900)")
    expect(page.get_by_label("Outlet")).to_have_value("")
