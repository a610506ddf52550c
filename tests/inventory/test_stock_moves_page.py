"""The product page's Stock history: who changed stock on hand, when, why (linked to
the document), newest first, 50 at a time with an Older link."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory import services
from inventory.models import StockMove, StockMoveReason
from inventory.selectors.stock_moves import STOCK_MOVES_PAGE_SIZE
from sales.services import LineInput, sale_create
from tests.factories import CustomerFactory, OutletFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADINGS = ["When", "Outlet", "Change", "On hand after", "Why", "Who", "Note"]


def page(client, product, **query):
    response = client.get(reverse("product_detail", args=[product.pk]), query)
    return response, response.content.decode()


def history(markup: str) -> tuple[list[str], list[list[str]]]:
    """The Stock history table as text: its headings and one list of cells per row."""
    section = re.search(r'<section[^>]*id="stock-history".*?</section>', markup, re.DOTALL)
    assert section, "no Stock history"
    text = section.group(0)

    def cells(row: str) -> list[str]:
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        return [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]

    head = re.search(r"<thead>(.*?)</thead>", text, re.DOTALL)
    body = re.search(r"<tbody>(.*?)</tbody>", text, re.DOTALL)
    assert head and body
    return cells(head.group(1)), [
        cells(r) for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL)
    ]


def when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def phone():
    return ProductFactory(name="Nova X12", sku="NOV-X12")


@pytest.fixture
def main():
    return OutletFactory(name="Main Street")


def test_the_page_lists_each_move_newest_first_with_why_linked_to_the_document(
    staff_client, phone, main
):
    mia = UserFactory(username="mia")
    services.stock_set(product=phone, outlet=main, on_hand=4, user=mia, note="Opening count")
    services.serials_add(product=phone, outlet=main, entries=["NX-1"], user=None)
    sale = sale_create(
        outlet=main,
        customer=CustomerFactory(),
        lines=[LineInput(product=phone, quantity=1, serials=["NX-1"])],
        clerk=mia,
    )
    sold, counted = StockMove.objects.order_by("-id")[:2]

    response, markup = page(staff_client, phone)

    assert response.status_code == 200
    headings, rows = history(markup)
    assert headings == HEADINGS
    assert rows == [
        [when(sold.created_at), "Main Street", "-1", "3", f"Sold (Sale {sale.pk})", "mia", ""],
        [
            when(counted.created_at),
            "Main Street",
            "+4",
            "4",
            "Set by hand",
            "mia",
            "Opening count",
        ],
    ]
    assert f'href="{sale.get_absolute_url()}"' in markup


def test_a_product_without_moves_says_so(staff_client, phone):
    _response, markup = page(staff_client, phone)

    assert history(markup)[1] == [["No changes of stock on hand yet."]]
    assert "Older" not in markup


def test_without_the_permission_the_history_is_not_shown(client, phone, main):
    services.stock_set(product=phone, outlet=main, on_hand=4, user=None, note="SECRET NOTE")
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_product", content_type__app_label="catalog")
    )
    client.force_login(viewer)

    response, markup = page(client, phone)

    assert response.status_code == 200
    assert "Stock history" not in markup
    assert "SECRET NOTE" not in markup


def _many_moves(product, outlet, count):
    start = timezone.make_aware(dt.datetime(2025, 1, 1, 9, 0))
    StockMove.objects.bulk_create(
        StockMove(
            product=product,
            outlet=outlet,
            change=1,
            on_hand=n + 1,
            reason=StockMoveReason.SET_BY_HAND,
            note=f"Move {n + 1}",
            # Pairs share a moment: paging must neither skip nor repeat them.
            created_at=start + dt.timedelta(minutes=n // 2),
        )
        for n in range(count)
    )


def test_older_moves_are_a_link_away_and_every_move_shows_once(staff_client, phone, main):
    _many_moves(phone, main, STOCK_MOVES_PAGE_SIZE + 7)

    _response, first = page(staff_client, phone)
    notes = [row[6] for row in history(first)[1]]
    assert len(notes) == STOCK_MOVES_PAGE_SIZE
    assert notes[0] == f"Move {STOCK_MOVES_PAGE_SIZE + 7}"
    older = re.search(r'href="[^"]*\?moves_older_than=(\d+)#stock-history">Older</a>', first)
    assert older

    _response, second = page(staff_client, phone, moves_older_than=older.group(1))
    more = [row[6] for row in history(second)[1]]
    assert more == [f"Move {n}" for n in range(7, 0, -1)]
    assert ">Older</a>" not in second
    assert ">Newest</a>" in second
    assert len(set(notes + more)) == STOCK_MOVES_PAGE_SIZE + 7


@pytest.mark.parametrize(
    ("cursor", "status"),
    # A NUL byte is refused before any view, as on every page.
    [("abc", 404), ("-1", 404), ("0", 404), ("1" * 30, 404), ("٣", 404), ("1\x00", 400)],
)
def test_a_bad_older_link_is_refused(staff_client, phone, cursor, status):
    response, markup = page(staff_client, phone, moves_older_than=cursor)

    assert response.status_code == status
    assert "Stock history" not in markup


def test_another_products_move_is_not_a_cursor(staff_client, phone, main):
    other = ProductFactory()
    services.stock_set(product=other, outlet=main, on_hand=1, user=None)

    response, _markup = page(staff_client, phone, moves_older_than=StockMove.objects.get().pk)

    assert response.status_code == 404


def test_a_page_of_moves_costs_the_same_queries_whatever_the_history(staff_client, phone, main):
    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            response, _markup = page(staff_client, phone)
        assert response.status_code == 200
        return len(queries)

    _many_moves(phone, main, 3)
    few = queries_for_page()
    _many_moves(phone, OutletFactory(), STOCK_MOVES_PAGE_SIZE * 3)

    assert queries_for_page() == few
