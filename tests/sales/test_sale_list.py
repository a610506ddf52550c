"""Sales > Sales: filters, sorting, pages, and Export CSV of the same rows."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import Sale
from sales.services import LineInput, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SaleFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("sales:sale_list")
EXPORT_URL = reverse("sales:sale_export")


def local(year, month, day, hour=12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def numbers(response) -> list[int]:
    return [sale.pk for sale in response.context["object_list"]]


def export(client, params=None) -> tuple[str, list[list[str]]]:
    response = client.get(EXPORT_URL, params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def shop():
    """Three sales: two at Main Street (one with a serialised unit), one at Harbour Mall."""
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    alice = CustomerFactory(name="Alice Martin", email="alice@example.com", phone="0011")
    ben = CustomerFactory(name="Ben Okafor", email="ben@example.com", phone="0022")
    phone = ProductFactory(name="Nova X12", retail_price=Decimal("999.00"))
    SerialRecordFactory(product=phone, outlet=main, serial="NOVA-0001")
    clerk = UserFactory(username="clerk")
    with_serial = sale_create(
        outlet=main,
        customer=alice,
        lines=[LineInput(product=phone, quantity=1, serials=["NOVA-0001"])],
        clerk=clerk,
        at=local(2025, 3, 10),
    )
    walk_in = SaleFactory(
        outlet=main,
        customer=None,
        clerk=clerk,
        total=Decimal("15.00"),
        created_at=local(2025, 3, 11),
    )
    harbour_sale = SaleFactory(
        outlet=harbour,
        customer=ben,
        clerk=clerk,
        total=Decimal("50.00"),
        created_at=local(2025, 4, 1),
    )
    return {
        "main": main,
        "harbour": harbour,
        "with_serial": with_serial,
        "walk_in": walk_in,
        "harbour_sale": harbour_sale,
    }


def test_the_list_shows_each_sale_newest_first_with_its_columns(staff_client, shop):
    response = staff_client.get(LIST_URL)

    html = response.content.decode()
    assert response.status_code == 200
    sale = shop["with_serial"]
    assert numbers(response) == [shop["harbour_sale"].pk, shop["walk_in"].pk, sale.pk]
    for heading in ("Sale", "Time", "Outlet", "Customer", "Clerk", "Items", "Total"):
        assert '<th scope="col"' in html and f">{heading}</th>" in html, heading
    assert f'href="{sale.get_absolute_url()}">Sale {sale.pk}</a>' in html
    assert f'href="{sale.customer.get_absolute_url()}">Alice Martin</a>' in html
    assert "£999.00" in html
    assert ">Export CSV</a>" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"outlet": "main"}, ["walk_in", "with_serial"]),
        ({"customer": "ALICE"}, ["with_serial"]),
        ({"customer": "ben@"}, ["harbour_sale"]),
        ({"customer": "0022"}, ["harbour_sale"]),
        ({"serial": " nova-0001 "}, ["with_serial"]),
        ({"serial": "NOVA"}, []),
        ({"date_from": "2025-03-11"}, ["harbour_sale", "walk_in"]),
        ({"date_to": "2025-03-11"}, ["walk_in", "with_serial"]),
        ({"date_from": "2025-03-11", "date_to": "2025-03-11"}, ["walk_in"]),
    ],
)
def test_each_filter_narrows_the_list_and_the_export_alike(staff_client, shop, params, expected):
    params = {k: shop[v].pk if k == "outlet" else v for k, v in params.items()}

    response = staff_client.get(LIST_URL, params)
    _text, rows = export(staff_client, params)

    assert response.status_code == 200
    wanted = [shop[name].pk for name in expected]
    assert numbers(response) == wanted
    assert [int(row[0]) for row in rows[1:]] == wanted


def test_the_serial_filter_finds_a_sale_by_the_serials_key(staff_client, shop):
    # Keys ignore case and full-width forms, as the serial pages do.
    response = staff_client.get(LIST_URL, {"serial": "ｎｏｖａ-０００１"})
    assert response.status_code == 200
    assert numbers(response) == [shop["with_serial"].pk]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("total", ["walk_in", "harbour_sale", "with_serial"]),
        ("-total", ["with_serial", "harbour_sale", "walk_in"]),
        ("time", ["with_serial", "walk_in", "harbour_sale"]),
        ("outlet", ["harbour_sale", "with_serial", "walk_in"]),
    ],
)
def test_sorting_orders_the_list_and_the_export(staff_client, shop, sort, expected):
    response = staff_client.get(LIST_URL, {"sort": sort})
    _text, rows = export(staff_client, {"sort": sort})

    wanted = [shop[name].pk for name in expected]
    assert response.status_code == 200
    assert numbers(response) == wanted
    assert [int(row[0]) for row in rows[1:]] == wanted


def test_equal_totals_are_ordered_by_number_so_pages_never_overlap(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 3
    outlet = OutletFactory()
    made = [SaleFactory(outlet=outlet, total=Decimal("10.00")).pk for _ in range(7)]

    seen = []
    for page in (1, 2, 3):
        response = staff_client.get(LIST_URL, {"sort": "total", "page": page})
        assert response.status_code == 200
        seen += numbers(response)

    assert seen == sorted(made)


def test_a_bad_filter_value_is_a_message_not_a_crash_and_exports_nothing(staff_client, shop):
    response = staff_client.get(LIST_URL, {"date_from": "9999-12-31"})

    assert response.status_code == 200
    assert "Enter a date from 1900 to 2999." in response.content.decode()
    assert numbers(response) == []
    _text, rows = export(staff_client, {"date_from": "9999-12-31"})
    assert rows == [["Sale", "Time", "Outlet", "Customer", "Clerk", "Items", "Total"]]


def test_the_list_costs_the_same_queries_for_3_and_20_sales(staff_client):
    outlet, product = OutletFactory(), ProductFactory(has_serial_numbers=False)

    def queries_for(count):
        Sale.objects.all().delete()
        for _ in range(count):
            sale_create(
                outlet=outlet,
                customer=CustomerFactory(),
                lines=[LineInput(product=product, quantity=2)],
                clerk=UserFactory(),
            )
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(LIST_URL)
        assert response.status_code == 200
        assert len(response.context["object_list"]) == count
        return len(queries)

    assert queries_for(3) == queries_for(20)


def test_the_export_has_a_bom_the_columns_and_formula_safe_cells(staff_client):
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(has_serial_numbers=False, retail_price=Decimal("12.50"))
    sale = sale_create(
        outlet=outlet,
        customer=CustomerFactory(name="=HYPERLINK(evil)"),
        lines=[LineInput(product=product, quantity=3)],
        clerk=UserFactory(username="chloé"),
        at=local(2025, 6, 1, 9),
    )

    response = staff_client.get(EXPORT_URL)
    text, rows = export(staff_client)

    assert 'attachment; filename="sales-' in response["Content-Disposition"]
    assert text.startswith("\ufeff")
    assert rows == [
        ["Sale", "Time", "Outlet", "Customer", "Clerk", "Items", "Total"],
        [
            str(sale.pk),
            "2025-06-01 09:00",
            "Main Street",
            "'=HYPERLINK(evil)",
            "chloé",
            "3",
            "37.50",
        ],
    ]


def test_a_sale_without_a_customer_or_lines_shows_dashes_and_zero_items(staff_client):
    sale = SaleFactory(customer=None, clerk=None)

    response = staff_client.get(LIST_URL)
    _text, rows = export(staff_client)

    assert response.status_code == 200
    assert response.context["object_list"][0].items == 0
    assert rows[1][0] == str(sale.pk)
    assert rows[1][3:6] == ["", "", "0"]


# Permissions and methods ---------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_an_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_a_user_without_view_sale_is_refused(client, url):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST_URL, EXPORT_URL])
def test_posting_to_the_list_or_the_export_is_405(staff_client, url):
    assert staff_client.post(url).status_code == 405
