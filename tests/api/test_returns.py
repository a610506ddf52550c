"""/api/v1/returns/: Return on a sold unit, Sales > Returns and a return's page."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inventory.models import SerialEventKind, SerialStatus, StockLevel
from sales.models import Return, SaleLineSerial
from sales.services import LineInput, return_create, sale_create
from tests.api.helpers import codes, errors, token_client
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RETURNS = reverse("api:return-list")


def detail_url(pk) -> str:
    return reverse("api:return-detail", args=[pk])


@pytest.fixture
def shop():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    machine = ProductFactory(name="Barista Pro", sku="BP-1")
    for outlet in (main, harbour):
        StockLevelFactory(product=machine, outlet=outlet, on_hand=2)
    return main, harbour, machine


def sold(shop, serial="RT-0001", price="450.00", at=None):
    main, _harbour, machine = shop
    unit = SerialRecordFactory(serial=serial, product=machine, outlet=main)
    sale = sale_create(
        outlet=main,
        customer=CustomerFactory(name="Ada Lovelace"),
        clerk=None,
        lines=[
            LineInput(product=machine, quantity=1, unit_price=Decimal(price), serials=[serial])
        ],
        at=at,
    )
    unit.refresh_from_db()
    return unit, sale


def body(unit, outlet, **extra) -> dict:
    return {
        "serial": unit.pk,
        "reason": "unwanted",
        "outcome": "restock",
        "outlet": outlet.pk,
        "refund_amount": "450.00",
        **extra,
    }


def on_hand(product, outlet) -> int:
    return StockLevel.objects.get(product=product, outlet=outlet).on_hand


# Who may ------------------------------------------------------------------------


@pytest.mark.parametrize("method, url", [("get", "list"), ("post", "list"), ("get", "detail")])
def test_an_anonymous_call_is_answered_401(anonymous_api, shop, method, url):
    unit, _sale = sold(shop)
    path = RETURNS if url == "list" else detail_url(1)

    response = getattr(anonymous_api, method)(path, body(unit, shop[0]), format="json")

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    assert not Return.objects.exists()


@pytest.mark.parametrize("method, url", [("get", "list"), ("post", "list"), ("get", "detail")])
def test_a_user_without_the_returns_permissions_is_answered_403(shop, method, url):
    unit, _sale = sold(shop)
    returned = return_create(
        serial=unit,
        reason="unwanted",
        outcome="restock",
        outlet=shop[0],
        refund_amount=Decimal(0),
        clerk=None,
    )
    api = token_client(UserFactory(username="no-role"))
    path = RETURNS if url == "list" else detail_url(returned.pk)

    response = getattr(api, method)(path, body(unit, shop[0]), format="json")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert Return.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_return_cannot_be_changed_or_deleted_405(staff_api, shop, method):
    unit, _sale = sold(shop)
    response = staff_api.post(RETURNS, body(unit, shop[0]), format="json")

    response = getattr(staff_api, method)(detail_url(response.json()["id"]), {}, format="json")

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]
    assert Return.objects.get().refund_amount == Decimal("450.00")


# Returning ----------------------------------------------------------------------


def test_restock_puts_the_unit_in_stock_at_the_outlet_chosen(staff_api, shop):
    main, harbour, machine = shop
    unit, sale = sold(shop)

    response = staff_api.post(
        RETURNS, body(unit, harbour, refund_amount="400.00", note=" Box opened "), format="json"
    )

    assert response.status_code == 201, response.json()
    returned = Return.objects.get()
    assert response.json() == {
        "id": returned.pk,
        "serial": {
            "id": unit.pk,
            "serial": "RT-0001",
            "product": {"id": machine.pk, "name": "Barista Pro", "sku": "BP-1"},
        },
        "sale": {"id": sale.pk, "number": str(sale.pk)},
        "customer": {"id": sale.customer_id, "name": "Ada Lovelace"},
        "reason": "unwanted",
        "outcome": "restock",
        "outlet": {"id": harbour.pk, "name": "Harbour Mall"},
        "refund_amount": "400.00",
        "note": "Box opened",
        "clerk": "till-1",
        "created_at": response.json()["created_at"],
    }
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, harbour)
    assert unit.events.latest("id").kind == SerialEventKind.RETURNED
    assert SaleLineSerial.objects.get().returned_at == returned.created_at
    assert on_hand(machine, harbour) == 3


def test_faulty_makes_the_unit_faulty(staff_api, shop):
    main, _harbour, machine = shop
    unit, _sale = sold(shop)

    response = staff_api.post(
        RETURNS, body(unit, main, reason="faulty", outcome="faulty"), format="json"
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["reason"], response.json()["outcome"]) == ("faulty", "faulty")
    unit.refresh_from_db()
    assert unit.status == SerialStatus.FAULTY
    assert on_hand(machine, main) == 1


def test_a_unit_cannot_be_returned_twice(staff_api, shop):
    main, _harbour, _machine = shop
    unit, sale = sold(shop)
    assert staff_api.post(RETURNS, body(unit, main), format="json").status_code == 201

    response = staff_api.post(RETURNS, body(unit, main), format="json")

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "already_returned",
            "message": f"“RT-0001” was already returned from Sale {sale.pk}.",
        }
    ]
    assert Return.objects.count() == 1


def test_a_unit_never_sold_cannot_be_returned(staff_api, shop):
    main, _harbour, machine = shop
    unit = SerialRecordFactory(serial="RT-0002", product=machine, outlet=main)

    response = staff_api.post(RETURNS, body(unit, main), format="json")

    assert response.status_code == 400
    assert codes(response) == ["not_sold"]
    assert not Return.objects.exists()


@pytest.mark.parametrize(
    "refund, code", [("450.01", "refund_too_high"), ("-1.00", "negative_refund")]
)
def test_a_refund_beyond_what_was_paid_is_refused_on_its_field(staff_api, shop, refund, code):
    unit, _sale = sold(shop)

    response = staff_api.post(RETURNS, body(unit, shop[0], refund_amount=refund), format="json")

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [(code, "refund_amount")]
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD


def test_an_inactive_outlet_is_refused_on_its_field(staff_api, shop):
    main, harbour, _machine = shop
    harbour.is_active = False
    harbour.save()
    unit, _sale = sold(shop)

    response = staff_api.post(RETURNS, body(unit, harbour), format="json")

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [("outlet_inactive", "outlet")]


@pytest.mark.parametrize(
    "bad, code, field",
    [
        ({"reason": "broken"}, "invalid_choice", "reason"),
        ({"outcome": "refund"}, "invalid_choice", "outcome"),
        ({"serial": 999_999}, "does_not_exist", "serial"),
        ({"sale": 999_999}, "does_not_exist", "sale"),
        ({"refund_amount": "lots"}, "invalid", "refund_amount"),
    ],
)
def test_a_malformed_return_names_its_field(staff_api, shop, bad, code, field):
    unit, _sale = sold(shop)

    response = staff_api.post(RETURNS, {**body(unit, shop[0]), **bad}, format="json")

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [(code, field)]
    assert not Return.objects.exists()


def test_a_return_from_an_earlier_sale_of_a_resold_unit_names_that_sale(staff_api, shop):
    main, _harbour, machine = shop
    unit, first = sold(shop)
    assert staff_api.post(RETURNS, body(unit, main), format="json").status_code == 201
    second = sale_create(
        outlet=main,
        customer=None,
        clerk=None,
        lines=[LineInput(product=machine, quantity=1, serials=["RT-0001"])],
    )

    again = staff_api.post(RETURNS, body(unit, main, sale=first.pk), format="json")
    from_second = staff_api.post(RETURNS, body(unit, main, sale=second.pk), format="json")

    assert (again.status_code, codes(again)) == (400, ["already_returned"])
    assert from_second.status_code == 201, from_second.json()
    assert from_second.json()["sale"]["id"] == second.pk


def test_a_retried_return_with_the_same_key_gets_the_first_answer(staff_api, shop):
    unit, _sale = sold(shop)

    first = staff_api.post(
        RETURNS, body(unit, shop[0]), format="json", HTTP_IDEMPOTENCY_KEY="return-0001"
    )
    again = staff_api.post(
        RETURNS, body(unit, shop[0]), format="json", HTTP_IDEMPOTENCY_KEY="return-0001"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Return.objects.count() == 1


# Reading ------------------------------------------------------------------------


def test_the_list_filters_as_the_returns_page_does(staff_api, shop):
    main, harbour, _machine = shop
    at = timezone.make_aware(datetime(2024, 3, 1, 12))
    first, _sale = sold(shop, "RT-1", at=at)
    second, _sale = sold(shop, "RT-2", at=at)
    early = return_create(
        serial=first,
        reason="unwanted",
        outcome="restock",
        outlet=main,
        refund_amount=Decimal(0),
        clerk=None,
        at=timezone.make_aware(datetime(2024, 3, 2, 12)),
    )
    late = return_create(
        serial=second,
        reason="faulty",
        outcome="faulty",
        outlet=harbour,
        refund_amount=Decimal(0),
        clerk=None,
        at=timezone.make_aware(datetime(2024, 3, 9, 12)),
    )

    def ids(**query):
        response = staff_api.get(RETURNS, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [late.pk, early.pk]
    assert ids(outlet=harbour.pk) == [late.pk]
    assert ids(reason="unwanted") == [early.pk]
    assert ids(outcome="faulty") == [late.pk]
    assert ids(serial="rt-1") == [early.pk]
    assert ids(date_from="2024-03-03") == [late.pk]
    assert ids(date_to="2024-03-02") == [early.pk]


def test_a_return_and_the_list_read_in_queries_that_do_not_grow(staff_api, shop):
    main = shop[0]
    returns = []
    for n in range(6):
        unit, _sale = sold(shop, f"RQ-{n}")
        returns.append(
            return_create(
                serial=unit,
                reason="unwanted",
                outcome="restock",
                outlet=main,
                refund_amount=Decimal(0),
                clerk=UserFactory(),
            )
        )
    staff_api.get(RETURNS)  # the first call writes the token's last use

    def queries(url, **query) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_api.get(url, query).status_code == 200
        return len(captured)

    assert queries(RETURNS, page_size=1) == queries(RETURNS, page_size=6)


def test_a_returns_page_is_read_by_its_id(staff_api, shop):
    unit, sale = sold(shop)
    created = staff_api.post(RETURNS, body(unit, shop[0]), format="json").json()

    response = staff_api.get(detail_url(created["id"]))

    assert response.status_code == 200
    assert response.json() == created
    assert response.json()["sale"] == {"id": sale.pk, "number": str(sale.pk)}


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999"])
def test_a_return_that_is_not_there_is_404(staff_api, pk):
    response = staff_api.get(f"{RETURNS}{pk}/")

    assert response.status_code == 404
    assert codes(response) == ["not_found"]
