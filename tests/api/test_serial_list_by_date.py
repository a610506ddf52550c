"""GET /api/v1/serial-numbers/ filtered by date added: newest first by date added, then id."""

import base64
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import SerialRecord
from inventory.selectors.serials import _CURSOR_SALT
from lib.keyset import cursor_dumps
from tests.api.helpers import codes
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:serial-list")
JUNE = {"added_from": "2024-06-01", "added_to": "2024-06-30"}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 6, day, hour, tzinfo=UTC)


@pytest.fixture
def june():
    """Units added in June 2024, five of them in one batch (one created_at), and some outside."""
    product, outlet = ProductFactory(), OutletFactory()

    def unit(created_at: datetime):
        return SerialRecordFactory(product=product, outlet=outlet, created_at=created_at)

    # Ids out of date order too: a unit added later may have a smaller id.
    units = [unit(at(20)), unit(at(2)), *[unit(at(10)) for _ in range(5)], unit(at(30, 23))]
    units += [unit(at(1, 0)), unit(at(10)), unit(at(25))]
    unit(datetime(2024, 5, 31, 23, 59, tzinfo=UTC))
    unit(datetime(2024, 7, 1, tzinfo=UTC))
    return units


def newest_first(units: list[SerialRecord]) -> list[int]:
    return [u.pk for u in sorted(units, key=lambda u: (u.created_at, u.pk), reverse=True)]


def walk(api, url: str, link: str = "next") -> list[list[int]]:
    """The ids of each page from `url` on, following `link`."""
    pages = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        pages.append([row["id"] for row in response.json()["results"]])
        url = response.json()[link]
    return pages


def test_paging_a_date_range_returns_every_unit_in_it_newest_first_once(staff_api, june):
    pages = walk(staff_api, f"{LIST_URL}?{urlencode(JUNE)}&page_size=2")

    assert [pk for page in pages for pk in page] == newest_first(june)
    assert [len(page) for page in pages] == [2, 2, 2, 2, 2, 1]


def test_units_added_while_paging_neither_repeat_nor_push_others_out(staff_api, june):
    product, outlet = june[0].product, june[0].outlet
    in_range = list(SerialRecord.objects.filter(created_at__gte=at(1, 0)))
    first = staff_api.get(LIST_URL, {"added_from": "2024-06-01", "page_size": 3}).json()
    second = staff_api.get(first["next"]).json()  # ends on the batch's newest unit
    SerialRecordFactory.create_batch(4, product=product, outlet=outlet)  # added now
    # Added at the batch's moment with a greater id: newer than where the walk is.
    tied = SerialRecordFactory(product=product, outlet=outlet, created_at=at(10))
    older = SerialRecordFactory(product=product, outlet=outlet, created_at=at(3))

    rest = walk(staff_api, second["next"])

    seen = [row["id"] for page in (first, second) for row in page["results"]]
    seen += [pk for page in rest for pk in page]
    assert seen == newest_first([*in_range, older])
    assert tied.pk not in seen


def test_previous_links_walk_back_to_the_first_page(staff_api, june):
    forward = walk(staff_api, f"{LIST_URL}?{urlencode(JUNE)}&page_size=3")
    last = staff_api.get(LIST_URL, {**JUNE, "page_size": 3}).json()
    while last["next"]:
        last = staff_api.get(last["next"]).json()

    back = walk(staff_api, last["previous"], link="previous")

    assert back == forward[-2::-1]
    assert staff_api.get(LIST_URL, {**JUNE, "page_size": 3}).json()["previous"] is None


def test_a_page_thinned_meanwhile_goes_on_after_it_and_an_emptied_one_links_nowhere(
    staff_api, june
):
    expected = newest_first(june)
    first = staff_api.get(LIST_URL, {**JUNE, "page_size": 2}).json()
    second = staff_api.get(first["next"]).json()
    SerialRecord.objects.filter(pk__in=[*expected[:2], *expected[3:6]]).delete()

    thinned = walk(staff_api, first["next"])
    assert [pk for page in thinned for pk in page] == expected[2:3] + expected[6:]
    emptied = staff_api.get(second["previous"]).json()
    assert (emptied["results"], emptied["previous"], emptied["next"]) == ([], None, None)


def test_a_date_filtered_page_costs_the_same_queries_whatever_its_depth(
    staff_api, june, django_assert_num_queries
):
    first = staff_api.get(LIST_URL, {**JUNE, "page_size": 2}).json()  # also stamps last_used_at
    deeper = staff_api.get(staff_api.get(first["next"]).json()["next"]).json()

    # The token with its user, the user's and the group's permissions, the page.
    for url in (first["next"], deeper["next"], deeper["previous"]):
        with django_assert_num_queries(4):
            response = staff_api.get(url)
        assert response.status_code == 200


def test_an_id_cursor_from_before_goes_on_paging_by_id(staff_api, june):
    # DRF's cursor that the list's `next` link carried when it was ordered by id.
    by_id = sorted((u.pk for u in june), reverse=True)
    old = base64.b64encode(urlencode({"p": by_id[3]}).encode()).decode()

    pages = walk(staff_api, f"{LIST_URL}?{urlencode(JUNE)}&page_size=4&cursor={old}")

    assert pages == [by_id[4:8], by_id[8:]]


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        # The Serial numbers page's own token is no cursor of the API.
        cursor_dumps(salt=_CURSOR_SALT, sort_name="", key=[at(10), 1]),
        # Ours, tampered with: its signature no longer matches.
        "eyJzIjoiLWFkZGVkIiwiayI6W3sidCI6IjIwMjQtMDYtMTBUMTI6MDA6MDArMDA6MDAifSw5OV19:1:x",
    ],
)
def test_a_cursor_that_is_none_of_the_lists_is_a_404(staff_api, june, cursor):
    response = staff_api.get(LIST_URL, {**JUNE, "cursor": cursor})

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


def test_a_list_without_a_date_filter_still_pages_by_id(staff_api, june):
    pages = walk(staff_api, f"{LIST_URL}?page_size=5")

    assert [pk for page in pages for pk in page] == sorted(
        SerialRecord.objects.values_list("pk", flat=True), reverse=True
    )


def page_plan(api, params: dict[str, str]) -> str:
    """The database's plan for the page query the list runs for `params`."""
    with CaptureQueriesContext(connection) as queries:
        assert api.get(LIST_URL, params).status_code == 200
    [sql] = [q["sql"] for q in queries if 'FROM "inventory_serialrecord"' in q["sql"]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sorting and whole-table reads priced out: the plan a million rows get.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    "params",
    [JUNE, {"added_from": "2024-06-01"}, {"added_to": "2024-06-30"}],
    ids=["range", "from", "to"],
)
def test_a_date_filtered_page_reads_the_date_index_in_its_order(staff_api, june, params):
    next_link = staff_api.get(LIST_URL, {**params, "page_size": 2}).json()["next"]
    [cursor] = parse_qs(urlsplit(next_link).query)["cursor"]

    for query in (params, {**params, "cursor": cursor}):
        plan = page_plan(staff_api, {**query, "page_size": "2"})
        assert "inventory_serial_added_id_idx" in plan, plan
        if connection.vendor == "postgresql":
            assert "Backward" in plan, plan
            assert not re.search(r"^\s*(->\s+)?Sort\b", plan, re.MULTILINE), plan
            assert "inventory_serialrecord_pkey" not in plan, plan
        else:
            assert "TEMP B-TREE" not in plan, plan
