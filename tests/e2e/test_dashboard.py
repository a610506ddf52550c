"""The Dashboard in a browser: charts drawn as SVG, each bar a link to the list behind it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from inventory.models import SerialStatus
from sales.services import LineInput, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

CHARTS = [
    "Open warranty claims by status and age",
    "Coverage problems by kind",
    "Retail value of the units In stock by days since they were added",
    "Units sold per week, the last 12 weeks",
    "Serials In stock at each outlet",
]


@pytest.fixture
def shop(roles):
    UserFactory(username="sam", groups=["Staff"])
    product = ProductFactory(name="Barista Pro")
    main = OutletFactory(name="Main Street")
    OutletFactory(name="Harbour Mall")
    for serial in ("BP9-0001", "BP9-0002"):
        SerialRecordFactory(product=product, outlet=main, serial=serial)
    SerialRecordFactory(product=product, outlet=main, serial="BP9-0003", status=SerialStatus.SOLD)
    # A unit added 200 days ago, still on the shelf.
    SerialRecordFactory(
        product=product,
        outlet=main,
        serial="BP9-0OLD",
        created_at=timezone.now() - timedelta(days=200),
    )
    cable = ProductFactory(name="Cable", has_serial_numbers=False)
    sale = sale_create(
        outlet=main,
        customer=CustomerFactory(name="Ada Lovelace"),
        lines=[LineInput(product=cable, quantity=2, serials=[])],
        clerk=None,
    )
    return sale


@pytest.mark.parametrize("width", [1280, 390])
def test_the_charts_are_drawn_and_a_bar_opens_the_filtered_list(page, log_in, shop, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in("sam")

    for name in CHARTS:
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        assert chart.bounding_box()["width"] <= width
    # Nothing to scroll sideways, on a phone too.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("link", name="3 In stock at Main Street", exact=True).click()

    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    rows = page.get_by_role("row").filter(has_text="Barista Pro")
    expect(rows).to_have_count(3)
    expect(page.get_by_role("link", name="BP9-0001")).to_be_visible()
    expect(page.get_by_role("link", name="BP9-0003")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_week_of_sales_and_an_age_of_stock_open_their_lists(page, log_in, shop, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in("sam")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    week = f"{monday.day} {monday.strftime('%b')}"

    page.get_by_role("link", name=f"2 units sold in the week of {week}", exact=True).click()

    expect(page.get_by_role("heading", name="Sales")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_have_count(1)

    page.go_back()
    page.get_by_role("link", name="£499.00 in stock for 181 to 365 days (1 unit)").click()

    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    expect(page.get_by_role("link", name="BP9-0OLD")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Barista Pro")).to_have_count(1)


def test_the_figures_show_as_a_table_without_javascript(browser, live_server, shop):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("img", name="Serials In stock at each outlet")).to_be_visible()

    page.get_by_role("region", name="In stock by outlet").get_by_text("Show the figures").click()

    table = page.get_by_role("table", name="Serials In stock at each outlet")
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Main Street")).to_contain_text("3")
    table.get_by_role("link", name="3", exact=True).click()
    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Barista Pro")).to_have_count(3)
    context.close()


def test_the_menu_keeps_its_names_beside_the_charts(page, log_in, shop):
    log_in("sam")

    page.get_by_role("button", name="Inventory").click()
    page.get_by_role("link", name="Serial numbers").click()

    expect(page.get_by_role("heading", name="Serial numbers")).to_be_visible()
