"""The Dashboard: charts of what needs doing and how the shop is going, each bar a link to
the filtered list whose rows make its figure."""

import html as html_lib
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inventory.models import SerialRecord, SerialStatus, StockLevel
from reports import services, tasks
from reports.models import DashboardSnapshot
from sales.models import ClaimStatus, SaleLine
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


# Reading the page ------------------------------------------------------------------


def card(response, chart_id: str) -> str:
    """The HTML of one chart's card: heading, SVG, table."""
    found = re.search(
        rf'<section class="card[^"]*" aria-labelledby="{chart_id}-heading">(.*?)</section>',
        response.text,
        re.DOTALL,
    )
    assert found, f"no chart {chart_id}"
    return found.group(1)


def bar_links(markup: str) -> dict[str, str]:
    """The chart's figure links (its bars, and an outlet's total): accessible name -> address."""
    # A bar: <a href><title>name</title>...; an outlet's total: <a href aria-label>.
    found = re.findall(r'<a href="([^"]*)"><title>([^<]*)</title>', markup)
    found += re.findall(r'<a class="[^"]*" href="([^"]*)" aria-label="([^"]*)">', markup)
    return {html_lib.unescape(name): html_lib.unescape(href) for href, name in found}


def table_rows(markup: str) -> list[list[str]]:
    """The chart's figures table, as text: a list per row, heading cell first."""
    table = re.search(r"<tbody>(.*?)</tbody>", markup, re.DOTALL)
    assert table, "no table"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.DOTALL):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        rows.append([html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return list(response.context["object_list"])


def local(day: date, hour: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def week_label(monday: date) -> str:
    return f"{monday.day} {monday.strftime('%b')}"


def sell(*, outlet, product, at, quantity=1, serials=()):
    return sale_create(
        outlet=outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=product, quantity=quantity, serials=list(serials))],
        clerk=None,
        at=at,
    )


def units_of(sales) -> int:
    return SaleLine.objects.filter(sale__in=sales).aggregate(n=Sum("quantity"))["n"] or 0


# In stock by outlet ------------------------------------------------------------------


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
    chart = card(response, "chart-in-stock")
    assert "4 serials In stock" in chart
    links = bar_links(chart)
    main_url = f"{SERIAL_LIST}?outlet={main.pk}&status=in_stock"
    assert links == {
        "3 In stock at Main Street": main_url,
        "0 In stock at Harbour Mall": f"{SERIAL_LIST}?outlet={harbour.pk}&status=in_stock",
        "1 In stock at Closed Store": f"{SERIAL_LIST}?outlet={closed.pk}&status=in_stock",
    }
    assert {unit.pk for unit in listed(staff_client, main_url)} == {u.pk for u in at_main}
    assert [u.pk for u in listed(staff_client, links["1 In stock at Closed Store"])] == [
        at_closed.pk
    ]
    assert table_rows(chart) == [
        ["Closed Store", "1"],
        ["Harbour Mall", "0"],
        ["Main Street", "3"],
    ]
    assert "Empty and closed" not in response.text


# Units sold per week -------------------------------------------------------------------


def test_units_sold_are_counted_per_week_from_monday_in_the_shops_time_zone(
    staff_client, settings
):
    # Far from UTC, so weeks cut in UTC would put the edge sales on the wrong side.
    settings.TIME_ZONE = "Pacific/Auckland"
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    oldest_monday = monday - timedelta(weeks=11)
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    cable = ProductFactory(name="Cable", has_serial_numbers=False, retail_price=Decimal(9))
    machine = ProductFactory(name="Barista Pro")
    units = SerialRecordFactory.create_batch(2, product=machine, outlet=main)
    this_week = [
        sell(outlet=main, product=cable, quantity=3, at=local(monday)),
        sell(outlet=harbour, product=cable, quantity=1, at=timezone.now()),
    ]
    last_week = sell(
        outlet=main,
        product=machine,
        quantity=2,
        serials=[unit.serial for unit in units],
        at=local(monday) - timedelta(seconds=1),
    )
    first_week = sell(outlet=harbour, product=cable, quantity=4, at=local(oldest_monday))
    sell(outlet=main, product=cable, quantity=10, at=local(oldest_monday) - timedelta(seconds=1))

    response = staff_client.get(URL)

    assert response.status_code == 200
    chart = card(response, "chart-sold")
    assert "4 units this week so far, 2 last week" in chart
    links = bar_links(chart)
    this_label, last_label = week_label(monday), week_label(monday - timedelta(weeks=1))
    sunday = monday + timedelta(days=6)
    this_url = f"{SALE_LIST}?date_from={monday}&date_to={sunday}"
    assert links[f"4 units sold in the week of {this_label}"] == this_url
    last_url = links[f"2 units sold in the week of {last_label}"]
    first_url = links[f"4 units sold in the week of {week_label(oldest_monday)}"]
    assert first_url == (
        f"{SALE_LIST}?date_from={oldest_monday}&date_to={oldest_monday + timedelta(days=6)}"
    )
    # Each bar's list holds the sales whose lines make its figure.
    assert {s.pk for s in listed(staff_client, this_url)} == {s.pk for s in this_week}
    assert [s.pk for s in listed(staff_client, last_url)] == [last_week.pk]
    assert [s.pk for s in listed(staff_client, first_url)] == [first_week.pk]
    assert units_of(listed(staff_client, this_url)) == 4
    # By outlet: every week of each outlet is a bar of its own.
    harbour_url = links[f"1 unit sold at Harbour Mall in the week of {this_label}"]
    assert harbour_url == f"{SALE_LIST}?date_from={monday}&date_to={sunday}&outlet={harbour.pk}"
    assert [s.pk for s in listed(staff_client, harbour_url)] == [this_week[1].pk]
    assert links["5 units sold at Main Street in the last 12 weeks"] == (
        f"{SALE_LIST}?date_from={oldest_monday}&date_to={sunday}&outlet={main.pk}"
    )
    assert links[f"0 units sold at Harbour Mall in the week of {last_label}"]
    rows = table_rows(chart)
    assert rows[0][0] == "Harbour Mall"
    assert rows[0][1] == "4" and rows[0][-2:] == ["1", "5"]
    assert rows[-1][0] == "All outlets"
    assert rows[-1][1] == "4" and rows[-1][-3:] == ["2", "4", "10"]


def test_a_week_of_one_unit_reads_in_the_singular(staff_client):
    cable = ProductFactory(name="Cable", has_serial_numbers=False)
    sell(outlet=OutletFactory(name="Main Street"), product=cable, at=timezone.now())

    response = staff_client.get(URL)

    assert response.status_code == 200
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    links = bar_links(card(response, "chart-sold"))
    assert f"1 unit sold in the week of {week_label(monday)}" in links
    assert "1 unit sold at Main Street in the last 12 weeks" in links


# Age of stock in hand ------------------------------------------------------------------


def test_stock_in_hand_is_valued_by_days_since_it_was_added_and_opens_those_units(
    staff_client, settings
):
    settings.TIME_ZONE = "Pacific/Auckland"
    today = timezone.localdate()
    outlet = OutletFactory(name="Main Street")
    cheap = ProductFactory(name="Grinder", retail_price=Decimal("100.00"))
    dear = ProductFactory(name="Barista Pro", retail_price=Decimal("1000.00"))

    def added(days_ago, product, *, hour=12, status=SerialStatus.IN_STOCK):
        at = timezone.now() if days_ago == 0 else local(today - timedelta(days=days_ago), hour)
        return SerialRecordFactory(product=product, outlet=outlet, created_at=at, status=status)

    # Each edge from both sides: a band's oldest day from its first moment (midnight,
    # in the shop's time zone), the next band's newest day to its last hour.
    bands = {
        "up to 90 days": [added(0, dear), added(90, cheap, hour=0)],
        "91 to 180 days": [added(91, cheap, hour=23), added(180, cheap, hour=0)],
        "181 to 365 days": [
            added(181, dear, hour=23),
            added(365, dear, hour=0),
            added(365, cheap, hour=0),
        ],
        "over 365 days": [added(366, cheap, hour=23)],
    }
    added(400, dear, status=SerialStatus.SOLD)
    added(10, dear, status=SerialStatus.FAULTY)

    response = staff_client.get(URL)

    assert response.status_code == 200
    chart = card(response, "chart-stock-age")
    assert "£100.00 of stock in hand was added over a year ago" in chart
    links = bar_links(chart)
    names = {
        "up to 90 days": "£1,100.00 in stock for up to 90 days (2 units)",
        "91 to 180 days": "£200.00 in stock for 91 to 180 days (2 units)",
        "181 to 365 days": "£2,100.00 in stock for 181 to 365 days (3 units)",
        "over 365 days": "£100.00 in stock for over 365 days (1 unit)",
    }
    assert set(links) == set(names.values())
    day = today.isoformat
    assert links[names["up to 90 days"]] == (
        f"{SERIAL_LIST}?status=in_stock&added_from={today - timedelta(days=90)}&added_to={day()}"
    )
    assert links[names["over 365 days"]] == (
        f"{SERIAL_LIST}?status=in_stock&added_to={today - timedelta(days=366)}"
    )
    for band, units in bands.items():
        rows = listed(staff_client, links[names[band]])
        assert {unit.pk for unit in rows} == {unit.pk for unit in units}, band
        value = sum(unit.product.retail_price for unit in rows)
        assert names[band].startswith(f"£{value:,}"), band
    assert table_rows(chart) == [
        ["Up to 90 days", "£1,100.00", "2"],
        ["91 to 180 days", "£200.00", "2"],
        ["181 to 365 days", "£2,100.00", "3"],
        ["Over 365 days", "£100.00", "1"],
    ]


# Open warranty claims -------------------------------------------------------------------


def test_open_claims_are_counted_by_status_and_age_and_open_those_claims(staff_client):
    today = timezone.localdate()
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro", warranty_months=60)

    def claim(status, days_ago):
        unit = SerialRecordFactory(product=product, outlet=outlet)
        opened = timezone.now() if days_ago == 0 else local(today - timedelta(days=days_ago), 12)
        sell(outlet=outlet, product=product, serials=[unit.serial], at=opened - timedelta(hours=1))
        unit.refresh_from_db()
        made = claim_open(serial=unit, fault_description="Does not heat up", user=None, at=opened)
        if status != ClaimStatus.OPEN:
            claim_update(claim=made, status=status, note="", user=None)
        return made

    recent = [claim(ClaimStatus.OPEN, 0), claim(ClaimStatus.OPEN, 6)]
    middle = [claim(ClaimStatus.OPEN, 7), claim(ClaimStatus.OPEN, 30)]
    in_repair_old = claim(ClaimStatus.IN_REPAIR, 31)
    at_supplier = claim(ClaimStatus.SENT_TO_SUPPLIER, 3)
    claim(ClaimStatus.RESOLVED_REPAIRED, 40)
    claim(ClaimStatus.REJECTED, 2)

    response = staff_client.get(URL)

    assert response.status_code == 200
    chart = card(response, "chart-claims")
    assert "6 open claims, 1 of them opened over 30 days ago" in chart
    links = bar_links(chart)
    assert set(links) == {
        "2 claims with status Open, opened in the last 7 days",
        "2 claims with status Open, opened 7 to 30 days ago",
        "1 claim with status In repair, opened over 30 days ago",
        "1 claim with status Sent to supplier, opened in the last 7 days",
    }
    recent_url = links["2 claims with status Open, opened in the last 7 days"]
    assert recent_url == (
        f"{CLAIM_LIST}?status=open&opened_from={today - timedelta(days=6)}&opened_to={today}"
    )
    old_url = links["1 claim with status In repair, opened over 30 days ago"]
    assert old_url == f"{CLAIM_LIST}?status=in_repair&opened_to={today - timedelta(days=31)}"
    expected = {
        recent_url: recent,
        links["2 claims with status Open, opened 7 to 30 days ago"]: middle,
        old_url: [in_repair_old],
        links["1 claim with status Sent to supplier, opened in the last 7 days"]: [at_supplier],
    }
    for url, claims in expected.items():
        assert {c.pk for c in listed(staff_client, url)} == {c.pk for c in claims}, url
    assert f'href="{CLAIM_LIST}?status=open_any">All open claims</a>' in chart
    assert table_rows(chart) == [
        ["Open", "2", "2", "0"],
        ["In repair", "0", "0", "1"],
        ["Sent to supplier", "1", "0", "0"],
    ]


def test_the_claim_list_offers_open_any_as_a_status(staff_client):
    response = staff_client.get(CLAIM_LIST)

    assert response.status_code == 200
    assert '<option value="open_any">Open (any)</option>' in response.text


# Coverage problems ---------------------------------------------------------------------


def test_each_kind_of_coverage_problem_is_counted_in_plain_words_and_opens_its_section(
    manager_client,
):
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
    chart = card(response, "chart-coverage")
    assert "3 problems to look at" in chart
    assert bar_links(chart) == {
        "1 high-value item without serial tracking": f"{COVERAGE}#high-value",
        "1 item with more units on hand than serials recorded": (
            f"{COVERAGE}#stock-without-serials"
        ),
        "1 item with more serials In stock than units on hand": (
            f"{COVERAGE}#serials-without-stock"
        ),
    }
    assert "An item is a product at one outlet." in chart
    report = manager_client.get(COVERAGE)
    assert report.status_code == 200
    for name in ("E-Bike Cargo 900", "Barista Pro", "Nova X12"):
        assert name in report.text
    assert "above their In stock serials" not in response.text


def test_no_coverage_problem_reads_as_nothing_to_look_at(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    chart = card(response, "chart-coverage")
    assert "Nothing to look at" in chart
    links = bar_links(chart)
    assert "0 high-value items without serial tracking" in links
    assert "0 items with more units on hand than serials recorded" in links
    assert "0 items with more serials In stock than units on hand" in links


# What a browser and a screen reader get -------------------------------------------------


def test_the_charts_keep_the_content_security_policy_no_inline_style_or_script(staff_client):
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))

    response = staff_client.get(URL)

    assert response.status_code == 200
    assert response.text.count("<svg") >= 5
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"<[^>]+\sstyle=", response.text)
    assert "<style" not in response.text
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", response.text)
    assert not re.search(r"\son[a-z]+=", response.text)  # no event handler attributes
    assert '<link rel="stylesheet" href="/static/css/charts.css">' in response.text


def test_each_chart_is_a_named_image_with_its_figures_in_a_table(staff_client):
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))

    response = staff_client.get(URL)

    assert response.status_code == 200
    for chart_id in ("chart-claims", "chart-coverage", "chart-stock-age", "chart-sold"):
        markup = card(response, chart_id)
        svg = re.search(rf'<svg class="chart" id="{chart_id}" ([^>]*)>', markup)
        assert svg, chart_id
        assert 'role="img"' in svg.group(1)
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg.group(1)
        title = re.search(rf'<title id="{chart_id}-title">([^<]+)</title>', markup)
        desc = re.search(rf'<desc id="{chart_id}-desc">([^<]+)</desc>', markup)
        assert title and desc, chart_id
        assert "<details" in markup and "<caption>" in markup, chart_id
        assert table_rows(markup), chart_id
    markup = card(response, "chart-in-stock")
    assert '<title id="chart-in-stock-title">Serials In stock at each outlet</title>' in markup
    assert table_rows(markup) == [["Main Street", "1"]]


def test_no_figure_is_named_like_a_menu_item(manager_client):
    outlet = OutletFactory(name="Main Street")
    SerialRecordFactory(outlet=outlet)
    sell(outlet=outlet, product=ProductFactory(has_serial_numbers=False), at=timezone.now())

    response = manager_client.get(URL)

    assert response.status_code == 200
    names = list(bar_links(response.text))
    assert len(names) > 20
    for name in names:
        assert re.match(r"[\d£]", name), name  # each says its figure first
        # Playwright and screen readers find a link by part of its name: no menu
        # item's name is in a figure's, but for the status "In stock" itself.
        lowered = name.lower().replace("in stock", "")
        for item in MENU_ITEMS:
            assert item.lower() not in lowered, (name, item)


# Worked out in the background -------------------------------------------------------------


def test_the_first_view_works_out_the_trends_and_later_views_read_them(staff_client):
    outlet = OutletFactory(name="Main Street")
    SerialRecordFactory(outlet=outlet, product=ProductFactory(retail_price=Decimal("250.00")))

    first = staff_client.get(URL)
    # Added after the figures were worked out: not in them until the next refresh.
    SerialRecordFactory(outlet=outlet, product=ProductFactory(retail_price=Decimal("700.00")))
    second = staff_client.get(URL)

    assert first.status_code == 200 and second.status_code == 200
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.day == timezone.localdate()
    assert "£250.00 in stock for up to 90 days (1 unit)" in bar_links(second.text)
    when = timezone.localtime(snapshot.taken_at)
    # As the shop's date filters write a moment (lib/dates.py): "07/12/2026 06:20".
    assert f"As of {when:%d/%m/%Y %H:%M}; updated every few minutes." in second.text
    # The live chart counts the new unit at once.
    assert "2 In stock at Main Street" in bar_links(second.text)
    assert DBTaskResult.objects.count() == 0


def test_the_same_figures_are_drawn_again_in_another_time_zone(staff_client, settings):
    # The trends' cards are kept drawn per snapshot: the time zone is part of their key.
    taken = timezone.make_aware(datetime(2026, 12, 7, 6, 20), timezone.get_fixed_timezone(0))
    services.dashboard_snapshot_take(now=taken)

    settings.TIME_ZONE = "UTC"
    in_utc = staff_client.get(URL)
    settings.TIME_ZONE = "Pacific/Auckland"
    in_auckland = staff_client.get(URL)

    assert in_utc.status_code == 200 and in_auckland.status_code == 200
    assert "As of 07/12/2026 06:20;" in card(in_utc, "chart-sold")
    assert "As of 07/12/2026 19:20;" in card(in_auckland, "chart-sold")


def test_figures_older_than_the_refresh_interval_are_shown_and_one_refresh_is_queued(
    staff_client, settings, django_capture_on_commit_callbacks
):
    settings.SERIALDESK_DASHBOARD_REFRESH_SECONDS = 300
    outlet = OutletFactory(name="Main Street")
    SerialRecordFactory(outlet=outlet, product=ProductFactory(retail_price=Decimal("250.00")))
    services.dashboard_snapshot_take(now=timezone.now() - timedelta(seconds=301))
    SerialRecordFactory(outlet=outlet, product=ProductFactory(retail_price=Decimal("700.00")))

    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.get(URL)
        second = staff_client.get(URL)

    assert first.status_code == 200 and second.status_code == 200
    assert "£250.00 in stock for up to 90 days (1 unit)" in bar_links(second.text)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reports.tasks.dashboard_refresh_task"
    assert DashboardSnapshot.objects.get().refresh_requested_at is not None


def test_fresh_figures_queue_no_refresh(staff_client, django_capture_on_commit_callbacks):
    services.dashboard_snapshot_take(now=timezone.now() - timedelta(seconds=10))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.get(URL)

    assert response.status_code == 200
    assert DBTaskResult.objects.count() == 0
    assert DashboardSnapshot.objects.get().refresh_requested_at is None


def test_figures_of_yesterday_are_refreshed_whatever_their_age(
    staff_client, settings, django_capture_on_commit_callbacks
):
    settings.SERIALDESK_DASHBOARD_REFRESH_SECONDS = 86_400 * 7
    services.dashboard_snapshot_take()
    DashboardSnapshot.objects.update(day=timezone.localdate() - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.get(URL)

    assert response.status_code == 200
    assert DBTaskResult.objects.count() == 1


def test_a_refresh_queued_long_ago_and_never_run_is_queued_again(
    staff_client, settings, django_capture_on_commit_callbacks
):
    settings.SERIALDESK_DASHBOARD_REFRESH_SECONDS = 300
    services.dashboard_snapshot_take(now=timezone.now() - timedelta(hours=1))
    asked = timezone.now() - timedelta(seconds=599)
    DashboardSnapshot.objects.update(refresh_requested_at=asked)

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.get(URL)
    assert DBTaskResult.objects.count() == 0  # asked under twice the interval ago: waiting
    DashboardSnapshot.objects.update(refresh_requested_at=asked - timedelta(seconds=2))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.get(URL)

    assert response.status_code == 200
    assert DBTaskResult.objects.count() == 1


def test_a_queue_that_is_down_leaves_the_dashboard_working(
    staff_client, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks, "dashboard_refresh_task", SimpleNamespace(enqueue=refuse))
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))
    services.dashboard_snapshot_take(now=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.get(URL)

    assert response.status_code == 200
    assert "1 In stock at Main Street" in bar_links(response.text)
    assert "Could not queue the Dashboard's refresh" in caplog.text


def test_figures_of_an_older_shape_are_worked_out_again_on_the_page(staff_client):
    SerialRecordFactory(outlet=OutletFactory(), product=ProductFactory(retail_price=Decimal(80)))
    services.dashboard_snapshot_take()
    DashboardSnapshot.objects.update(figures={"version": 0})

    response = staff_client.get(URL)

    assert response.status_code == 200
    assert "£80.00 in stock for up to 90 days (1 unit)" in bar_links(response.text)
    assert DashboardSnapshot.objects.get().figures["version"] == 1


# Names and permissions -----------------------------------------------------------------


def test_staff_see_every_chart(staff_client):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert '<h1 class="h3 mb-4">Dashboard</h1>' in response.text
    assert "What needs doing" in response.text and "How the shop is going" in response.text
    for chart_id in (
        "chart-claims",
        "chart-coverage",
        "chart-stock-age",
        "chart-sold",
        "chart-in-stock",
    ):
        assert card(response, chart_id)


def test_a_chart_the_user_may_not_open_is_not_shown(client):
    clerk = UserFactory(username="clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="view_serialrecord"))
    client.force_login(clerk)
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))

    response = client.get(URL)

    assert response.status_code == 200
    assert "1 In stock at Main Street" in bar_links(card(response, "chart-in-stock"))
    assert card(response, "chart-stock-age")
    for hidden in ("chart-sold", "chart-claims", "chart-coverage"):
        assert f'id="{hidden}"' not in response.text
    assert "units sold" not in response.text
    assert "serial tracking" not in response.text


def test_a_user_without_permissions_sees_the_dashboard_without_figures(client):
    client.force_login(UserFactory(username="viewer"))
    SerialRecordFactory(outlet=OutletFactory(name="Main Street"))

    response = client.get(URL)

    assert response.status_code == 200
    assert "Your account has no figures to show here." in response.text
    assert bar_links(response.text) == {}
    assert "Main Street" not in response.text
    assert DashboardSnapshot.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_posting_to_the_dashboard_is_405(staff_client):
    assert staff_client.post(URL).status_code == 405


# Query count ---------------------------------------------------------------------------


def dashboard_queries(client, *, fresh: bool) -> tuple[int, str]:
    """The page's query count with the trends already worked out (`fresh`) or not yet."""
    DashboardSnapshot.objects.all().delete()
    if fresh:
        services.dashboard_snapshot_take()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), response.text


@pytest.mark.parametrize("fresh", [True, False], ids=["worked-out", "first-view"])
def test_the_dashboard_costs_the_same_queries_for_2_and_20_outlets(manager_client, fresh):
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
        return dashboard_queries(manager_client, fresh=fresh)

    few, page = queries_for(2)
    assert "6 units this week so far" in page
    assert "2 open claims" in page
    assert "2 items with more units on hand than serials recorded" in page
    many, page = queries_for(18)  # 20 outlets in all
    assert len(re.findall(r"<title>\d+ In stock at ", page)) == 20
    assert "60 units this week so far" in page
    assert "20 open claims" in page
    assert "20 items with more units on hand than serials recorded" in page
    assert many == few


def test_the_dashboard_costs_the_same_queries_for_5_and_500_serials(manager_client):
    product = ProductFactory(name="Barista Pro")
    outlet = OutletFactory(name="Main Street")

    def queries_for(units):
        SerialRecordFactory.create_batch(units, product=product, outlet=outlet)
        return dashboard_queries(manager_client, fresh=True)

    few, page = queries_for(5)
    assert "<title>5 In stock at Main Street</title>" in page
    many, page = queries_for(495)
    assert "<title>500 In stock at Main Street</title>" in page
    assert many == few


# The worker's refresh ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_queued_refresh_run_by_the_worker_counts_the_figures_again(roles, client, settings):
    from tests.inventory.job_helpers import run_worker

    settings.SERIALDESK_DASHBOARD_REFRESH_SECONDS = 300
    client.force_login(UserFactory(username="sam", groups=["Staff"]))
    outlet = OutletFactory(name="Main Street")
    SerialRecordFactory(outlet=outlet, product=ProductFactory(retail_price=Decimal("250.00")))
    services.dashboard_snapshot_take(now=timezone.now() - timedelta(hours=1))
    SerialRecordFactory(outlet=outlet, product=ProductFactory(retail_price=Decimal("700.00")))
    assert client.get(URL).status_code == 200

    run_worker()

    response = client.get(URL)
    assert response.status_code == 200
    assert "£950.00 in stock for up to 90 days (2 units)" in bar_links(response.text)
    snapshot = DashboardSnapshot.objects.get()
    assert snapshot.refresh_requested_at is None
    assert timezone.now() - snapshot.taken_at < timedelta(minutes=1)
    assert SerialRecord.objects.count() == 2
