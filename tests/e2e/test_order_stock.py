"""Inventory > Stock control > Order stock: a Manager orders two products, then marks it sent."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from inventory.models import StockOrder, StockOrderStatus
from tests.factories import OutletFactory, ProductFactory, SupplierFactory, UserFactory


def test_a_manager_orders_stock_and_marks_it_as_sent(page, log_in):
    UserFactory(username="mia", groups=["Managers"])
    SupplierFactory(name="Coffee Gear Wholesale")
    OutletFactory(name="Main Street")
    ProductFactory(name="Barista Pro Espresso Machine", sku="BP-900")
    ProductFactory(
        name="Coffee Beans 1kg", sku="CB-1", barcode="4006381333931", has_serial_numbers=False
    )
    log_in("mia")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Stock control").click()
    expect(page.get_by_role("heading", name="Stock control")).to_be_visible()
    page.get_by_role("button", name="Order stock").click()
    expect(page.get_by_role("heading", name="Order stock")).to_be_visible()

    page.get_by_label("Supplier").select_option(label="Coffee Gear Wholesale")
    page.get_by_label("Deliver to").select_option(label="Main Street")
    page.get_by_label("Reference").fill("PO-2026-17")
    page.get_by_label("Due").fill("24/12/2026")

    # Line 1: typed, picked from the suggestions.
    line1 = page.get_by_role("group", name="Line 1")
    line1.get_by_label("Product").press_sequentially("Barista")
    line1.get_by_role("option", name="Barista Pro Espresso Machine (BP-900)").click()
    line1.get_by_label("Quantity").fill("5")
    line1.get_by_label("Cost").fill("310.00")

    # Line 2: Add line, then a scanner reads the beans' barcode (code, Enter).
    page.get_by_role("button", name="Add line").click()
    line2 = page.get_by_role("group", name="Line 2")
    expect(line2.get_by_label("Product")).to_be_focused()
    line2.get_by_label("Product").press_sequentially("4006381333931")
    line2.get_by_label("Product").press("Enter")
    expect(line2.get_by_label("Product")).to_have_value("Coffee Beans 1kg (CB-1)")
    expect(line2.get_by_label("Quantity")).to_be_focused()
    line2.get_by_label("Quantity").fill("12")
    # Enter moves on, it never saves.
    line2.get_by_label("Quantity").press("Enter")
    expect(line2.get_by_label("Cost")).to_be_focused()
    assert not StockOrder.objects.exists()

    page.get_by_role("button", name="Save order").click()
    order = StockOrder.objects.get()
    expect(page.get_by_role("heading", name=f"Stock order {order.pk}")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(f"Stock order {order.pk} saved as Open.")
    expect(page.get_by_text("Open", exact=True)).to_be_visible()
    expect(page.get_by_text("PO-2026-17")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Coffee Beans 1kg")
    expect(row).to_contain_text("12")
    expect(page.get_by_role("row").filter(has_text="Total cost")).to_contain_text("1,550.00")
    assert list(order.lines.order_by("id").values_list("product__sku", "quantity", "cost")) == [
        ("BP-900", 5, Decimal("310.00")),
        ("CB-1", 12, Decimal("0.00")),
    ]

    page.get_by_role("button", name="Mark as sent").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Stock order {order.pk} marked as sent.")
    expect(page.get_by_text("Sent", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    order.refresh_from_db()
    assert order.status == StockOrderStatus.SENT

    # The list shows it, Sent, 0 of 17 units received.
    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Stock control").click()
    listed = page.get_by_role("row").filter(has_text=re.compile(f"Stock order {order.pk}\\b"))
    expect(listed).to_contain_text("Sent")
    expect(listed).to_contain_text("0 of 17")
