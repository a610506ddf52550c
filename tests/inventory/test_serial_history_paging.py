"""The serial page of a busy unit: the newest 50 lines of history, older ones a link away."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus
from inventory.selectors import HISTORY_PAGE_SIZE
from sales.services import LineInput, claim_open, return_create, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OLDER = re.compile(r'<a href="([^"]+)">Older events</a>')
NEWEST = re.compile(r'<a href="([^"]+)">Newest events</a>')


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def add_events(unit, count, *, same_time_every=1):
    """`count` edits of `unit`, a minute apart, or `same_time_every` of them at each time."""
    start = unit.created_at + timedelta(days=1)
    SerialEvent.objects.bulk_create(
        SerialEvent(
            serial=unit,
            kind=SerialEventKind.EDITED,
            note=f"Event {n}",
            created_at=start + timedelta(minutes=n // same_time_every),
        )
        for n in range(count)
    )


def newest_first(unit):
    return list(unit.events.order_by("-created_at", "-id").values_list("pk", flat=True))


@pytest.fixture
def unit(main_street):
    return SerialRecordFactory(
        serial="BUSY-1",
        outlet=main_street,
        created_by=UserFactory(username="alex"),
        created_at=timezone.now() - timedelta(days=30),
    )


def test_the_serial_page_shows_the_newest_50_events_in_order_and_how_many_there_are(
    staff_client, unit
):
    add_events(unit, 1000)

    response = staff_client.get(unit.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    # 1,000 events and the line saying how the unit was first recorded.
    assert "Showing the newest 50 of 1,001 events" in page
    history = response.context["history"]
    assert [event.pk for event in history] == newest_first(unit)[:HISTORY_PAGE_SIZE]
    assert "Event 999" in page and "Event 950" in page
    assert page.index("Event 999") < page.index("Event 950")
    assert OLDER.search(page)
    assert "Event 949<" not in page
    assert "Newest events" not in page


@pytest.mark.parametrize(
    ("events", "same_time_every", "pages"),
    [
        (49, 1, 1),  # 50 lines: one full page
        (50, 1, 2),  # 51 lines: the record's own line on a page of its own
        (130, 1, 3),
        (130, 7, 3),  # seven events at each instant: the id breaks the tie
        (130, 130, 3),  # every event at one instant
    ],
)
def test_older_events_reach_every_line_once(staff_client, unit, events, same_time_every, pages):
    add_events(unit, events, same_time_every=same_time_every)
    seen = []
    path = unit.get_absolute_url()
    for number in range(1, pages + 1):
        response = staff_client.get(path)
        page = text(response)
        assert response.status_code == 200
        lines = response.context["history"]
        assert 0 < len(lines) <= HISTORY_PAGE_SIZE
        seen += [line.pk for line in lines]
        if pages > 1:
            first, last = len(seen) - len(lines) + 1, len(seen)
            expected = (
                f"Showing the newest {last} of {events + 1} events"
                if number == 1
                else f"Showing events {first} to {last} of {events + 1}, newest first"
            )
            assert expected in page
        if number > 1:
            assert NEWEST.search(page).group(1) == f"{unit.get_absolute_url()}#history"
        older = OLDER.search(page)
        if number < pages:
            path = older.group(1).replace("&amp;", "&")
        else:
            assert "Older events" not in page
    # Every event once, newest first, then the record's own line (not a row).
    assert seen == [*newest_first(unit), None]
    assert response.context["history"][-1].kind == SerialEventKind.ADDED


def test_a_history_that_fits_one_page_shows_no_paging(staff_client, unit):
    add_events(unit, 3)

    response = staff_client.get(unit.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert "Event 2" in page and "Added" in page
    assert len(response.context["history"]) == 4
    assert "Showing" not in page
    assert "Older events" not in page and "Newest events" not in page


def test_the_first_line_names_the_outlet_the_unit_was_recorded_at_from_a_newer_page(
    staff_client, unit, main_street, harbour
):
    # The only move is among the newest events; the last page holds only edits.
    add_events(unit, 60)
    SerialEvent.objects.create(
        serial=unit,
        kind=SerialEventKind.TRANSFERRED,
        from_outlet=main_street,
        to_outlet=harbour,
        created_at=unit.created_at + timedelta(days=2),
    )
    SerialRecord.objects.filter(pk=unit.pk).update(outlet=harbour)
    first_page = staff_client.get(unit.get_absolute_url())
    older = OLDER.search(text(first_page)).group(1)

    response = staff_client.get(older)

    assert response.status_code == 200
    recorded = response.context["history"][-1]
    assert (recorded.kind, recorded.pk, recorded.to_outlet) == (
        SerialEventKind.ADDED,
        None,
        main_street,
    )


def sell(unit, *, at=None):
    return sale_create(
        outlet=unit.outlet,
        customer=CustomerFactory(name="Alice Martin"),
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=at,
    )


def test_a_sale_older_than_the_first_page_still_heads_the_page(staff_client, manager_client, unit):
    sale = sell(unit, at=unit.created_at + timedelta(hours=1))
    add_events(unit, 60)  # e.g. notes edited on a sold unit, all after the sale

    response = staff_client.get(unit.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert f'<a href="{sale.get_absolute_url()}">Sale {sale.pk}</a>' in page
    assert "Alice Martin" in page and "In warranty until" in page
    older = staff_client.get(OLDER.search(page).group(1))
    assert f'<a href="{sale.get_absolute_url()}">Sale {sale.pk}</a>' in text(older)


def test_a_unit_sold_long_ago_cannot_be_deleted_from_any_page(manager_client, unit):
    sell(unit, at=unit.created_at + timedelta(hours=1))
    return_create(
        serial=unit,
        reason="unwanted",
        outcome="restock",
        outlet=unit.outlet,
        refund_amount=Decimal(0),
        clerk=None,
        at=unit.created_at + timedelta(hours=2),
    )
    add_events(unit, 60)
    unit.refresh_from_db()
    assert unit.status == SerialStatus.IN_STOCK

    response = manager_client.get(unit.get_absolute_url())

    page = text(response)
    assert response.status_code == 200
    assert "was sold, so it cannot be deleted. Write it off instead." in page
    assert reverse("serial_delete", args=[unit.pk]) not in page


def document_unit(events, *, after_the_claim):
    """A Sold unit with a sale, a return, a sale again and a claim, and `events` rows
    more linking the first sale, the return or the claim: older than the first
    sale, or newer than the claim (then the sale that heads the page, the second,
    is not among the newest 50)."""
    unit = SerialRecordFactory(product=ProductFactory(warranty_months=24), outlet=OutletFactory())
    start = timezone.now() - timedelta(days=10)
    first_sale = sell(unit, at=start)
    returned = return_create(
        serial=unit,
        reason="unwanted",
        outcome="restock",
        outlet=unit.outlet,
        refund_amount=Decimal(0),
        clerk=None,
        at=start + timedelta(days=1),
    )
    sell(unit, at=start + timedelta(days=2))
    claim = claim_open(
        serial=unit, fault_description="Rattles", user=None, at=start + timedelta(days=3)
    )
    documents = [first_sale, returned, claim]
    rows_from = start + timedelta(days=4) if after_the_claim else start - timedelta(days=1)
    SerialEvent.objects.bulk_create(
        SerialEvent(
            serial=unit,
            kind=SerialEventKind.CLAIM_UPDATED,
            note=f"Document event {n}",
            document_type=ContentType.objects.get_for_model(documents[n % 3]),
            document_id=documents[n % 3].pk,
            created_at=rows_from + timedelta(minutes=n),
        )
        for n in range(events)
    )
    unit.refresh_from_db()
    return unit, documents


@pytest.mark.parametrize(
    ("few", "many", "after_the_claim"),
    [
        (5, 500, False),  # the sale that heads the page is among the newest lines
        (60, 500, True),  # it is older than the newest 50: read on its own
    ],
)
def test_the_serial_pages_queries_do_not_grow_with_events_of_every_document(
    staff_client, few, many, after_the_claim
):
    def queries_for(events):
        unit, documents = document_unit(events, after_the_claim=after_the_claim)
        staff_client.get(unit.get_absolute_url())  # warm-up: content types, templates
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(unit.get_absolute_url())
        page = text(response)
        assert response.status_code == 200
        # A sale, a return and a claim linked from the history; the sale heads the page.
        for document in documents:
            assert f'<a href="{document.get_absolute_url()}">{document}</a>' in page
        assert "Alice Martin" in page and "In warranty until" in page
        return len(queries), page

    few_queries, _ = queries_for(few)
    many_queries, many_page = queries_for(many)

    assert f"Showing the newest 50 of {many + 5} events" in many_page
    assert few_queries == many_queries


def test_an_older_page_after_an_unknown_or_foreign_event_is_not_found(staff_client, unit):
    add_events(unit, 3)
    other = SerialRecordFactory()
    add_events(other, 1)
    foreign = other.events.get().pk
    path = unit.get_absolute_url()

    for junk in [str(foreign), "0", "abc", "²", "-1", "9" * 25, ""]:
        response = staff_client.get(path, {"older_than": junk})
        assert response.status_code == 404, junk

    mine = unit.events.order_by("created_at").first().pk
    assert staff_client.get(path, {"older_than": mine}).status_code == 200


def test_older_pages_need_the_serial_pages_permission(client, unit):
    add_events(unit, 60)
    path = f"{unit.get_absolute_url()}?older_than={unit.events.latest('created_at').pk}"

    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.get(path).status_code == 403

    nobody.user_permissions.add(Permission.objects.get(codename="view_serialrecord"))
    nobody = type(nobody).objects.get(pk=nobody.pk)
    client.force_login(nobody)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 405
