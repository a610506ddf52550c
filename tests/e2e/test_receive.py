"""Receive on a stock order: scan, watch the lists fill, Receive, then Print labels."""

from playwright.sync_api import expect

from inventory.models import SerialRecord
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.receive_helpers import order_with


def test_staff_scan_a_delivery_see_the_lists_receive_it_and_print_its_labels(page, log_in):
    UserFactory(username="sam", groups=["Staff"])
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="09506000134352")
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="09520123456788")
    order = order_with(outlet=OutletFactory(name="Main Street"), lines=[(silvia, 5)])
    log_in("sam")

    page.goto(f"/inventory/stock-orders/{order.pk}/")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("heading", name=f"Receive stock order {order.pk}")).to_be_visible()
    expect(page.get_by_text("0 of 5 received")).to_be_visible()
    box = page.get_by_label("Scan serial numbers")
    # As a scanner types: each scan ends in Enter.
    for scan in ["S-1", "S-2", "S-2", "S-3", "(01)09520123456788(21)K-1"]:
        box.press_sequentially(scan + "\n")

    expect(page.get_by_text("3 of 5 received")).to_be_visible()
    matched = page.get_by_role("region", name="Matched")
    expect(matched.get_by_role("row")).to_have_count(4)  # the header and 3 units
    scanned_twice = page.get_by_role("region", name="Scanned twice")
    expect(scanned_twice.get_by_text("Scanned before (entry 2).")).to_be_visible()
    not_on_order = page.get_by_role("region", name="Not on this order")
    expect(not_on_order.get_by_role("cell", name="K-1", exact=True)).to_be_visible()
    expect(
        not_on_order.get_by_text("Bosch Kettle (BK-1), which is not on this order")
    ).to_be_visible()
    assert not SerialRecord.objects.exists()

    page.get_by_role("button", name="Receive", exact=True).click()

    expect(page.get_by_text("Received 3 serial numbers.")).to_be_visible()
    expect(page.get_by_text("3 of 5 received")).to_be_visible()
    expect(page.get_by_text("Partly received")).to_be_visible()
    page.get_by_role("link", name="Print labels").click()
    for serial in ("S-1", "S-2", "S-3"):
        expect(page.get_by_text(serial, exact=True).first).to_be_visible()
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == ["S-1", "S-2", "S-3"]
