"""/api/v1/stock-orders/: read stock orders, and Receive on one with an Idempotency-Key."""

import pytest

from catalog.models import Supplier
from inventory.models import SerialRecord, StockLevel, StockOrder, StockOrderStatus
from tests.api.helpers import codes, errors, token_client
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.receive_helpers import line_of, order_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="09506000134352")


@pytest.fixture
def order(silvia):
    return order_with(outlet=OutletFactory(name="Main Street"), lines=[(silvia, 5)])


def receive_url(order):
    return f"/api/v1/stock-orders/{order.pk}/receive/"


def recorded():
    return list(SerialRecord.objects.order_by("id").values_list("serial", flat=True))


def test_staff_list_and_read_stock_orders_with_their_lines(staff_api, order, silvia):
    listed = staff_api.get("/api/v1/stock-orders/")
    one = staff_api.get(f"/api/v1/stock-orders/{order.pk}/")

    assert listed.status_code == 200
    assert [o["id"] for o in listed.json()["results"]] == [order.pk]
    body = one.json()
    assert body["supplier"]["name"] == "Acme Coffee Supply"
    assert body["status"] == "sent"
    assert body["lines"] == [
        {
            "id": line_of(order, silvia).pk,
            "product": {
                "id": silvia.pk,
                "name": "Rancilio Silvia",
                "sku": "RS-1",
                "has_serial_numbers": True,
            },
            "quantity": 5,
            "cost": "100.00",
            "received": 0,
        }
    ]


def test_an_unknown_or_malformed_order_is_404(staff_api):
    assert staff_api.get("/api/v1/stock-orders/999999/").status_code == 404
    assert staff_api.post("/api/v1/stock-orders/١٢/receive/", {}, format="json").status_code == 404


def test_a_user_without_the_receive_permission_gets_403(order):
    api = token_client(UserFactory(username="nobody"))

    response = api.post(receive_url(order), {"serials": ["S-1"]}, format="json")

    assert response.status_code == 403
    assert recorded() == []


def test_receive_records_the_matched_units_and_lists_the_rest(staff_api, order, silvia):
    response = staff_api.post(
        receive_url(order),
        {"serials": ["S-1", "S-2", "S-2", "(01)09520123456788(21)K-1"]},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["received"] == 2
    assert body["order"]["status"] == "partly_received"
    assert body["order"]["lines"][0]["received"] == 2
    assert [e["serial"] for e in body["scanned_twice"]] == ["S-2"]
    assert recorded() == ["S-1", "S-2"]
    assert StockLevel.objects.get(product=silvia).on_hand == 2


def test_a_retry_with_the_same_key_gets_the_first_answer_and_records_nothing_more(
    staff_api, order
):
    send = {"serials": ["S-1", "S-2"]}
    first = staff_api.post(receive_url(order), send, format="json", HTTP_IDEMPOTENCY_KEY="rcv-1")
    again = staff_api.post(receive_url(order), send, format="json", HTTP_IDEMPOTENCY_KEY="rcv-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert recorded() == ["S-1", "S-2"]


def test_the_same_scans_again_without_a_key_are_refused_as_already_recorded(staff_api, order):
    staff_api.post(receive_url(order), {"serials": ["S-1"]}, format="json")

    response = staff_api.post(receive_url(order), {"serials": ["S-1"]}, format="json")

    assert response.status_code == 400
    assert codes(response) == ["nothing_to_receive", "received"]
    assert errors(response)[1]["serial"] == "S-1"
    assert recorded() == ["S-1"]


def test_a_refused_receive_leaves_its_key_free(staff_api, order):
    refused = staff_api.post(
        receive_url(order), {"serials": ["S-\u0007"]}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    retried = staff_api.post(
        receive_url(order), {"serials": ["S-1"]}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )

    assert refused.status_code == 400
    assert codes(refused) == ["nothing_to_receive", "unprintable"]
    assert retried.status_code == 201


def test_quantities_are_received_by_line(staff_api):
    filters = ProductFactory(name="Paper filters", sku="PF-1", has_serial_numbers=False)
    order = order_with(outlet=OutletFactory(), lines=[(filters, 10)])
    line = line_of(order, filters)

    over = staff_api.post(
        receive_url(order), {"quantities": [{"line": line.pk, "quantity": 11}]}, format="json"
    )
    done = staff_api.post(
        receive_url(order), {"quantities": [{"line": line.pk, "quantity": 10}]}, format="json"
    )

    assert over.status_code == 400
    assert codes(over) == ["over_ordered"]
    assert done.status_code == 201
    assert done.json()["order"]["status"] == StockOrderStatus.RECEIVED
    assert StockLevel.objects.get(product=filters).on_hand == 10


@pytest.mark.parametrize(
    "body",
    [
        {"serials": "S-1"},
        {"serials": [1]},
        {"serials": ["x" * 1001]},
        {"quantities": [{"line": "x", "quantity": 1}]},
        {"quantities": [{"line": 1, "quantity": -1}]},
        {"quantities": [{"line": 10**30, "quantity": 1}]},
    ],
)
def test_malformed_requests_are_400_and_record_nothing(staff_api, order, body):
    response = staff_api.post(receive_url(order), body, format="json")

    assert response.status_code == 400
    assert recorded() == []


def test_the_list_costs_the_same_queries_for_one_order_or_many(staff_api, silvia):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    outlet = OutletFactory()
    order_with(outlet=outlet, lines=[(silvia, 1)])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert staff_api.get("/api/v1/stock-orders/").status_code == 200
        return len(captured)

    queries()  # the first call of a token reads what later ones find cached
    one = queries()
    for _n in range(5):
        order_with(outlet=outlet, lines=[(silvia, 1), (ProductFactory(), 2)])
    assert queries() == one


# Order stock through the API --------------------------------------------------


def test_a_manager_orders_stock_as_the_page_does(manager_api, silvia):
    supplier = Supplier.objects.create(name="Acme Coffee Supply")
    outlet = OutletFactory(name="Harbour Mall")
    grinder = ProductFactory(name="Burr Grinder", sku="BG-1", has_serial_numbers=False)

    response = manager_api.post(
        "/api/v1/stock-orders/",
        {
            "supplier": supplier.pk,
            "outlet": outlet.pk,
            "reference": " PO-77 ",
            "due": "2027-01-15",
            "lines": [
                {"product": silvia.pk, "quantity": 5, "cost": "410.00"},
                {"product": grinder.pk, "quantity": 2},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    order = StockOrder.objects.get()
    assert body["id"] == order.pk
    assert (body["status"], body["reference"], body["due"]) == ("open", "PO-77", "2027-01-15")
    assert [
        (line["product"]["sku"], line["quantity"], line["cost"]) for line in body["lines"]
    ] == [
        ("RS-1", 5, "410.00"),
        ("BG-1", 2, "0.00"),
    ]
    assert order.outlet == outlet and order.supplier == supplier


def test_ordering_stock_is_refused_for_staff_and_for_a_product_on_two_lines(
    staff_api, manager_api, silvia
):
    supplier = Supplier.objects.create(name="Acme Coffee Supply")
    outlet = OutletFactory(name="Harbour Mall")
    payload = {
        "supplier": supplier.pk,
        "outlet": outlet.pk,
        "lines": [{"product": silvia.pk, "quantity": 1}, {"product": silvia.pk, "quantity": 2}],
    }

    assert staff_api.post("/api/v1/stock-orders/", payload, format="json").status_code == 403
    refused = manager_api.post("/api/v1/stock-orders/", payload, format="json")
    unknown = manager_api.post(
        "/api/v1/stock-orders/", {**payload, "supplier": 999999}, format="json"
    )

    assert refused.status_code == 400
    assert "duplicate_product" in codes(refused)
    assert unknown.status_code == 400
    assert "No supplier has this id." in str(errors(unknown))
    assert not StockOrder.objects.exists()
