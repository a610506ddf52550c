"""A Manager scans into Add Serial numbers: GS1 scans are recorded as their serials, and an
entry that breaks the product's format is refused with its reason until Add anyway."""

from playwright.sync_api import expect

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, UserFactory

GTIN = "09506000134352"
GS = "\x1d"


def open_add_form(page, product, outlet):
    page.goto(f"/inventory/serials/add/?product={product.pk}&outlet={outlet.pk}")
    expect(page.get_by_role("heading", name="Add Serial numbers")).to_be_visible()
    expect(page.get_by_label("Product")).to_have_value(f"{product.name} ({product.sku})")


def test_a_scan_and_a_plain_serial_are_recorded_as_their_serials(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=GTIN)
    outlet = OutletFactory(name="Main Street")
    log_in("mia")

    open_add_form(page, product, outlet)
    # What a GS1 DataMatrix scanner types: symbology identifier, element strings, GS.
    page.get_by_label("Serial numbers").fill(f"]d201{GTIN}10LOT-7{GS}21SCAN-0001\nPLAIN-0002")
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_text("2 serial numbers added")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="SCAN-0001")).to_be_visible()
    expect(table.get_by_role("link", name="PLAIN-0002")).to_be_visible()
    expect(page.get_by_text(GTIN)).to_have_count(0)
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == [
        "PLAIN-0002",
        "SCAN-0001",
    ]


def test_a_bad_imei_is_refused_with_its_reason_and_add_anyway_records_it(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    product = ProductFactory(name="Pixel 9", sku="PX-9", serial_format="imei")
    outlet = OutletFactory(name="Main Street")
    log_in("mia")

    open_add_form(page, product, outlet)
    page.get_by_label("Serial numbers").fill("356938035643809\n356938035643808")
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(
        page.get_by_text("1 of the entries cannot be added. Nothing was saved.")
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="1 does not match the product's serial number format")
    ).to_be_visible()
    expect(page.get_by_text("Not an IMEI: the check digit should be 9.")).to_be_visible()
    assert not SerialRecord.objects.exists()

    add_anyway = page.get_by_label("Add anyway")
    expect(add_anyway).not_to_be_checked()
    add_anyway.check()
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_text("2 serial numbers added")).to_be_visible()
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == [
        "356938035643808",
        "356938035643809",
    ]


def test_staff_see_the_reason_but_no_add_anyway(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Pixel 9", sku="PX-9", serial_format="imei")
    outlet = OutletFactory(name="Main Street")
    log_in("sam")

    open_add_form(page, product, outlet)
    page.get_by_label("Serial numbers").fill("356938035643808")
    page.get_by_role("button", name="Add Serial numbers").click()

    expect(page.get_by_text("Not an IMEI: the check digit should be 9.")).to_be_visible()
    expect(page.get_by_label("Add anyway")).to_have_count(0)
    assert not SerialRecord.objects.exists()
