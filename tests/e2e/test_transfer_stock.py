"""Inventory > Stock control > Transfer stock: Staff send two units, then receive one."""

import re

from playwright.sync_api import expect

from inventory.models import SerialRecord, SerialStatus, Transfer, TransferStatus
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_staff_send_two_units_and_receive_one_of_them(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    main_street = OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    for serial in ("TR-1", "TR-2", "TR-3"):
        SerialRecordFactory(product=silvia, outlet=main_street, serial=serial)
    log_in("sam")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Stock control").click()
    expect(page.get_by_role("heading", name="Stock control")).to_be_visible()
    page.get_by_role("button", name="Transfer stock").click()
    expect(page.get_by_role("heading", name="Transfer stock")).to_be_visible()

    page.get_by_label(re.compile(r"^\s*From\b")).select_option(label="Main Street")
    page.get_by_label(re.compile(r"^\s*To\b")).select_option(label="Harbour Mall")
    # One serial scanned (a scanner ends each scan with Enter)...
    page.get_by_label("Serial numbers").press_sequentially("TR-1\n")
    # ...and one picked from the units In stock at From.
    expect(page.get_by_text("3 units In stock at Main Street")).to_be_visible()
    page.get_by_label("Pick TR-2").check()
    page.get_by_role("button", name="Add ticked to the box").click()
    expect(page.get_by_label("Serial numbers")).to_have_value("TR-1\nTR-2\n")
    expect(page.get_by_label("Pick TR-1")).to_be_disabled()
    page.get_by_role("button", name="Send", exact=True).click()

    transfer = Transfer.objects.get()
    expect(page.get_by_role("heading", name=f"Transfer {transfer.pk}")).to_be_visible()
    units = page.get_by_role("table", name="Serial numbers")
    for serial in ("TR-1", "TR-2"):
        row = units.get_by_role("row").filter(has_text=serial)
        expect(row.get_by_text("In transit")).to_be_visible()
    expect(units.get_by_text("TR-3")).to_have_count(0)

    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("heading", name=f"Receive transfer {transfer.pk}")).to_be_visible()
    page.get_by_label("Scan serial numbers").press_sequentially("TR-2\n")
    matched = page.get_by_role("region", name="Matched")
    expect(matched.get_by_role("cell", name="TR-2", exact=True)).to_be_visible()
    missing = page.get_by_role("region", name="Missing")
    expect(missing.get_by_role("cell", name="TR-1", exact=True)).to_be_visible()
    expect(page.get_by_text("1 of 2 received")).to_be_visible()
    page.get_by_role("button", name="Receive", exact=True).click()

    expect(page.get_by_role("heading", name=f"Transfer {transfer.pk}")).to_be_visible()
    expect(page.get_by_text("Partly received", exact=True)).to_be_visible()
    expect(page.get_by_text("Received 1 serial number.")).to_be_visible()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PARTLY_RECEIVED
    statuses = dict(SerialRecord.objects.values_list("serial", "status"))
    assert statuses == {
        "TR-1": SerialStatus.IN_TRANSIT,
        "TR-2": SerialStatus.IN_STOCK,
        "TR-3": SerialStatus.IN_STOCK,
    }
    assert SerialRecord.objects.get(serial="TR-2").outlet.name == "Harbour Mall"
