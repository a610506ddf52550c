"""Selling with serial numbers, as a clerk does it on Sales > New sale."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from inventory.models import SerialRecord, SerialStatus, StockLevel
from sales.models import Customer, Sale
from sales.services import LineInput, sale_create
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)


@pytest.fixture
def shop(roles):
    UserFactory(username="sam", groups=["Staff"])
    machine = ProductFactory(
        name="Barista Pro Espresso Machine",
        sku="BP-900",
        retail_price=Decimal("499.00"),
        warranty_months=24,
    )
    return {
        "machine": machine,
        "main": OutletFactory(name="Main Street"),
        "harbour": OutletFactory(name="Harbour Mall"),
        "customer": Customer.objects.create(name="Ada Lovelace", email="ada@example.com"),
    }


def open_new_sale(page):
    page.get_by_role("button", name="Sales").click()
    page.get_by_role("link", name="New sale").click()
    expect(page.get_by_role("heading", name="New sale")).to_be_visible()


def pick_product(page, typed: str, option: str):
    page.get_by_label("Product").fill(typed)
    page.get_by_role("option", name=option).click()
    expect(page.get_by_label("Product")).to_have_value(option)


def test_a_pre_recorded_unit_is_sold_to_a_customer(page, log_in, shop):
    serial = SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP9-0001")
    log_in("sam")
    open_new_sale(page)

    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Customer").fill("ada@")
    page.get_by_role("option", name="Ada Lovelace (ada@example.com)").click()
    pick_product(page, "Barista Pro", "Barista Pro Espresso Machine (BP-900)")
    # Picking the product fills the empty Unit price with its retail price.
    expect(page.get_by_label("Unit price")).to_have_value("499.00")
    page.get_by_label("Serial numbers").fill("BP9-0001\n")
    page.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    expect(page.get_by_text(f"Sale {sale.number} completed.")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("link", name="Print receipt")).to_be_visible()

    page.get_by_role("link", name="BP9-0001").click()
    expect(page.get_by_role("heading", name="Serial number BP9-0001")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text="Sold")).to_have_count(1)
    expect(page.get_by_role("definition").filter(has_text="Ada Lovelace")).to_have_count(1)
    expect(page.get_by_text("In warranty until")).to_be_visible()
    serial.refresh_from_db()
    assert serial.status == SerialStatus.SOLD


def test_a_unit_picked_from_stock_and_a_second_line(page, log_in, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP9-0007")
    SerialRecordFactory(product=shop["machine"], outlet=shop["harbour"], serial="BP9-0008")
    beans = ProductFactory(name="Coffee Beans 1kg", sku="CB-1", has_serial_numbers=False)
    log_in("sam")
    open_new_sale(page)

    page.get_by_label("Outlet").select_option(label="Main Street")
    pick_product(page, "Barista", "Barista Pro Espresso Machine (BP-900)")
    page.get_by_role("button", name="Pick from stock").click()
    stock = page.get_by_role("group", name="Units in stock")
    expect(stock.get_by_role("button")).to_have_text(["BP9-0007"])
    stock.get_by_role("button", name="BP9-0007").click()
    expect(page.get_by_label("Serial numbers")).to_have_value("BP9-0007")

    page.get_by_role("button", name="Add line").click()
    line_2 = page.get_by_role("group", name="Line 2")
    line_2.get_by_label("Product").fill("Coffee")
    line_2.get_by_role("option", name="Coffee Beans 1kg (CB-1)").click()
    line_2.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    assert [(line.product, line.quantity) for line in sale.lines.all()] == [
        (shop["machine"], 1),
        (beans, 3),
    ]


def test_an_unknown_serial_is_recorded_as_new_after_a_review(page, log_in, shop):
    page.set_viewport_size({"width": 1280, "height": 900})
    beans = ProductFactory(
        name="Coffee Beans 1kg",
        sku="CB-1",
        retail_price=Decimal("20.00"),
        has_serial_numbers=False,
    )
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    pick_product(page, "Barista Pro", "Barista Pro Espresso Machine (BP-900)")
    page.get_by_label("Unit price").fill("4299.00")
    page.get_by_label("Serial numbers").fill("NEW-4711")
    page.get_by_role("button", name="Add line").click()
    line_2 = page.get_by_role("group", name="Line 2")
    line_2.get_by_label("Product").fill("Coffee")
    line_2.get_by_role("option", name="Coffee Beans 1kg (CB-1)").click()
    line_2.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Complete sale").click()

    not_recorded = page.get_by_role("region", name="Not recorded")
    expect(not_recorded).to_contain_text("NEW-4711")
    expect(not_recorded).to_contain_text("Barista Pro Espresso Machine")
    expect(not_recorded).to_contain_text("correct them in Serial numbers above")
    expect(page.get_by_label("Serial numbers").first).to_have_value("NEW-4711")
    assert not Sale.objects.exists()
    not_recorded.get_by_role("button", name="Record as new").click()

    # The last look: the whole sale, the decision applied, and nothing saved yet.
    review = page.get_by_role("region", name="Review the sale")
    expect(review).to_be_visible()
    rows = review.get_by_role("row")
    expect(rows.filter(has_text="Barista Pro Espresso Machine (BP-900)")).to_contain_text(
        "NEW-4711 will be recorded as new at Main Street"
    )
    expect(rows.filter(has_text="Barista Pro Espresso Machine")).to_contain_text("£4,299.00")
    expect(rows.filter(has_text="Coffee Beans 1kg (CB-1)")).to_contain_text("£40.00")
    expect(rows.last).to_have_text(re.compile(r"Total\s*£4,339.00"))
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.exists()
    review.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    assert sale.total == Decimal("4339.00")
    assert [(line.product, line.quantity) for line in sale.lines.all()] == [
        (shop["machine"], 1),
        (beans, 2),
    ]
    page.get_by_role("link", name="NEW-4711").click()
    expect(page.get_by_role("definition").filter(has_text="Sold")).to_have_count(1)
    expect(page.get_by_role("table")).to_contain_text("Recorded at sale")


def test_change_the_sale_on_the_review_keeps_everything_typed(page, log_in, shop):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    pick_product(page, "Barista Pro", "Barista Pro Espresso Machine (BP-900)")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Serial numbers").fill("NEW-1\nNEW-2")
    page.get_by_role("button", name="Complete sale").click()
    page.get_by_role("button", name="Record as new").click()
    expect(page.get_by_role("region", name="Review the sale")).to_contain_text("£998.00")
    page.get_by_role("button", name="Change the sale").click()

    expect(page.get_by_label("Outlet")).to_have_value(str(shop["main"].pk))
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Espresso Machine (BP-900)")
    expect(page.get_by_label("Quantity")).to_have_value("2")
    expect(page.get_by_label("Serial numbers")).to_have_value("NEW-1\nNEW-2")
    expect(page.get_by_label("Total")).to_have_text("£998.00")
    assert not Sale.objects.exists()


def test_an_already_sold_unit_is_refused_and_the_input_kept(page, log_in, shop):
    SerialRecordFactory(product=shop["machine"], outlet=shop["main"], serial="BP9-0002")
    first = sale_create(
        outlet=shop["main"],
        customer=None,
        lines=[LineInput(product=shop["machine"], quantity=1, serials=["BP9-0002"])],
        clerk=None,
    )
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    page.get_by_label("Customer").fill("Ada")
    page.get_by_role("option", name="Ada Lovelace (ada@example.com)").click()
    pick_product(page, "Barista Pro", "Barista Pro Espresso Machine (BP-900)")
    page.get_by_label("Unit price").fill("450.00")
    page.get_by_label("Serial numbers").fill("bp9-0002")
    page.get_by_role("button", name="Complete sale").click()

    expect(page.get_by_role("alert")).to_contain_text("The sale was not completed")
    expect(page.get_by_role("group", name="Line 1")).to_contain_text(
        f"“BP9-0002” is already sold (Sale {first.number})."
    )
    expect(page.get_by_label("Outlet")).to_have_value(str(shop["main"].pk))
    expect(page.get_by_label("Customer")).to_have_value("Ada Lovelace (ada@example.com)")
    expect(page.get_by_label("Product")).to_have_value("Barista Pro Espresso Machine (BP-900)")
    expect(page.get_by_label("Unit price")).to_have_value("450.00")
    expect(page.get_by_label("Serial numbers")).to_have_value("bp9-0002")
    assert Sale.objects.count() == 1


def test_a_unit_at_another_outlet_is_sold_here(page, log_in, shop):
    serial = SerialRecordFactory(
        product=shop["machine"], outlet=shop["harbour"], serial="BP9-0003"
    )
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    pick_product(page, "Barista Pro", "Barista Pro Espresso Machine (BP-900)")
    page.get_by_label("Serial numbers").fill("BP9-0003")
    page.get_by_role("button", name="Complete sale").click()

    elsewhere = page.get_by_role("region", name="In stock at another outlet")
    expect(elsewhere).to_contain_text("BP9-0003")
    expect(elsewhere).to_contain_text("Harbour Mall")
    elsewhere.get_by_role("button", name="Sell it here").click()
    review = page.get_by_role("region", name="Review the sale")
    expect(review).to_contain_text("BP9-0003 will be moved from Harbour Mall and sold here")
    serial.refresh_from_db()
    assert (serial.status, serial.outlet) == (SerialStatus.IN_STOCK, shop["harbour"])
    review.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    serial.refresh_from_db()
    assert (serial.status, serial.outlet) == (SerialStatus.SOLD, shop["main"])


def test_a_plain_product_is_sold_without_serials(page, log_in, shop):
    beans = ProductFactory(
        name="Coffee Beans 1kg",
        sku="CB-1",
        retail_price=Decimal("20.00"),
        has_serial_numbers=False,
    )
    StockLevelFactory(product=beans, outlet=shop["main"], on_hand=5)
    log_in("sam")
    open_new_sale(page)
    page.get_by_label("Outlet").select_option(label="Main Street")
    pick_product(page, "Coffee", "Coffee Beans 1kg (CB-1)")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Complete sale").click()

    sale = Sale.objects.get()
    expect(page.get_by_role("heading", name=f"Sale {sale.number}")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Coffee Beans 1kg")).to_contain_text("40.00")
    assert sale.total == Decimal("40.00")
    assert StockLevel.objects.get(product=beans, outlet=shop["main"]).on_hand == 3
    assert not SerialRecord.objects.exists()
