"""The admin: read-only serials, searched by their key."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialEvent, SerialEventKind, SerialRecord
from tests.factories import OutletFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_admins_serial_search_compares_keys(admin_client):
    SerialRecordFactory(serial="full-1")
    SerialRecordFactory(serial="OTHER-9")
    response = admin_client.get("/admin/inventory/serialrecord/", {"q": "ＦＵＬＬ－１"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "full-1" in html
    assert "OTHER-9" not in html


# A unit with a long history, and a search at a million units (issue 11)


def with_events(count):
    """A unit with `count` transfers, each by a user, between outlets, with a document."""
    unit = SerialRecordFactory(created_by=UserFactory())
    who, here, there = UserFactory(), OutletFactory(), OutletFactory()
    documents = [(ContentType.objects.get_for_model(d), d.pk) for d in (here, unit)]
    SerialEvent.objects.bulk_create(
        SerialEvent(
            serial=unit,
            kind=SerialEventKind.TRANSFERRED,
            user=who,
            from_outlet=here,
            to_outlet=there,
            note=f"Move {n}",
            document_type=documents[n % 2][0],
            document_id=documents[n % 2][1],
        )
        for n in range(count)
    )
    return unit


def admin_queries(client, path, params=None):
    client.get(path, params)  # warm-up: content types, templates
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_units_change_page_costs_the_same_queries_for_5_or_500_events(admin_client):
    few, many = with_events(5), with_events(500)

    few_queries, few_page = admin_queries(admin_client, change_url(few))
    many_queries, many_page = admin_queries(admin_client, change_url(many))

    events_url = reverse("admin:inventory_serialevent_changelist")
    assert f'<a href="{events_url}?serial__id__exact={many.pk}">500 events</a>' in many_page
    assert f'<a href="{events_url}?serial__id__exact={few.pk}">5 events</a>' in few_page
    assert few_queries == many_queries
    assert "Move 1<" not in many_page and "<select" not in many_page


def change_url(unit):
    return reverse("admin:inventory_serialrecord_change", args=[unit.pk])


def test_a_units_events_in_the_admin_cost_the_same_queries_for_5_or_500(admin_client):
    few, many = with_events(5), with_events(500)
    events_url = reverse("admin:inventory_serialevent_changelist")

    few_queries, few_page = admin_queries(admin_client, events_url, {"serial__id__exact": few.pk})
    many_queries, many_page = admin_queries(
        admin_client, events_url, {"serial__id__exact": many.pk}
    )

    assert "Move 4" in few_page and "Move 499" in many_page
    # The documents link to their pages: an outlet and the unit stand in for sales.
    assert f'<a href="{many.get_absolute_url()}">{many.serial}</a>' in many_page
    assert few_queries == many_queries
    assert "Move 0<" not in many_page  # 100 of 500 a page, newest first


def search(admin_client, text):
    response = admin_client.get("/admin/inventory/serialrecord/", {"q": text})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_admins_serial_search_finds_a_unit_by_its_key_in_any_case_or_width(admin_client):
    unit = SerialRecordFactory(serial="Full-1")
    SerialRecordFactory(serial="OTHER-9")

    for text in ["FULL-1", "full-1", " ｆｕｌｌ－１ ", "ＦＵＬＬ－１"]:
        assert search(admin_client, text) == [unit], text


def test_the_admins_serial_search_finds_units_by_the_beginning_of_their_key(admin_client):
    ten, one = SerialRecordFactory(serial="ab-10"), SerialRecordFactory(serial="AB-1")
    SerialRecordFactory(serial="xab-1")
    SerialRecordFactory(serial="ac-1")  # the range's upper end: "ab" < "ac"

    assert set(search(admin_client, "ＡＢ")) == {ten, one}
    assert set(search(admin_client, "ab-1")) == {ten, one}
    assert search(admin_client, "AB-10") == [ten]
    # Not inside a key: that would read every unit.
    assert search(admin_client, "b-1") == []


def test_the_admins_serial_search_reads_an_index(admin_client):
    SerialRecordFactory.create_batch(3)
    serials = admin.site._registry[SerialRecord]
    found, _ = serials.get_search_results(None, SerialRecord.objects.all(), "SN0000")
    if connection.vendor == "postgresql":
        # A table of three rows is read whole; forbid that to see what else serves it.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = found.explain()
    # SQLite: SEARCH ... USING INDEX; PostgreSQL: Bitmap Index Scan on the trigram index.
    assert "INDEX" in plan.upper()
    assert "SCAN inventory_serialrecord" not in plan and "Seq Scan" not in plan


def test_all_events_list_newest_written_first_and_a_units_in_history_order(admin_client):
    unit = SerialRecordFactory()
    now = timezone.now()
    later = SerialEvent.objects.create(serial=unit, kind=SerialEventKind.EDITED, created_at=now)
    # Recorded afterwards with an earlier time, as a sale entered late is.
    earlier = SerialEvent.objects.create(
        serial=unit, kind=SerialEventKind.SOLD, created_at=now - timedelta(days=1)
    )
    events_url = reverse("admin:inventory_serialevent_changelist")

    everything = admin_client.get(events_url)
    one_unit = admin_client.get(events_url, {"serial__id__exact": unit.pk})

    assert everything.status_code == one_unit.status_code == 200
    assert list(everything.context["cl"].result_list) == [earlier, later]
    assert list(one_unit.context["cl"].result_list) == [later, earlier]
