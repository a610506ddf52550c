"""The Dashboard: figures of what needs doing, each a link to the list behind it."""

import html as html_lib
import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialStatus, StockLevel
from sales.models import ClaimStatus
from sales.services import LineInput, claim_open, claim_update, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("home")
SERIAL_LIST = reverse("inventory:serial_list")
SALE_LIST = reverse("sales:sale_list")
CLAIM_LIST = reverse("sales:claim_list")
COVERAGE = reverse("reports:coverage")

# The items of the top menu (spec.md, "Navigation and labels").
MENU_ITEMS = [
    "Products",
    "Serial numbers",
    "Outlets",
    "Stock",
    "New sale",
    "Sales",
    "Returns",
    "Warranty claims",
    "Customers",
    "Serial coverage",
]


def figures(response) -> dict[str, str]:
    """The Dashboard's figure links: accessible name (their text) -> address."""
    found = re.findall(r'<a class="dashboard-figure" href="([^"]*)">(.*?)</a>', response.text)
    links = {}
    for href, inner in found:
        name = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        links[name] = html_lib.unescape(href)
    return links


def local_day_start(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time.min))


def sell(*, outlet, product, at, quantity=1, serials=()):
    return sale_create(
        outlet=outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=product, quantity=quantity, serials=list(serials))],
        clerk=None,
        at=at,
    )


def listed_pks(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {row.pk for row in response.context["object_list"]}


# Serials In stock per outlet ---------------------------------------------------------


def test_in_stock_serials_are_counted_per_outlet_and_open_the_filtered_list(staff_client):
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    closed = OutletFactory(name="Closed Store", is_active=False)
    OutletFactory(name="Empty and closed", is_active=False)
    at_main = SerialRecordFactory.create_batch(3, outlet=main)
    SerialRecordFactory(outlet=main, status=SerialStatus.SOLD)
    SerialRecordFactory(outlet=harbour, status=SerialStatus.FAULTY)
    at_closed = SerialRecordFactory(outlet=closed)

    response = staff_client.get(URL)

    assert response.status_code == 200
    links = figures(response)
    main_url = f"{SERIAL_LIST}?outlet={main.pk}&status=in_stock"
    assert links["3 In stock at Main Street"] == main_url
    assert (
        links["0 In stock at Harbour Mall"] == f"{SERIAL_LIST}?outlet={harbour.pk}&status=in_stock"
    )
    assert (
        links["1 In stock at Closed Store"] == f"{SERIAL_LIST}?outlet={closed.pk}&status=in_stock"
    )
    assert listed_pks(staff_client, main_url) == {serial.pk for serial in at_main}
    assert listed_pks(staff_client, links["1 In stock at Closed Store"]) == {at_closed.pk}
    assert "Empty and closed" not in response.text


# Units sold in the last 7 days ---------------------------------------------------------


def test_units_sold_count_the_lines_of_the_last_7_days_in_the_shops_time_zone(
    staff_client, settings
):
    # Far from UTC, so a day's start in UTC would put the edge sales on the wrong side.
    settings.TIME_ZONE = "Pacific/Auckland"
    outlet = OutletFactory(name="Main Street")
    cable = ProductFactory(name="Cable", has_serial_numbers=False, retail_price=Decimal(9))
    machine = ProductFactory(name="Barista Pro")
    units = SerialRecordFactory.create_batch(2, product=machine, outlet=outlet)
    today = sell(outlet=outlet, product=cable, quantity=3, at=timezone.now())
    first_day = sell(
        outlet=outlet,
        product=machine,
        quantity=2,
        serials=[unit.serial for unit in units],
        at=local_day_start(6),
    )
    sell(outlet=outlet, product=cable, quantity=10, at=local_day_start(6) - timedelta(seconds=1))

    response = staff_client.get(URL)

    assert response.status_code == 200
    links = figures(response)
    since = (timezone.localdate() - timedelta(days=6)).isoformat()
    assert links["5 units sold in the last 7 days"] == f"{SALE_LIST}?date_from={since}"
    assert listed_pks(staff_client, links["5 units sold in the last 7 days"]) == {
        today.pk,
        first_day.pk,
    }


def test_one_unit_sold_reads_in_the_singular(staff_client):
    cable = ProductFactory(name="Cable", has_serial_numbers=False)
    sell(outlet=OutletFactory(), product=cable, at=timezone.now())

    response = staff_client.get(URL)

    assert response.status_code == 200
    assert "1 unit sold in the last 7 days" in figures(response)


# Open warranty claims ------------------------------------------------------------------


def test_open_claims_count_every_status_not_resolved_or_rejected(staff_client):
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro")
    claims = {}
    # Resolved: replaced closes a claim as the other resolutions do; it needs a
    # replacement unit, which says nothing more here.
    statuses = [s for s in ClaimStatus.values if s != ClaimStatus.RESOLVED_REPLACED]
    for status in statuses:
        unit = SerialRecordFactory(product=product, outlet=outlet)
        sell(outlet=outlet, product=product, serials=[unit.serial], at=timezone.now())
        unit.refresh_from_db()
        claim = claim_open(serial=unit, fault_description="Does not heat up", user=None)
        if status != ClaimStatus.OPEN:
            claim_update(claim=claim, status=status, note="", user=None)
        claims[status] = claim.pk

    response = staff_client.get(URL)

    assert response.status_code == 200
    links = figures(response)
    assert links["3 open claims"] == f"{CLAIM_LIST}?status=open_any"
    open_ones = {ClaimStatus.OPEN, ClaimStatus.IN_REPAIR, ClaimStatus.SENT_TO_SUPPLIER}
    assert listed_pks(staff_client, links["3 open claims"]) == {claims[s] for s in open_ones}


def test_the_claim_list_offers_open_any_as_a_status(staff_client):
    response = staff_client.get(CLAIM_LIST)

    assert response.status_code == 200
    assert '<option value="open_any">Open (any)</option>' in response.text


# Coverage problems ---------------------------------------------------------------------


def test_each_kind_of_coverage_problem_is_counted_and_opens_its_section(manager_client):
    main = OutletFactory(name="Main Street")
    ProductFactory(name="E-Bike Cargo 900", has_serial_numbers=False, retail_price=Decimal(4299))
    ProductFactory(name="Helmet", has_serial_numbers=False, retail_price=Decimal(49))
    short = ProductFactory(name="Barista Pro")
    StockLevel.objects.create(product=short, outlet=main, on_hand=5)
    SerialRecordFactory(product=short, outlet=main)
    extra = ProductFactory(name="Nova X12")
    SerialRecordFactory.create_batch(2, product=extra, outlet=main)

    response = manager_client.get(URL)

    assert response.status_code == 200
    links = figures(response)
    assert links["1 high-value item without serial tracking"] == f"{COVERAGE}#high-value"
    assert links["1 on-hand count above its In stock serials"] == (
        f"{COVERAGE}#stock-without-serials"
    )
    assert links["1 In stock serial count above on hand"] == f"{COVERAGE}#serials-without-stock"
    report = manager_client.get(COVERAGE)
    assert report.status_code == 200
    for name in ("E-Bike Cargo 900", "Barista Pro", "Nova X12"):
        assert name in report.text


def test_no_coverage_problem_reads_as_zero_of_each(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    links = figures(response)
    assert "0 high-value items without serial tracking" in links
    assert "0 on-hand counts above their In stock serials" in links
    assert "0 In stock serial counts above on hand" in links


# Names and permissions -----------------------------------------------------------------


def test_no_figure_is_named_like_a_menu_item(staff_client):
    outlet = OutletFactory(name="Main Street")
    SerialRecordFactory(outlet=outlet)

    response = staff_client.get(URL)

    assert response.status_code == 200
    names = list(figures(response))
    assert len(names) == 6  # one outlet, units sold, open claims, three coverage kinds
    for name in names:
        assert re.match(r"\d", name), name  # each says its figure first
        assert name not in MENU_ITEMS
        # Playwright and screen readers find a link by part of its name: no menu
        # item's name is in a figure's, but for the status "In stock" itself.
        lowered = name.lower().replace("in stock", "")
        for item in MENU_ITEMS:
            assert item.lower() not in lowered, (name, item)


def test_staff_see_every_figure(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert '<h1 class="h3 mb-4">Dashboard</h1>' in response.text
    links = figures(response)
    assert "0 units sold in the last 7 days" in links
    assert "0 open claims" in links
    assert "0 high-value items without serial tracking" in links


def test_a_figure_the_user_may_not_open_is_not_shown(client):
    clerk = UserFactory(username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="view_serialrecord"))
    client.force_login(clerk)
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))

    response = client.get(URL)

    assert response.status_code == 200
    assert list(figures(response)) == ["1 In stock at Main Street"]
    assert "units sold" not in response.text
    assert "open claim" not in response.text
    assert "serial tracking" not in response.text


def test_a_user_without_permissions_sees_the_dashboard_without_figures(client):
    client.force_login(UserFactory(username="viewer"))
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))

    response = client.get(URL)

    assert response.status_code == 200
    assert "Your account has no figures to show here." in response.text
    assert figures(response) == {}
    assert "Main Street" not in response.text


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_posting_to_the_dashboard_is_405(staff_client):
    assert staff_client.post(URL).status_code == 405


# Query count ---------------------------------------------------------------------------


def test_the_dashboard_costs_the_same_queries_for_2_and_20_outlets(manager_client):
    product = ProductFactory(name="Barista Pro")
    cable = ProductFactory(name="Cable", has_serial_numbers=False)

    def queries_for(outlets):
        # Each outlet: one unit In stock, one sold and claimed, two cables sold, and
        # stock on hand one above its In stock serials.
        for outlet in OutletFactory.create_batch(outlets):
            StockLevel.objects.create(product=product, outlet=outlet, on_hand=3)
            _in_stock, sold = SerialRecordFactory.create_batch(2, product=product, outlet=outlet)
            sell(outlet=outlet, product=product, serials=[sold.serial], at=timezone.now())
            sell(outlet=outlet, product=cable, quantity=2, at=timezone.now())
            sold.refresh_from_db()
            claim_open(serial=sold, fault_description="Noisy", user=None)
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(URL)
        assert response.status_code == 200
        return len(queries), figures(response)

    few, links = queries_for(2)
    assert "6 units sold in the last 7 days" in links
    assert "2 open claims" in links
    assert "2 on-hand counts above their In stock serials" in links
    many, links = queries_for(18)  # 20 outlets in all
    assert len([name for name in links if " In stock at " in name]) == 20
    assert "60 units sold in the last 7 days" in links
    assert "20 open claims" in links
    assert "20 on-hand counts above their In stock serials" in links
    assert many == few


def test_the_dashboard_costs_the_same_queries_for_5_and_500_serials(manager_client):
    product = ProductFactory(name="Barista Pro")
    outlet = OutletFactory(name="Main Street")

    def queries_for(units):
        SerialRecordFactory.create_batch(units, product=product, outlet=outlet)
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(URL)
        assert response.status_code == 200
        return len(queries), figures(response)

    few, links = queries_for(5)
    assert "5 In stock at Main Street" in links
    many, links = queries_for(495)
    assert "500 In stock at Main Street" in links
    assert many == few
