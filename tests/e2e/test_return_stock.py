"""Inventory > Stock control > Return stock: a Manager sends a faulty unit back to its
supplier, then records the replacement the supplier sent."""

from playwright.sync_api import expect

from inventory.models import SerialRecord, SerialStatus, SupplierReturn
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    SupplierFactory,
    UserFactory,
)


def test_a_manager_returns_a_faulty_unit_and_records_its_replacement(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    SupplierFactory(name="Coffee Gear Wholesale")
    main = OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    SerialRecordFactory(product=silvia, outlet=main, serial="RS-BAD-1", status=SerialStatus.FAULTY)
    log_in("mia")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Stock control").click()
    page.get_by_role("button", name="Return stock").click()
    expect(page.get_by_role("heading", name="Return stock")).to_be_visible()

    page.get_by_role("combobox", name="Supplier").select_option(label="Coffee Gear Wholesale")
    page.get_by_label("From").select_option(label="Main Street")
    # As a scanner types: the scan, then Enter; the list follows.
    page.get_by_label("Scan serial numbers").press_sequentially("RS-BAD-1\n")
    to_return = page.get_by_role("region", name="To return")
    expect(to_return.get_by_role("cell", name="RS-BAD-1", exact=True)).to_be_visible()
    expect(to_return.get_by_text("Rancilio Silvia · Faulty")).to_be_visible()
    page.get_by_label("Reason").select_option(label="Faulty")
    page.get_by_label("Supplier reference").fill("RMA-4411")
    assert not SupplierReturn.objects.exists()

    page.get_by_role("button", name="Send", exact=True).click()

    sent = SupplierReturn.objects.get()
    expect(page.get_by_role("heading", name=f"Supplier return {sent.pk}")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("1 unit at the supplier")
    expect(page.get_by_text("RMA-4411")).to_be_visible()
    expect(page.get_by_text("0 days at the supplier")).to_be_visible()
    assert SerialRecord.objects.get(serial="RS-BAD-1").status == SerialStatus.AT_SUPPLIER

    outcome = page.get_by_role("region", name="Outcome for RS-BAD-1")
    outcome.get_by_label("Replaced").check()
    outcome.get_by_label("Replacement serial").fill("RS-NEW-1")
    outcome.get_by_role("button", name="Record outcome").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "“RS-BAD-1”: Replaced by “RS-NEW-1”, now In stock."
    )
    expect(page.get_by_text("Resolved", exact=True).first).to_be_visible()
    page.get_by_role("link", name="RS-NEW-1").click()
    expect(page.get_by_role("heading", name="Serial number RS-NEW-1")).to_be_visible()
    expect(page.get_by_text("Replacement from supplier")).to_be_visible()
    page.get_by_role("link", name="RS-BAD-1").first.click()
    expect(page.get_by_role("heading", name="Serial number RS-BAD-1")).to_be_visible()
    expect(
        page.get_by_text(f"Replaced by RS-NEW-1, from the supplier on Supplier return {sent.pk}")
    ).to_be_visible()
    expect(page.get_by_role("link", name="RS-NEW-1")).to_be_visible()
    new = SerialRecord.objects.get(serial="RS-NEW-1")
    assert (new.status, new.outlet) == (SerialStatus.IN_STOCK, main)
    assert SerialRecord.objects.get(serial="RS-BAD-1").status == SerialStatus.WRITTEN_OFF
