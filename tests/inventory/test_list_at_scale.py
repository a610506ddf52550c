"""The Serial numbers list built for a million rows: keyset paging, a capped count,
the Product type-ahead filter, and the indexes that serve every sort."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.filters import SERIAL_SORTS, SerialRecordFilter
from inventory.models import SerialRecord, SerialStatus
from inventory.selectors import serial_list
from inventory.selectors import serials as serial_selectors
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("inventory:serial_list")
OPTIONS_URL = reverse("inventory:product_filter_options")
SORTS = [name for name in SERIAL_SORTS if name]  # every sort the list offers, both ways


def link(html: str, caption: str) -> str | None:
    """The href of the pagination link named `caption`, as a user would follow it."""
    found = re.search(rf'<a class="page-link"[^>]*href="([^"]*)"[^>]*>{caption}</a>', html)
    return LIST_URL + unescape(found.group(1)) if found else None


def shown(response) -> list[int]:
    return [serial.pk for serial in response.context["object_list"]]


@pytest.fixture
def ties():
    """13 units full of ties: two products named alike, shared outlets, statuses and times."""
    alpha_1 = ProductFactory(name="Alpha")
    alpha_2 = ProductFactory(name="Alpha")
    beta = ProductFactory(name="Beta")
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    batch = timezone.now() - timedelta(days=1)
    statuses = [
        SerialStatus.IN_STOCK,
        SerialStatus.SOLD,
        SerialStatus.IN_STOCK,
        SerialStatus.FAULTY,
    ]
    units = [
        SerialRecordFactory(
            serial=f"TIE{n % 5:02d}",  # the same text on several products
            product=(alpha_1, alpha_2, beta)[n % 3],
            outlet=(main, harbour)[n % 2],
            status=statuses[n % 4],
            created_at=batch + timedelta(minutes=n // 5),  # one batch time shared by five
        )
        for n in range(13)
    ]
    return units


def walk(client, url: str, caption: str) -> list[int]:
    seen: list[int] = []
    for _page in range(20):
        response = client.get(url)
        assert response.status_code == 200
        seen += shown(response)
        next_url = link(response.content.decode(), caption)
        if next_url is None:
            return seen
        url = next_url
    raise AssertionError("paging never ended")


# Keyset paging -------------------------------------------------------------------


@pytest.mark.parametrize("sort", ["", *SORTS])
def test_paging_through_every_sort_shows_every_unit_exactly_once(
    staff_client, settings, ties, sort
):
    settings.SERIALDESK_PAGE_SIZE = 3
    forwards = walk(staff_client, f"{LIST_URL}?sort={sort}", "Next")

    assert sorted(forwards) == sorted(unit.pk for unit in ties)
    # Back from the last page by Previous: the same order, reversed page by page.
    last = link(staff_client.get(f"{LIST_URL}?sort={sort}").content.decode(), "Last")
    assert last is not None
    pages_back: list[list[int]] = []
    url: str | None = last
    while url:
        response = staff_client.get(url)
        assert response.status_code == 200
        pages_back.insert(0, shown(response))
        url = link(response.content.decode(), "Previous")
    assert [pk for page in pages_back for pk in page] == forwards


@pytest.mark.parametrize("sort", ["outlet", "-outlet"])
def test_paging_by_outlet_above_the_count_cap_still_shows_every_unit_once(
    staff_client, settings, monkeypatch, ties, sort
):
    # Above the cap, PostgreSQL reads a page one outlet at a time (lib.keyset).
    monkeypatch.setattr(serial_selectors, "LIST_COUNT_CAP", 2)
    settings.SERIALDESK_PAGE_SIZE = 3
    forwards = walk(staff_client, f"{LIST_URL}?sort={sort}", "Next")
    assert sorted(forwards) == sorted(unit.pk for unit in ties)
    units = SerialRecord.objects.select_related("outlet").in_bulk(forwards)
    outlets = [units[pk].outlet.name for pk in forwards]
    assert outlets == sorted(outlets, reverse=sort.startswith("-"))
    last = staff_client.get(f"{LIST_URL}?sort={sort}&last=1")
    assert last.status_code == 200
    assert shown(last) == forwards[-3:]


@pytest.mark.parametrize("sort", ["status", "-product", "outlet"])
def test_the_sort_order_follows_the_sorted_column(staff_client, settings, ties, sort):
    settings.SERIALDESK_PAGE_SIZE = 4
    order = walk(staff_client, f"{LIST_URL}?sort={sort}", "Next")
    units = SerialRecord.objects.select_related("product", "outlet").in_bulk(order)
    column = {
        "status": lambda u: u.status,
        "-product": lambda u: u.product.name,
        "outlet": lambda u: u.outlet.name,
    }[sort]
    values = [column(units[pk]) for pk in order]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_the_last_page_is_the_end_of_the_list_and_offers_no_next(staff_client, settings, ties):
    settings.SERIALDESK_PAGE_SIZE = 5
    response = staff_client.get(LIST_URL, {"sort": "status", "last": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    everything = walk(staff_client, f"{LIST_URL}?sort=status", "Next")
    assert shown(response) == everything[-5:]
    assert link(html, "Previous") is not None
    assert link(html, "First") is not None
    assert link(html, "Next") is None and link(html, "Last") is None


def test_the_first_page_offers_next_and_last_but_no_previous(staff_client, settings, ties):
    settings.SERIALDESK_PAGE_SIZE = 5
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert link(html, "Next") is not None and link(html, "Last") is not None
    assert link(html, "Previous") is None and link(html, "First") is None


def test_page_links_keep_the_filters_and_the_sort(staff_client, settings, ties):
    settings.SERIALDESK_PAGE_SIZE = 2
    response = staff_client.get(LIST_URL, {"status": "in_stock", "sort": "-added"})
    assert response.status_code == 200
    next_url = link(response.content.decode(), "Next")
    assert next_url is not None
    assert "status=in_stock" in next_url and "sort=-added" in next_url and "after=" in next_url
    following = staff_client.get(next_url)
    assert following.status_code == 200
    assert {unit.status for unit in following.context["object_list"]} == {"in_stock"}


@pytest.mark.parametrize(
    "query",
    [
        {"after": "junk"},
        {"before": "x" * 5000},
        {"after": "\u00e9:\u00e9:\u00e9"},
        {"after": "eyJzIjoiIiwiayI6WzFdfQ:1abcde:bad-signature"},
    ],
)
def test_a_damaged_page_link_shows_the_first_page_and_says_so(staff_client, settings, ties, query):
    settings.SERIALDESK_PAGE_SIZE = 3
    response = staff_client.get(LIST_URL, query)
    assert response.status_code == 200
    assert "That page link is out of date or damaged" in response.content.decode()
    assert shown(response) == shown(staff_client.get(LIST_URL))


def test_a_page_link_from_another_sort_is_not_read_in_this_one(staff_client, settings, ties):
    settings.SERIALDESK_PAGE_SIZE = 3
    by_status = staff_client.get(LIST_URL, {"sort": "status"})
    next_url = link(by_status.content.decode(), "Next")
    assert next_url is not None
    swapped = next_url.replace("sort=status", "sort=serial")
    response = staff_client.get(swapped)
    assert response.status_code == 200
    assert "That page link is out of date or damaged" in response.content.decode()
    assert shown(response) == shown(staff_client.get(LIST_URL, {"sort": "serial"}))


def test_old_page_number_links_still_open_the_list(staff_client, ties):
    response = staff_client.get(LIST_URL, {"page": "5000"})
    assert response.status_code == 200
    assert len(shown(response)) == 13


# The count ------------------------------------------------------------------------


def test_the_count_is_exact_below_the_cap(staff_client, ties):
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    assert "13 serial numbers" in response.content.decode()
    assert "About" not in response.content.decode()


def test_above_the_cap_postgresql_says_about_and_sqlite_counts_exactly(
    staff_client, monkeypatch, ties
):
    monkeypatch.setattr(serial_selectors, "LIST_COUNT_CAP", 5)
    with connection.cursor() as cursor:
        # The planner's estimate comes from the table's statistics.
        cursor.execute("ANALYZE inventory_serialrecord")
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    count = response.context["listing"].count
    if connection.vendor == "postgresql":
        assert count.estimated
        if count.over_cap:
            assert "More than 5 serial numbers" in html
        else:
            assert f"About {count.value} serial numbers" in html
    else:
        assert not count.estimated
        assert "13 serial numbers" in html


@pytest.mark.parametrize("cap", [5, 10_000])
def test_the_list_never_counts_every_row_on_postgresql(staff_client, monkeypatch, ties, cap):
    monkeypatch.setattr(serial_selectors, "LIST_COUNT_CAP", cap)
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(LIST_URL, {"status": "in_stock"})
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list shows a count"
    if connection.vendor == "postgresql":
        # Every COUNT(*) reads a subquery cut off at the cap.
        assert all(re.search(r"LIMIT \d+\)", sql) for sql in counts), counts
    else:
        assert len(counts) == 1  # SQLite: one exact count (no estimate to fall back on)


# Query count --------------------------------------------------------------------


@pytest.mark.parametrize("cap", [2, 10_000])
@pytest.mark.parametrize("sort", ["", "product", "-outlet", "status"])
def test_the_lists_queries_do_not_grow_with_its_rows(
    staff_client, settings, monkeypatch, sort, cap
):
    monkeypatch.setattr(serial_selectors, "LIST_COUNT_CAP", cap)
    settings.SERIALDESK_PAGE_SIZE = 50
    products = ProductFactory.create_batch(3)
    outlets = OutletFactory.create_batch(3)

    def queries_for(rows: int) -> int:
        SerialRecord.objects.all().delete()
        for n in range(rows):
            SerialRecordFactory(product=products[n % 3], outlet=outlets[n % 3])
        staff_client.get(LIST_URL, {"sort": sort})  # warm-up: content types, session
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST_URL, {"sort": sort, "last": "1"})
        assert response.status_code == 200
        assert len(response.context["object_list"]) == min(rows, 50)
        return len(queries)

    few, many = queries_for(5), queries_for(500)
    assert few == many
    assert many <= 14


# The Product filter: a type-ahead ----------------------------------------------------


def test_the_product_filter_is_a_type_ahead_not_a_list_of_every_product(staff_client):
    ProductFactory.create_batch(30)
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="product_search"' in html and 'role="combobox"' in html
    assert OPTIONS_URL in html
    assert '<select name="product"' not in html


def test_a_link_with_a_product_id_filters_and_shows_the_products_name(staff_client, ties):
    beta = ties[2].product
    response = staff_client.get(LIST_URL, {"product": beta.pk})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert f'value="Beta ({beta.sku})"' in html
    assert {unit.product_id for unit in response.context["object_list"]} == {beta.pk}
    assert len(shown(response)) == 4


def test_typed_product_text_naming_one_product_filters_by_it(staff_client, ties):
    beta = ties[2].product
    response = staff_client.get(LIST_URL, {"product": "", "product_search": "beta"})
    assert response.status_code == 200
    assert {unit.product_id for unit in response.context["object_list"]} == {beta.pk}


def test_products_without_serial_numbers_or_inactive_can_be_picked(staff_client, outlet):
    old = ProductFactory(name="Old Grinder", has_serial_numbers=False, is_active=False)
    unit = SerialRecordFactory(product=old, outlet=outlet)
    SerialRecordFactory(outlet=outlet)
    options = staff_client.get(OPTIONS_URL, {"q": "grinder"})
    assert options.status_code == 200
    assert f'data-value="{old.pk}">Old Grinder ({old.sku})</li>' in options.content.decode()
    response = staff_client.get(LIST_URL, {"product_search": "Old Grinder"})
    assert response.status_code == 200
    assert shown(response) == [unit.pk]


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999999", "\u00b2", "-1", "424242"])
def test_a_junk_product_id_is_a_filter_error_not_every_serial(staff_client, ties, junk):
    response = staff_client.get(LIST_URL, {"product": junk})
    assert response.status_code == 200
    assert "That product does not exist. Select one from the list." in unescape(
        response.content.decode()
    )
    assert shown(response) == []


def test_typed_text_matching_no_product_says_so(staff_client, ties):
    response = staff_client.get(LIST_URL, {"product_search": "Nothing like it"})
    assert response.status_code == 200
    assert "No product matches “Nothing like it”. Select one from the list." in unescape(
        response.content.decode()
    )
    assert shown(response) == []


def test_product_filter_options_need_login_permission_and_get(client, staff_client):
    anonymous = client.__class__().get(OPTIONS_URL, {"q": "a"})
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    assert staff_client.post(OPTIONS_URL, {"q": "a"}).status_code == 405
    nobody = client.__class__()
    nobody.force_login(UserFactory(username="no-groups"))
    assert nobody.get(OPTIONS_URL, {"q": "a"}).status_code == 403


def test_the_list_needs_login_permission_and_get(client, staff_client):
    anonymous = client.__class__().get(LIST_URL)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    assert staff_client.post(LIST_URL).status_code == 405
    nobody = client.__class__()
    nobody.force_login(UserFactory(username="no-groups"))
    assert nobody.get(LIST_URL).status_code == 403


# Indexes ------------------------------------------------------------------------


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # With sorting priced out, a Sort node left in the plan means no index
            # can give the order: the plan a million rows would get.
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_reads_an_index_in_its_order(ties, sort):
    filterset = SerialRecordFilter({"sort": sort}, queryset=serial_list())
    assert filterset.is_valid()
    page = filterset.qs.order_by(*SERIAL_SORTS[sort].order_by())[:51]
    plan = plan_of(page)
    if connection.vendor == "postgresql":
        # Sorting by product sorts one product's serials at a time (Incremental
        # Sort); by outlet, the page is read one outlet at a time (lib.keyset).
        full_sorts = [
            line for line in plan.splitlines() if re.match(r"\s*(->\s+)?Sort\s+\(", line)
        ]
        if SERIAL_SORTS[sort].group_by:
            assert "Index Scan" in plan
        else:
            assert full_sorts == [], plan
            assert "Index" in plan
    else:
        # SQLite: the one-table sorts are served by an index; joined ones sort.
        if sort.lstrip("-") in ("serial", "status", "added"):
            assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_postgresql_has_a_trigram_index_for_serial_contains(staff_client, ties):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'inventory_serial_norm_trgm'"
            )
            (definition,) = cursor.fetchone()
            assert "gin_trgm_ops" in definition
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE '%trgm%'")
            assert cursor.fetchall() == []
    response = staff_client.get(LIST_URL, {"q": "ie0"})
    assert response.status_code == 200
    assert len(shown(response)) == 13
