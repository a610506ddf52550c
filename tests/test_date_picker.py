"""Date filters: a text box in the shop's date format (en-gb: dd/mm/yyyy), ISO still read."""

import csv
import io
import re
from datetime import date, datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lib.widgets import ShopDateInput
from sales.models import ReturnOutcome, ReturnReason
from sales.services import LineInput, claim_open, return_create, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
)

SERIAL_LIST = reverse("inventory:serial_list")
SERIAL_EXPORT = reverse("inventory:serial_export")
FORMAT_MESSAGE = "Enter a date as dd/mm/yyyy."


def at_noon(day: int) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, 12))


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
    assert match, f"no {name} box on the page"
    return match[0]


def attribute(tag: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return unescape(match[1]) if match else None


def serials_listed(response) -> list[str]:
    assert response.status_code == 200
    return [unit.serial for unit in response.context["object_list"]]


def exported_serials(client, params) -> list[str]:
    response = client.get(SERIAL_EXPORT, params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]


@pytest.fixture
def three_days():
    """One unit added on each of 27, 28 and 29 November 2026 (shop time)."""
    for day in (27, 28, 29):
        SerialRecordFactory(serial=f"DAY-{day}", created_at=at_noon(day))


# The widget ------------------------------------------------------------------------


def test_the_box_is_text_showing_the_date_in_the_shops_format_with_a_calendar_button():
    with translation.override("en-gb"):
        html = ShopDateInput(min_date=date(1900, 1, 1), max_date=date(2999, 12, 31)).render(
            "added_from", date(2026, 11, 28), {"id": "id_added_from"}
        )

    tag = input_tag(html, "added_from")
    assert attribute(tag, "type") == "text"
    assert attribute(tag, "value") == "28/11/2026"
    assert attribute(tag, "placeholder") == "dd/mm/yyyy"
    assert attribute(tag, "autocomplete") == "off"
    assert attribute(tag, "inputmode") == "numeric"
    assert attribute(tag, "data-date-format") == "%d/%m/%Y"
    assert attribute(tag, "data-first-day-of-week") == "1"  # Monday
    assert attribute(tag, "data-min-date") == "1900-01-01"
    assert attribute(tag, "data-max-date") == "2999-12-31"
    assert attribute(tag, "id") == "id_added_from"
    assert re.search(r'<button type="button"[^>]*aria-label="Choose a date"', html)
    assert 'type="date"' not in html
    assert "style=" not in html


@pytest.mark.parametrize(
    ("language", "value", "placeholder", "first_day"),
    [
        ("de", "28.11.2026", "dd.mm.yyyy", "1"),
        ("en", "2026-11-28", "yyyy-mm-dd", "0"),
    ],
)
def test_the_format_and_the_first_day_of_the_week_follow_the_locale(
    language, value, placeholder, first_day
):
    with translation.override(language):
        html = ShopDateInput().render("day", date(2026, 11, 28))

    tag = input_tag(html, "day")
    assert attribute(tag, "value") == value
    assert attribute(tag, "placeholder") == placeholder
    assert attribute(tag, "data-first-day-of-week") == first_day


# Inventory > Serial numbers ---------------------------------------------------------


@pytest.mark.django_db
def test_the_filters_label_names_the_text_box(staff_client):
    response = staff_client.get(SERIAL_LIST)

    assert response.status_code == 200
    html = response.content.decode()
    for name, label in (("added_from", "Added from"), ("added_to", "Added to")):
        tag = input_tag(html, name)
        assert attribute(tag, "type") == "text"
        assert re.search(rf'<label\s+for="{attribute(tag, "id")}"[^>]*>\s*{label}\s*<', html)
    assert html.count('aria-label="Choose a date"') == 2


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["28/11/2026", "2026-11-28", " 28/11/26 "])
def test_a_date_in_the_shops_format_or_iso_filters_the_same_rows(staff_client, three_days, typed):
    response = staff_client.get(SERIAL_LIST, {"added_from": typed, "added_to": typed})

    assert serials_listed(response) == ["DAY-28"]
    assert serials_listed(staff_client.get(SERIAL_LIST, {"added_from": typed})) == [
        "DAY-29",
        "DAY-28",
    ]


@pytest.mark.django_db
def test_an_iso_date_from_an_old_bookmark_shows_in_the_shops_format(staff_client, three_days):
    response = staff_client.get(SERIAL_LIST, {"added_from": "2026-11-28"})

    assert serials_listed(response) == ["DAY-29", "DAY-28"]
    assert attribute(input_tag(response.content.decode(), "added_from"), "value") == "28/11/2026"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["11/28/2026", "31/02/2026", "yesterday", "28-11"])
def test_a_wrong_date_names_the_format_keeps_the_text_and_lists_nothing(
    staff_client, three_days, typed
):
    response = staff_client.get(SERIAL_LIST, {"added_from": typed})

    assert response.status_code == 200
    html = response.content.decode()
    assert FORMAT_MESSAGE in html
    assert attribute(input_tag(html, "added_from"), "value") == typed
    assert serials_listed(response) == []
    assert "Enter a valid date." not in html


@pytest.mark.django_db
def test_a_far_typed_date_is_still_the_range_error(staff_client, three_days):
    response = staff_client.get(SERIAL_LIST, {"added_to": "31/12/9999"})

    assert response.status_code == 200
    assert "Enter a date from 1900 to 2999." in response.content.decode()
    assert serials_listed(response) == []


@pytest.mark.django_db
def test_export_csv_takes_typed_dates_and_exports_nothing_for_a_wrong_one(
    staff_client, three_days
):
    assert exported_serials(staff_client, {"added_from": "28/11/2026"}) == ["DAY-29", "DAY-28"]
    assert exported_serials(staff_client, {"added_to": "28/11/2026"}) == ["DAY-28", "DAY-27"]
    assert exported_serials(staff_client, {"added_from": "2026-11-29"}) == ["DAY-29"]
    assert exported_serials(staff_client, {"added_from": "11/28/2026"}) == []


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_with_typed_dates_for_3_and_20_rows(staff_client):
    def queries_listing(rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(
                SERIAL_LIST, {"added_from": "28/11/2026", "added_to": "28/11/2026"}
            )
        assert response.status_code == 200
        assert len(response.context["object_list"]) == rows
        return len(queries)

    SerialRecordFactory.create_batch(3, created_at=at_noon(28))
    three = queries_listing(3)
    SerialRecordFactory.create_batch(17, created_at=at_noon(28))

    assert queries_listing(20) == three


# Sales, Returns, Warranty claims ----------------------------------------------------


def _sold_unit(day, serial):
    product = ProductFactory()
    outlet = OutletFactory()
    unit = SerialRecordFactory(product=product, outlet=outlet, serial=serial)
    sale = sale_create(
        outlet=outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=product, quantity=1, serials=[serial])],
        clerk=None,
        at=at_noon(day),
    )
    unit.refresh_from_db()
    return unit, sale


def _sales():
    return {day: _sold_unit(day, f"S-{day}")[1].pk for day in (27, 28)}


def _returns():
    made = {}
    for day in (27, 28):
        unit, _sale = _sold_unit(day - 1, f"R-{day}")
        made[day] = return_create(
            serial=unit,
            reason=ReturnReason.UNWANTED,
            outcome=ReturnOutcome.RESTOCK,
            outlet=unit.outlet,
            refund_amount=unit.product.retail_price,
            clerk=None,
            at=at_noon(day),
        ).pk
    return made


def _claims():
    made = {}
    for day in (27, 28):
        unit, _sale = _sold_unit(day - 1, f"C-{day}")
        made[day] = claim_open(
            serial=unit, fault_description="Does not start", user=None, at=at_noon(day)
        ).pk
    return made


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "make", "field_from", "field_to", "label"),
    [
        ("sales:sale_list", _sales, "date_from", "date_to", "Date from"),
        ("sales:return_list", _returns, "date_from", "date_to", "Date from"),
        ("sales:claim_list", _claims, "opened_from", "opened_to", "Opened from"),
    ],
)
def test_the_sales_lists_filter_with_a_date_in_the_shops_format(
    staff_client, url_name, make, field_from, field_to, label
):
    made = make()
    url = reverse(url_name)

    page = staff_client.get(url)
    typed = staff_client.get(url, {field_from: "28/11/2026", field_to: "28/11/2026"})
    iso = staff_client.get(url, {field_from: "2026-11-28", field_to: "2026-11-28"})
    before = staff_client.get(url, {field_to: "27/11/2026"})
    wrong = staff_client.get(url, {field_from: "28.11.2026x"})

    assert page.status_code == 200
    html = page.content.decode()
    tag = input_tag(html, field_from)
    assert attribute(tag, "type") == "text"
    assert attribute(tag, "placeholder") == "dd/mm/yyyy"
    assert re.search(rf'<label\s+for="{attribute(tag, "id")}"[^>]*>\s*{label}\s*<', html)
    assert [row.pk for row in page.context["object_list"]] == [made[28], made[27]]
    assert typed.status_code == 200
    assert [row.pk for row in typed.context["object_list"]] == [made[28]]
    assert attribute(input_tag(typed.content.decode(), field_from), "value") == "28/11/2026"
    assert [row.pk for row in iso.context["object_list"]] == [made[28]]
    assert [row.pk for row in before.context["object_list"]] == [made[27]]
    assert wrong.status_code == 200
    assert FORMAT_MESSAGE in wrong.content.decode()
    assert list(wrong.context["object_list"]) == []


@pytest.mark.django_db
def test_the_sales_export_takes_a_typed_date(staff_client):
    made = _sales()

    response = staff_client.get(reverse("sales:sale_export"), {"date_from": "28/11/2026"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    assert [int(row[0]) for row in list(csv.reader(io.StringIO(text)))[1:]] == [made[28]]
