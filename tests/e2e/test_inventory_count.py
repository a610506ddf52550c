"""An inventory count: Staff start it and scan; a Manager completes it and applies it."""

import re

from playwright.sync_api import expect

from inventory.models import InventoryCount, InventoryCountStatus, SerialRecord
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory


def test_staff_count_a_shelf_and_a_manager_writes_off_the_missing_unit(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    UserFactory(username="mia", groups=["Managers"])
    outlet = OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    for serial in ("HERE-1", "HERE-2", "LOST-1"):
        SerialRecordFactory(product=silvia, outlet=outlet, serial=serial)
    log_in("sam")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Inventory counts").click()
    expect(page.get_by_role("heading", name="Inventory counts")).to_be_visible()
    page.get_by_role("button", name="New count").click()
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Name").fill("Shelf count")
    page.get_by_role("button", name="Start count").click()

    expect(page.get_by_role("heading", name="Shelf count")).to_be_visible()
    box = page.get_by_label("Scan serial numbers")
    # As a scanner types: each scan ends in Enter, and the next follows at once.
    for scan in ["HERE-1", "HERE-2", "HERE-1"]:
        box.press_sequentially(scan + "\n")

    counted = page.get_by_role("region", name="Counted")
    expect(counted.get_by_role("link", name="HERE-1")).to_be_visible()
    expect(counted.get_by_role("link", name="HERE-2")).to_be_visible()
    expected = page.get_by_role("region", name="Expected, not counted yet")
    expect(expected.get_by_role("link", name="LOST-1")).to_be_visible()
    expect(page.get_by_role("region", name="Scanned twice").get_by_text("2 times")).to_be_visible()
    expect(box).to_have_value("")
    expect(page.get_by_role("button", name="Complete count")).to_have_count(0)
    count = InventoryCount.objects.get()
    assert sorted(count.scans.values_list("serial", "repeats")) == [("HERE-1", 1), ("HERE-2", 0)]

    page.get_by_role("button", name="Log out").click()
    log_in("mia")
    page.goto(count.get_absolute_url())
    page.get_by_role("button", name="Complete count").click()
    expect(page.get_by_role("heading", name="Complete count “Shelf count”")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="LOST-1")
    expect(row.get_by_label("Keep")).to_be_checked()
    row.get_by_label("Write off").check()
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text(re.compile(r"applied: 1 written off"))).to_be_visible()
    expect(page.get_by_text("Applied", exact=True)).to_be_visible()
    expect(page.get_by_label("Scan serial numbers")).to_have_count(0)
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.APPLIED
    statuses = dict(SerialRecord.objects.values_list("serial", "status"))
    assert statuses == {"HERE-1": "in_stock", "HERE-2": "in_stock", "LOST-1": "written_off"}
