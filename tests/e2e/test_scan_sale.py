"""Selling and looking up with scans, as a clerk does it with a barcode scanner.

A keyboard-wedge scanner types the code's text and Enter; a GS1 DataMatrix comes
with its symbology identifier (]d2) and GS characters between variable fields.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import SerialStatus
from sales.models import Sale
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

GS = "\x1d"
GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def shop(roles):
    UserFactory(username="sam", groups=["Staff"])
    silvia = ProductFactory(
        name="Rancilio Silvia", sku="RS-1", barcode=GTIN, retail_price=Decimal("699.00")
    )
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)
    main = OutletFactory(name="Main Street")
    return {"silvia": silvia, "kettle": kettle, "main": main}


def open_new_sale(page):
    page.get_by_role("button", name="Sales").click()
    page.get_by_role("link", name="New sale").click()
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()


def test_scans_in_serial_numbers_sell_their_serials(page, log_in, shop):
    first = SerialRecordFactory(serial="RS-0042", product=shop["silvia"], outlet=shop["main"])
    second = SerialRecordFactory(serial="RS-0043", product=shop["silvia"], outlet=shop["main"])
    kettle = SerialRecordFactory(serial="BK-7", product=shop["kettle"], outlet=shop["main"])
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")

    # Line 1: the product picked, two units scanned (a DataMatrix and a bracketed code).
    page.get_by_label("Product").fill("Rancilio")
    page.get_by_role("option", name="Rancilio Silvia (RS-1)").click()
    page.get_by_label("Quantity").fill("2")
    box = page.get_by_label("Serial numbers")
    box.press_sequentially(f"]d201{GTIN}21RS-0042{GS}10LOT7")
    box.press("Enter")
    box.press_sequentially(f"(01){GTIN}(21)RS-0043")
    box.press("Enter")
    # Line 2: no product; the scan's GTIN picks it.
    page.get_by_role("button", name="Add line").click()
    line_2 = page.get_by_role("group", name="Line 2")
    line_2.get_by_label("Serial numbers").fill(f"]C101{KETTLE_GTIN}21BK-7")
    page.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    for serial in ("RS-0042", "RS-0043", "BK-7"):
        expect(page.get_by_role("link", name=serial, exact=True)).to_be_visible()
    expect(page.get_by_text("Bosch Kettle")).to_be_visible()
    expect(page.get_by_text("LOT7")).to_have_count(0)
    for unit in (first, second, kettle):
        unit.refresh_from_db()
        assert unit.status == SerialStatus.SOLD


def test_a_broken_scan_is_shown_on_its_line_and_what_was_typed_stays(page, log_in, shop):
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Product").fill("Rancilio")
    page.get_by_role("option", name="Rancilio Silvia (RS-1)").click()
    page.get_by_label("Serial numbers").fill(f"]d201{GTIN}")
    page.get_by_role("button", name="Complete sale").click()

    expect(page.get_by_text("The sale was not completed: see the lines below.")).to_be_visible()
    expect(page.get_by_text("The scan has no serial number (GS1 AI 21).")).to_be_visible()
    expect(page.get_by_label("Serial numbers")).to_have_value(f"]d201{GTIN}")
    assert not Sale.objects.exists()


def test_look_up_serial_with_a_digital_link_opens_the_unit(page, log_in, shop):
    # The same serial on two makers' products: the scan's GTIN says which.
    SerialRecordFactory(serial="AB-100", product=shop["kettle"], outlet=shop["main"])
    SerialRecordFactory(serial="AB-100", product=shop["silvia"], outlet=shop["main"])
    log_in("sam")

    box = page.get_by_role("searchbox", name="Look up serial")
    box.fill(f"https://id.gs1.org/01/{GTIN}/21/AB-100")
    box.press("Enter")

    expect(page.get_by_role("heading", name="Serial number AB-100")).to_be_visible()
    expect(page.get_by_text("Rancilio Silvia").first).to_be_visible()
    expect(page.get_by_text("Bosch Kettle")).to_have_count(0)


def test_look_up_serial_with_one_of_our_qr_labels_opens_the_unit(page, log_in, shop, live_server):
    unit = SerialRecordFactory(serial="QR-1", product=shop["silvia"], outlet=shop["main"])
    log_in("sam")

    box = page.get_by_role("searchbox", name="Look up serial")
    box.fill(f"{live_server.url}{unit.get_absolute_url()}")
    box.press("Enter")

    expect(page.get_by_role("heading", name="Serial number QR-1")).to_be_visible()


def test_a_manager_records_a_scanned_serial_off_format_after_seeing_why(page, log_in, shop):
    UserFactory(username="mia", groups=["Managers"])
    phone_gtin = "95012345678903"
    ProductFactory(name="Nova Phone", sku="NP-1", barcode=phone_gtin, serial_format="imei")
    bad_imei = "490154203237519"
    log_in("mia")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    # No product picked: the scan's GTIN names it. GS and a lot number after the serial.
    page.get_by_label("Serial numbers").fill(f"]d201{phone_gtin}21{bad_imei}{GS}10LOT7")
    page.get_by_role("button", name="Complete sale").click()

    expect(page.get_by_role("heading", name="Not recorded")).to_be_visible()
    expect(
        page.get_by_text("breaks the Serial number format (Not an IMEI: the check digit")
    ).to_be_visible()
    page.get_by_role("button", name="Record as new").click()

    expect(page.get_by_role("heading", name="Review the sale")).to_be_visible()
    expect(page.get_by_text(f"{bad_imei} will be recorded as new at Main Street")).to_be_visible()
    expect(page.get_by_text("although it breaks the Serial number format")).to_be_visible()
    page.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    expect(page.get_by_role("link", name=bad_imei)).to_be_visible()
    expect(page.get_by_text("Nova Phone")).to_be_visible()
