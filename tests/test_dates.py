"""One date style per locale: pages write dates the way the shop's date filters take them."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from inventory.models import SerialJob, SerialJobKind, SerialJobState
from lib.dates import date_display, datetime_display, datetime_display_format
from lib.widgets import date_format_hint
from sales.services import LineInput, sale_create
from tests.factories import CustomerFactory, SerialRecordFactory

ROOT = Path(__file__).resolve().parents[1]
MOMENT = datetime(2026, 12, 7, 3, 11, 42)


@pytest.mark.parametrize(
    "language, moment, day, hint",
    [
        ("en-gb", "07/12/2026 03:11", "07/12/2026", "dd/mm/yyyy"),
        ("de", "07.12.2026 03:11", "07.12.2026", "dd.mm.yyyy"),
        ("nl", "07-12-2026 03:11", "07-12-2026", "dd-mm-yyyy"),
        ("en-us", "2026-12-07 03:11", "2026-12-07", "yyyy-mm-dd"),
        ("hu", "2026.12.07. 03:11", "2026.12.07.", "yyyy.mm.dd."),
    ],
)
def test_a_locale_writes_dates_in_the_order_and_digits_its_date_filter_takes(
    language, moment, day, hint
):
    with translation.override(language):
        assert datetime_display(MOMENT) == moment
        assert date_display(MOMENT.date()) == day
        assert date_format_hint() == hint


def test_a_moment_is_shown_in_the_shops_time_zone():
    utc_evening = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)

    with override_settings(TIME_ZONE="Europe/London"), translation.override("en-gb"):
        assert datetime_display(utc_evening) == "02/07/2026 00:30"
        assert date_display(utc_evening) == "02/07/2026"


def test_no_time_ends_in_a_dot_that_a_sentence_would_double():
    # en-gb's own DATETIME_FORMAT ends in "a.m.": "Started by mia, 3:31 a.m.."
    for language in ["en-gb", "en", "de", "fr", "nl", "hu", "ja", "es", "pt-br"]:
        with translation.override(language):
            assert not datetime_display(MOMENT).endswith(".")
            assert "\\" not in datetime_display(MOMENT), datetime_display_format()


@pytest.mark.django_db
def test_the_serial_list_shows_when_a_unit_was_added_as_the_filters_take_dates(manager_client):
    SerialRecordFactory(serial="BP9-0100", created_at=timezone.make_aware(MOMENT))

    response = manager_client.get(reverse("inventory:serial_list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'placeholder="dd/mm/yyyy"' in html
    assert "07/12/2026 03:11" in html
    assert "7 Dec 2026" not in html


@pytest.mark.django_db
def test_the_sale_page_and_its_list_write_the_time_the_same_way(manager_client):
    unit = SerialRecordFactory()
    sale = sale_create(
        outlet=unit.outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=timezone.make_aware(MOMENT),
    )

    for url in [sale.get_absolute_url(), reverse("sales:sale_list")]:
        response = manager_client.get(url)
        assert response.status_code == 200
        assert "07/12/2026 03:11" in response.content.decode()


@pytest.mark.django_db
def test_the_job_page_says_when_it_started_with_one_full_stop(manager_client, manager_user):
    job = SerialJob.objects.create(
        kind=SerialJobKind.IMPORT, user=manager_user, state=SerialJobState.DONE, file_name="a.csv"
    )
    SerialJob.objects.filter(pk=job.pk).update(created_at=timezone.make_aware(MOMENT))

    detail = manager_client.get(reverse("inventory:job_detail", args=[job.pk]))
    listing = manager_client.get(reverse("inventory:job_list"))

    assert detail.status_code == 200
    text = re.sub(r"\s+", " ", detail.content.decode())
    assert "Started by mia, 07/12/2026 03:11. " in text
    assert ".." not in text
    assert listing.status_code == 200
    assert "07/12/2026 03:11" in listing.content.decode()


def _templates():
    for folder in ["templates", "catalog", "inventory", "sales", "reports", "api"]:
        yield from sorted((ROOT / folder).rglob("*.html"))


# A date written by Django's own formats ("7 Dec 2026, 3:11 a.m."): a |date filter,
# humanize's natural days and times, or a bare timestamp field printed as it is.
OTHER_DATE_STYLES = re.compile(
    r"\|\s*date\b|naturaltime|naturalday|timesince|timeuntil"
    r"|\{\{\s*[\w.]+_(at|on|date|until)\s*\}\}|=\s*[\w.]+_(at|on|until)(\s|%)"
)


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_write_dates_only_through_the_shops_date_filters(path):
    found = OTHER_DATE_STYLES.search(path.read_text())
    assert found is None, (
        f"{found.group(0)!r}: write dates with {{% load shop_dates %}} and |shop_datetime "
        "or |shop_date (lib/dates.py), the style the date filters take"
    )


def test_a_date_only_value_is_written_without_a_time():
    with translation.override("en-gb"):
        assert date_display(date(2027, 2, 28)) == "28/02/2027"
        assert date_display(None) == ""
        assert datetime_display(None) == ""
