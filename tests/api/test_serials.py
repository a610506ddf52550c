"""GET /api/v1/serial-numbers/ (the Serial numbers list), one unit, and adding one."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialRecord, SerialStatus
from sales.services import LineInput, sale_create
from tests.api.helpers import codes, token_client
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api:serial-list")

HOSTILE_IDS = ["99999999999999999999999999", "-1", "0", "\u0661\u0662", "\u00b2", "abc", "1.5"]


def detail_url(pk) -> str:
    return reverse("api:serial-detail", args=[pk])


def sell(unit: SerialRecord, *, customer=None, at: datetime | None = None):
    """Sell `unit` as the New sale page does; returns the sale."""
    return sale_create(
        outlet=unit.outlet,
        customer=customer,
        lines=[LineInput(product=unit.product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=at,
    )


@pytest.fixture
def shop():
    main = OutletFactory(name="Main Street")
    harbour = OutletFactory(name="Harbour Mall")
    product = ProductFactory(name="Barista Pro", sku="BP-1", warranty_months=12)
    return main, harbour, product


@pytest.fixture
def nobody_api(db):
    """A token whose user is in no group: no permission at all."""
    return token_client(UserFactory(username="no-role"))


# The list ----------------------------------------------------------------------


def test_an_anonymous_call_to_the_list_is_answered_401(anonymous_api):
    response = anonymous_api.get(LIST_URL)

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]


def test_a_user_without_the_list_pages_permission_gets_403(nobody_api):
    response = nobody_api.get(LIST_URL)

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]


def test_a_staff_token_lists_units_newest_first_with_product_and_outlet(staff_api, shop):
    main, _harbour, product = shop
    older = SerialRecordFactory(serial="SN-OLD", product=product, outlet=main)
    newer = SerialRecordFactory(serial="SN-NEW", product=product, outlet=main, notes="Box dented")

    response = staff_api.get(LIST_URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [newer.pk, older.pk]
    assert results[0] == {
        "id": newer.pk,
        "serial": "SN-NEW",
        "product": {"id": product.pk, "name": "Barista Pro", "sku": "BP-1"},
        "outlet": {"id": main.pk, "name": "Main Street"},
        "status": "in_stock",
        "status_display": "In stock",
        "notes": "Box dented",
        "created_at": results[0]["created_at"],
        "updated_at": results[0]["updated_at"],
    }
    assert datetime.fromisoformat(results[0]["created_at"].replace("Z", "+00:00")) == (
        newer.created_at
    )


def test_following_next_pages_through_every_unit_once(staff_api, shop):
    main, _harbour, product = shop
    units = [SerialRecordFactory(product=product, outlet=main) for _ in range(7)]

    seen, url = [], f"{LIST_URL}?page_size=3"
    while url:
        page = staff_api.get(url).json()
        seen.extend(row["id"] for row in page["results"])
        url = page["next"]

    assert seen == sorted((unit.pk for unit in units), reverse=True)


@pytest.mark.parametrize("page_size", [2, 5])
def test_a_page_costs_the_same_queries_whatever_its_size_and_depth(
    staff_api, shop, django_assert_num_queries, page_size
):
    main, harbour, product = shop
    for n in range(12):
        SerialRecordFactory(product=product, outlet=main if n % 2 else harbour)
    first = staff_api.get(LIST_URL, {"page_size": page_size}).json()  # also stamps last_used_at

    # The token with its user, the user's and the group's permissions, the page.
    with django_assert_num_queries(4):
        response = staff_api.get(first["next"])

    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size


def test_a_units_detail_reads_it_once(staff_api, shop, django_assert_num_queries):
    main, _harbour, product = shop
    unit = SerialRecordFactory(product=product, outlet=main, serial="BP-ONCE")
    staff_api.get(LIST_URL)  # stamps the token's last_used_at

    # The token with its user, the user's and the group's permissions, the unit.
    with django_assert_num_queries(4):
        response = staff_api.get(detail_url(unit.pk))

    assert response.status_code == 200
    assert response.json()["serial"] == "BP-ONCE"


def test_q_finds_units_whose_serial_contains_the_text_whatever_its_case_or_width(staff_api, shop):
    main, _harbour, product = shop
    wanted = SerialRecordFactory(serial="FULL-1234", product=product, outlet=main)
    SerialRecordFactory(serial="OTHER-9", product=product, outlet=main)

    response = staff_api.get(
        LIST_URL, {"q": " \uff46\uff55\uff4c\uff4c-12 "}
    )  # full-width "full-12"

    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_product_outlet_and_status_filter_the_list(staff_api, shop):
    main, harbour, product = shop
    other_product = ProductFactory()
    wanted = SerialRecordFactory(product=product, outlet=harbour, status=SerialStatus.FAULTY)
    SerialRecordFactory(product=product, outlet=harbour)
    SerialRecordFactory(product=product, outlet=main, status=SerialStatus.FAULTY)
    SerialRecordFactory(product=other_product, outlet=harbour, status=SerialStatus.FAULTY)

    response = staff_api.get(
        LIST_URL, {"product": product.pk, "outlet": harbour.pk, "status": "faulty"}
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_added_from_and_to_are_whole_days_in_the_shops_time_zone(staff_api, shop, settings):
    settings.TIME_ZONE = "Europe/London"
    main, _harbour, product = shop
    # 23:30 UTC on 1 June is 00:30 on 2 June in London (BST).
    late = SerialRecordFactory(
        product=product, outlet=main, created_at=datetime(2024, 6, 1, 23, 30, tzinfo=UTC)
    )
    early = SerialRecordFactory(
        product=product, outlet=main, created_at=datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    )

    on_first = staff_api.get(LIST_URL, {"added_from": "2024-06-01", "added_to": "2024-06-01"})
    on_second = staff_api.get(LIST_URL, {"added_from": "2024-06-02", "added_to": "2024-06-02"})

    assert [row["id"] for row in on_first.json()["results"]] == [early.pk]
    assert [row["id"] for row in on_second.json()["results"]] == [late.pk]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2024-13-01", "invalid"),
        ("01/06/2024", "invalid"),
        ("\u0662\u0660\u0662\u0664-01-01", "invalid"),
        ("0001-01-01", "min_value"),
        ("9999-12-31", "max_value"),
    ],
)
def test_a_date_filter_that_is_no_iso_date_in_range_is_a_400_naming_the_field(
    staff_api, value, code
):
    response = staff_api.get(LIST_URL, {"added_to": value})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": code, "field": "added_to", "message": response.json()["errors"][0]["message"]}
    ]


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize("name", ["product", "outlet"])
def test_an_id_filter_that_is_no_id_is_a_400_naming_the_filter(staff_api, shop, name, value):
    SerialRecordFactory(product=shop[2], outlet=shop[0])

    response = staff_api.get(LIST_URL, {name: value})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == name


def test_an_id_filter_naming_no_product_matches_nothing(staff_api, shop):
    SerialRecordFactory(product=shop[2], outlet=shop[0])

    response = staff_api.get(LIST_URL, {"product": 2**63 - 1})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_an_unknown_status_is_a_400_invalid_choice(staff_api):
    response = staff_api.get(LIST_URL, {"status": "In stock"})

    assert response.status_code == 400
    assert codes(response) == ["invalid_choice"]
    assert response.json()["errors"][0]["field"] == "status"


def test_a_damaged_cursor_is_a_404_not_a_500(staff_api):
    response = staff_api.get(LIST_URL, {"cursor": "not-a-cursor"})

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


# One unit ----------------------------------------------------------------------


def test_a_unit_in_stock_shows_no_sale_and_no_warranty(staff_api, shop, staff_user):
    main, _harbour, product = shop
    unit = SerialRecordFactory(serial="SN-1", product=product, outlet=main, created_by=staff_user)

    response = staff_api.get(detail_url(unit.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == unit.pk
    assert body["serial"] == "SN-1"
    assert body["product"] == {"id": product.pk, "name": "Barista Pro", "sku": "BP-1"}
    assert body["outlet"] == {"id": main.pk, "name": "Main Street"}
    assert (body["status"], body["status_display"]) == ("in_stock", "In stock")
    assert (body["origin"], body["origin_display"]) == ("added", "Added")
    assert body["created_by"] == "sam"
    assert (body["warranty"], body["sale"], body["customer"], body["sold_at"]) == (
        None,
        None,
        None,
        None,
    )


def test_a_sold_unit_shows_its_sale_customer_and_warranty_as_its_page_does(staff_api, shop):
    main, _harbour, product = shop
    unit = SerialRecordFactory(serial="SN-SOLD", product=product, outlet=main)
    customer = CustomerFactory(name="Alice Martin")
    sale = sell(unit, customer=customer, at=timezone.now() - timedelta(days=400))

    body = staff_api.get(detail_url(unit.pk)).json()

    assert body["status"] == "sold"
    assert body["sale"] == sale.pk
    assert body["customer"] == customer.pk
    sold_on = timezone.localdate(sale.created_at)
    assert body["warranty"]["until"] > sold_on.isoformat()
    assert date.fromisoformat(body["warranty"]["until"]) < timezone.localdate()
    assert body["warranty"]["expired"] is True
    assert datetime.fromisoformat(body["sold_at"].replace("Z", "+00:00")) == sale.created_at


def test_a_unit_sold_without_a_customer_shows_its_sale_in_warranty(staff_api, shop):
    unit = SerialRecordFactory(product=shop[2], outlet=shop[0])
    sale = sell(unit)

    body = staff_api.get(detail_url(unit.pk)).json()

    assert (body["sale"], body["customer"]) == (sale.pk, None)
    assert body["warranty"]["expired"] is False


@pytest.mark.parametrize("pk", HOSTILE_IDS)
def test_an_id_that_is_no_units_is_a_404_json(staff_api, pk):
    response = staff_api.get(detail_url("x").replace("x", pk))

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


def test_a_unit_is_hidden_from_a_user_without_the_view_permission(nobody_api, shop):
    unit = SerialRecordFactory(product=shop[2], outlet=shop[0])

    response = nobody_api.get(detail_url(unit.pk))

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]


def test_put_is_not_offered_on_a_unit(manager_api, shop):
    unit = SerialRecordFactory(product=shop[2], outlet=shop[0])

    response = manager_api.put(detail_url(unit.pk), {"serial": "X", "notes": ""})

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]


def test_delete_is_not_offered_on_the_list(manager_api):
    response = manager_api.delete(LIST_URL)

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]


# Adding one --------------------------------------------------------------------


def add_one(api, product, outlet, serial, **headers):
    data = {"product": product.pk, "outlet": outlet.pk, "serial": serial}
    return api.post(LIST_URL, data, **headers)


def test_a_staff_token_adds_one_unit_and_gets_its_page_back(staff_api, shop, api_staff_user):
    main, _harbour, product = shop

    response = add_one(staff_api, product, main, "  SN-NEW-1 ")

    assert response.status_code == 201
    unit = SerialRecord.objects.get()
    assert (unit.serial, unit.product, unit.outlet, unit.status) == (
        "SN-NEW-1",
        product,
        main,
        SerialStatus.IN_STOCK,
    )
    assert unit.created_by == api_staff_user
    body = response.json()
    assert (body["id"], body["serial"], body["status"]) == (unit.pk, "SN-NEW-1", "in_stock")
    assert body["created_by"] == "till-1"


def test_adding_a_serial_already_recorded_says_where_and_saves_nothing(staff_api, shop):
    main, harbour, product = shop
    SerialRecordFactory(serial="SN-42", product=product, outlet=harbour)

    response = add_one(staff_api, product, main, "sn-42")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "exists",
            "message": "Already recorded for this product at Harbour Mall (In stock).",
            "field": "serial",
        }
    ]
    assert SerialRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("serial", "code"),
    [("A,B", "comma"), ("X" * 101, "too_long"), ("SN\u0007", "unprintable"), ("  ", "empty")],
)
def test_a_serial_the_page_refuses_is_refused_with_the_pages_code(staff_api, shop, serial, code):
    main, _harbour, product = shop

    response = add_one(staff_api, product, main, serial)

    assert response.status_code == 400
    assert codes(response) == [code]
    assert response.json()["errors"][0]["field"] == "serial"
    assert not SerialRecord.objects.exists()


def test_adding_to_a_product_without_serial_numbers_is_refused_with_its_code(staff_api, shop):
    product = ProductFactory(has_serial_numbers=False)

    response = add_one(staff_api, product, shop[0], "SN-1")

    assert response.status_code == 400
    assert codes(response) == ["product_not_serialised"]
    assert not SerialRecord.objects.exists()


def test_adding_at_an_inactive_outlet_is_refused_with_its_code(staff_api, shop):
    closed = OutletFactory(is_active=False)

    response = add_one(staff_api, shop[2], closed, "SN-1")

    assert response.status_code == 400
    assert codes(response) == ["outlet_inactive"]


@pytest.mark.parametrize(
    ("product", "code"),
    [
        (10**30, "does_not_exist"),
        (-1, "does_not_exist"),
        ("\u0661", "incorrect_type"),
        ("abc", "incorrect_type"),
        (True, "incorrect_type"),
        ([1], "incorrect_type"),
        (1.5, "incorrect_type"),
        (None, "null"),
    ],
)
def test_a_product_that_is_no_products_id_is_a_400_on_product(staff_api, shop, product, code):
    data = {"product": product, "outlet": shop[0].pk, "serial": "SN-1"}

    response = staff_api.post(LIST_URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code
    assert response.json()["errors"][0]["field"] == "product"


@pytest.mark.parametrize("serial", [12345, ["SN-1"], {"text": "SN-1"}, None])
def test_a_serial_sent_as_anything_but_a_string_is_a_400(staff_api, shop, serial):
    data = {"product": shop[2].pk, "outlet": shop[0].pk, "serial": serial}

    response = staff_api.post(LIST_URL, data, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "serial"
    assert not SerialRecord.objects.exists()


@pytest.mark.parametrize("body", ['["SN-1"]', '"SN-1"', "{", '{"serial": "a\\u0000b"}'])
def test_a_body_that_is_no_object_is_a_400(staff_api, body):
    response = staff_api.generic("POST", LIST_URL, body, content_type="application/json")

    assert response.status_code == 400
    assert codes(response)[0] in {"invalid", "parse_error", "nul_character"}


def test_a_user_without_the_add_permission_cannot_add(nobody_api, shop):
    response = add_one(nobody_api, shop[2], shop[0], "SN-1")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert not SerialRecord.objects.exists()


def test_adding_one_again_with_the_same_idempotency_key_replays_the_first_answer(staff_api, shop):
    main, _harbour, product = shop
    first = add_one(staff_api, product, main, "SN-ONCE", HTTP_IDEMPOTENCY_KEY="till-1-0001")

    again = add_one(staff_api, product, main, "SN-ONCE", HTTP_IDEMPOTENCY_KEY="till-1-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert SerialRecord.objects.count() == 1
