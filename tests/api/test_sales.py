"""/api/v1/sales/: New sale with explicit flags, the Sales list and a sale's page."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import IdempotentRequest
from inventory.models import SerialEventKind, SerialRecord, SerialStatus, StockLevel
from sales.models import Sale, SaleLineSerial
from sales.services import LineInput, sale_create
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

SALES = reverse("api:sale-list")


def detail_url(pk) -> str:
    return reverse("api:sale-detail", args=[pk])


@pytest.fixture
def shop():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    machine = ProductFactory(name="Barista Pro", sku="BP-1", retail_price=Decimal("499.00"))
    case = ProductFactory(
        name="Case", sku="CASE-1", has_serial_numbers=False, retail_price=Decimal("20.00")
    )
    StockLevelFactory(product=machine, outlet=main, on_hand=3)
    StockLevelFactory(product=machine, outlet=harbour, on_hand=2)
    StockLevelFactory(product=case, outlet=main, on_hand=5)
    return main, harbour, machine, case


def line(product, serials=(), quantity=None, **extra) -> dict:
    quantity = len(serials) if quantity is None else quantity
    return {"product": product.pk, "quantity": quantity, "serials": list(serials), **extra}


def sell(api, outlet, lines, **extra):
    headers = {k: v for k, v in extra.items() if k.startswith("HTTP_")}
    body = {"outlet": outlet.pk, "lines": lines}
    body.update({k: v for k, v in extra.items() if not k.startswith("HTTP_")})
    return api.post(SALES, body, format="json", **headers)


def on_hand(product, outlet) -> int:
    return StockLevel.objects.get(product=product, outlet=outlet).on_hand


# Who may ------------------------------------------------------------------------


@pytest.mark.parametrize("method, url", [("get", "list"), ("post", "list"), ("get", "detail")])
def test_an_anonymous_call_is_answered_401(anonymous_api, shop, method, url):
    sale = sale_create(
        outlet=shop[0], customer=None, clerk=None, lines=[LineInput(product=shop[3], quantity=1)]
    )
    path = SALES if url == "list" else detail_url(sale.pk)

    response = getattr(anonymous_api, method)(path, {}, format="json")

    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]
    assert Sale.objects.count() == 1


@pytest.mark.parametrize("method, url", [("get", "list"), ("post", "list"), ("get", "detail")])
def test_a_user_without_the_sales_permissions_is_answered_403(shop, method, url):
    main, _harbour, _machine, case = shop
    sale = sale_create(
        outlet=main, customer=None, clerk=None, lines=[LineInput(product=case, quantity=1)]
    )
    api = token_client(UserFactory(username="no-role"))
    path = SALES if url == "list" else detail_url(sale.pk)
    body = {"outlet": main.pk, "lines": [line(case, quantity=1)]}

    response = getattr(api, method)(path, body, format="json")

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert Sale.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_sale_cannot_be_changed_or_deleted_405(staff_api, shop, method):
    main, _harbour, _machine, case = shop
    sale = sale_create(
        outlet=main, customer=None, clerk=None, lines=[LineInput(product=case, quantity=1)]
    )

    response = getattr(staff_api, method)(detail_url(sale.pk), {}, format="json")

    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]
    assert Sale.objects.get().total == Decimal("20.00")


# Selling ------------------------------------------------------------------------


def test_a_pre_recorded_unit_in_stock_here_is_attached_and_sold(staff_api, shop):
    main, _harbour, machine, _case = shop
    customer = CustomerFactory(name="Ada Lovelace")
    unit = SerialRecordFactory(serial="BP-0001", product=machine, outlet=main)

    response = sell(staff_api, main, [line(machine, [" bp-0001 "])], customer=customer.pk)

    assert response.status_code == 201, response.json()
    sale = Sale.objects.get()
    body = response.json()
    assert body["id"] == sale.pk
    assert body["number"] == str(sale.pk)
    assert body["outlet"] == {"id": main.pk, "name": "Main Street"}
    assert body["customer"] == {"id": customer.pk, "name": "Ada Lovelace"}
    assert body["clerk"] == "till-1"
    assert body["total"] == "499.00"
    assert body["lines"] == [
        {
            "position": 1,
            "product": {"id": machine.pk, "name": "Barista Pro", "sku": "BP-1"},
            "quantity": 1,
            "unit_price": "499.00",
            "serials": [{"id": unit.pk, "serial": "BP-0001", "returned_at": None}],
        }
    ]
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert SaleLineSerial.objects.get().serial == unit
    event = unit.events.get()
    assert (event.kind, event.document, event.user.username) == (
        SerialEventKind.SOLD,
        sale,
        "till-1",
    )
    assert on_hand(machine, main) == 2


def test_a_price_sent_is_the_price_charged(staff_api, shop):
    main, _harbour, machine, _case = shop
    SerialRecordFactory(serial="BP-0002", product=machine, outlet=main)

    response = sell(staff_api, main, [line(machine, ["BP-0002"], unit_price="450.50")])

    assert response.status_code == 201
    assert response.json()["lines"][0]["unit_price"] == "450.50"
    assert Sale.objects.get().total == Decimal("450.50")


def test_a_plain_product_sells_without_serials_and_lowers_stock(staff_api, shop):
    main, _harbour, _machine, case = shop

    response = sell(staff_api, main, [line(case, quantity=3)])

    assert response.status_code == 201
    assert response.json()["lines"][0]["serials"] == []
    assert Sale.objects.get().total == Decimal("60.00")
    assert on_hand(case, main) == 2


def test_an_unknown_serial_is_refused_as_not_recorded_and_nothing_is_saved(staff_api, shop):
    main, _harbour, machine, case = shop

    response = sell(staff_api, main, [line(case, quantity=1), line(machine, ["NEW-4711"])])

    assert response.status_code == 409
    assert errors(response) == [
        {
            "code": "not_recorded",
            "message": '“NEW-4711” is not recorded. Send "record_new": true to record it as new.',
            "field": "lines.1.serials",
            "serial": "NEW-4711",
        }
    ]
    assert not Sale.objects.exists()
    assert not SerialRecord.objects.exists()
    assert on_hand(case, main) == 5


def test_with_record_new_an_unknown_serial_is_recorded_sold_with_its_history(staff_api, shop):
    main, _harbour, machine, _case = shop

    response = sell(staff_api, main, [line(machine, ["NEW-4711"])], record_new=True)

    assert response.status_code == 201, response.json()
    sale = Sale.objects.get()
    record = SerialRecord.objects.get()
    assert (record.serial, record.status, record.outlet) == ("NEW-4711", SerialStatus.SOLD, main)
    assert record.origin == SerialEventKind.RECORDED_AT_SALE
    event = record.events.get()
    assert (event.kind, event.document, event.to_status) == (
        SerialEventKind.SOLD,
        sale,
        SerialStatus.SOLD,
    )
    assert response.json()["lines"][0]["serials"] == [
        {"id": record.pk, "serial": "NEW-4711", "returned_at": None}
    ]


def test_a_unit_in_stock_elsewhere_needs_sell_here(staff_api, shop):
    main, harbour, machine, _case = shop
    unit = SerialRecordFactory(serial="BP-0003", product=machine, outlet=harbour)

    response = sell(staff_api, main, [line(machine, ["BP-0003"])])

    assert response.status_code == 409
    assert errors(response) == [
        {
            "code": "in_stock_elsewhere",
            "message": '“BP-0003” is in stock at Harbour Mall. Send "sell_here": true '
            "to sell it here.",
            "field": "lines.0.serials",
            "serial": "BP-0003",
            "outlet": "Harbour Mall",
        }
    ]
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, harbour)
    assert not Sale.objects.exists()


def test_with_sell_here_a_unit_from_another_outlet_is_moved_and_sold_here(staff_api, shop):
    main, harbour, machine, _case = shop
    unit = SerialRecordFactory(serial="BP-0003", product=machine, outlet=harbour)

    response = sell(staff_api, main, [line(machine, ["BP-0003"])], sell_here=True)

    assert response.status_code == 201, response.json()
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.SOLD, main)
    moved = unit.events.get(kind=SerialEventKind.TRANSFERRED)
    assert (moved.from_outlet, moved.to_outlet) == (harbour, main)
    assert (on_hand(machine, harbour), on_hand(machine, main)) == (1, 3)


def test_a_sold_unit_is_refused_naming_its_sale(staff_api, shop):
    main, _harbour, machine, _case = shop
    SerialRecordFactory(serial="BP-0004", product=machine, outlet=main)
    first = sell(staff_api, main, [line(machine, ["BP-0004"])]).json()["id"]

    response = sell(staff_api, main, [line(machine, ["BP-0004"])])

    assert response.status_code == 409
    assert errors(response) == [
        {
            "code": "already_sold",
            "message": f"“BP-0004” is already sold (Sale {first}).",
            "field": "lines.0.serials",
            "serial": "BP-0004",
            "sale": first,
        }
    ]
    assert Sale.objects.count() == 1


@pytest.mark.parametrize(
    "status, label", [(SerialStatus.FAULTY, "Faulty"), (SerialStatus.WRITTEN_OFF, "Written off")]
)
def test_a_faulty_or_written_off_unit_is_refused_naming_its_status(staff_api, shop, status, label):
    main, _harbour, machine, _case = shop
    SerialRecordFactory(serial="BP-0005", product=machine, outlet=main, status=status)

    response = sell(staff_api, main, [line(machine, ["BP-0005"])], record_new=True)

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "not_sellable",
            "message": f"“BP-0005” is {label} and cannot be sold.",
            "field": "lines.0.serials",
            "serial": "BP-0005",
        }
    ]
    assert not Sale.objects.exists()


def test_the_sale_is_all_or_nothing(staff_api, shop):
    main, _harbour, machine, case = shop
    good = SerialRecordFactory(serial="BP-0006", product=machine, outlet=main)
    SerialRecordFactory(serial="BP-0007", product=machine, outlet=main, status=SerialStatus.FAULTY)

    response = sell(
        staff_api,
        main,
        [line(machine, ["BP-0006"]), line(case, quantity=2), line(machine, ["BP-0007"])],
        record_new=True,
    )

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [
        ("not_sellable", "lines.2.serials")
    ]
    good.refresh_from_db()
    assert good.status == SerialStatus.IN_STOCK
    assert not good.events.exists()
    assert not Sale.objects.exists()
    assert (on_hand(machine, main), on_hand(case, main)) == (3, 5)


@pytest.mark.parametrize(
    "flags, expected",
    [
        ({}, ["serials_count", "not_recorded", "in_stock_elsewhere"]),
        ({"record_new": True}, ["serials_count", "in_stock_elsewhere"]),
        ({"record_new": True, "sell_here": True}, ["serials_count"]),
    ],
)
def test_errors_come_first_then_the_confirmations_not_yet_given(staff_api, shop, flags, expected):
    main, harbour, machine, _case = shop
    SerialRecordFactory(serial="BP-0008", product=machine, outlet=harbour)

    response = sell(staff_api, main, [line(machine, ["BP-0008", "NEW-1"], quantity=3)], **flags)

    assert response.status_code == 400
    assert codes(response) == expected
    assert not Sale.objects.exists()
    assert SerialRecord.objects.count() == 1


def test_each_line_problem_has_its_code_and_field(staff_api, shop):
    main, _harbour, machine, case = shop
    phone = ProductFactory(name="Nova Phone")
    old = ProductFactory(name="Old Grinder", is_active=False, has_serial_numbers=False)
    SerialRecordFactory(serial="PH-1", product=phone, outlet=main)

    response = sell(
        staff_api,
        main,
        [
            line(machine, ["B-1", "b-1"]),
            line(machine, ["PH-1"]),
            line(machine, [], quantity=1),
            line(case, ["X-1"]),
            line(old, quantity=1),
            line(machine, ["A,B"]),
        ],
        record_new=True,
    )

    assert response.status_code == 400
    assert [(e["code"], e["field"], e.get("serial")) for e in errors(response)] == [
        ("entered_twice", "lines.0.serials", "b-1"),
        ("recorded_for_other_product", "lines.1.serials", "PH-1"),
        ("serials_missing", "lines.2.serials", None),
        ("product_not_serialised", "lines.3.serials", None),
        ("product_inactive", "lines.4.product", None),
        ("comma", "lines.5.serials", "A,B"),
    ]
    assert not Sale.objects.exists()


def test_an_outlet_requiring_a_customer_refuses_a_sale_without_one(staff_api, shop):
    main, _harbour, machine, _case = shop
    main.require_customer_for_serialised = True
    main.save()
    SerialRecordFactory(serial="BP-0009", product=machine, outlet=main)

    response = sell(staff_api, main, [line(machine, ["BP-0009"])])

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "customer_required",
            "message": "Main Street requires a customer for serialised products: "
            "choose the customer.",
        }
    ]
    assert not Sale.objects.exists()


def test_an_inactive_outlet_refuses_the_sale(staff_api, shop):
    main, _harbour, _machine, case = shop
    main.is_active = False
    main.save()

    response = sell(staff_api, main, [line(case, quantity=1)])

    assert response.status_code == 400
    assert codes(response) == ["outlet_inactive"]
    assert on_hand(case, main) == 5


def test_a_sale_without_lines_is_refused_with_the_pages_code(staff_api, shop):
    response = sell(staff_api, shop[0], [])

    assert response.status_code == 400
    assert codes(response) == ["no_lines"]


# Shapes -------------------------------------------------------------------------


def test_an_unknown_product_is_does_not_exist_on_its_line(staff_api, shop):
    main, _harbour, _machine, case = shop

    response = sell(
        staff_api,
        main,
        [line(case, quantity=1), {"product": 999_999, "quantity": 1, "serials": []}],
    )

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [
        ("does_not_exist", "lines.1.product")
    ]
    assert not Sale.objects.exists()


@pytest.mark.parametrize(
    "bad, code, field",
    [
        ({"quantity": 0}, "min_value", "lines.0.quantity"),
        ({"quantity": 10_001}, "max_value", "lines.0.quantity"),
        ({"unit_price": "-1.00"}, "min_value", "lines.0.unit_price"),
        ({"unit_price": "cheap"}, "invalid", "lines.0.unit_price"),
        ({"serials": "BP-1"}, "not_a_list", "lines.0.serials"),
        ({"serials": [12345]}, "not_a_string", "lines.0.serials.0"),
    ],
)
def test_a_malformed_line_names_its_field(staff_api, shop, bad, code, field):
    main, _harbour, machine, _case = shop

    response = sell(staff_api, main, [{**line(machine, ["BP-1"]), **bad}])

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [(code, field)]


def test_more_lines_than_the_page_takes_is_refused(staff_api, shop):
    main, _harbour, _machine, case = shop

    response = sell(staff_api, main, [line(case, quantity=1)] * 101)

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [("max_length", "lines")]
    assert on_hand(case, main) == 5


def test_an_unknown_outlet_or_customer_is_does_not_exist(staff_api, shop):
    _main, _harbour, _machine, case = shop

    response = staff_api.post(
        SALES,
        {"outlet": 999_999, "customer": 999_999, "lines": [line(case, quantity=1)]},
        format="json",
    )

    assert response.status_code == 400
    assert {(e["code"], e["field"]) for e in errors(response)} == {
        ("does_not_exist", "outlet"),
        ("does_not_exist", "customer"),
    }


# Reading ------------------------------------------------------------------------


def make_sale(outlet, product, serials, customer=None, at=None):
    for serial in serials:
        SerialRecordFactory(serial=serial, product=product, outlet=outlet)
    return sale_create(
        outlet=outlet,
        customer=customer,
        clerk=None,
        lines=[LineInput(product=product, quantity=len(serials), serials=serials)],
        at=at,
    )


def test_the_list_is_newest_first_with_the_units_sold(staff_api, shop):
    main, _harbour, machine, _case = shop
    older = make_sale(main, machine, ["L-1"])
    newer = make_sale(main, machine, ["L-2", "L-3"])

    response = staff_api.get(SALES)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["id"], r["items"]) for r in results] == [(newer.pk, 2), (older.pk, 1)]
    assert results[0]["outlet"] == {"id": main.pk, "name": "Main Street"}


def test_the_list_filters_as_the_sales_page_does(staff_api, shop):
    main, harbour, machine, _case = shop
    ada = CustomerFactory(name="Ada Lovelace", email="ada@example.com")
    at_main = make_sale(
        main, machine, ["F-1"], customer=ada, at=timezone.make_aware(datetime(2024, 3, 1, 12))
    )
    at_harbour = make_sale(
        harbour, machine, ["F-2"], at=timezone.make_aware(datetime(2024, 3, 5, 12))
    )

    def ids(**query):
        response = staff_api.get(SALES, query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(outlet=harbour.pk) == [at_harbour.pk]
    assert ids(customer="ADA@example") == [at_main.pk]
    assert ids(serial=" f-2 ") == [at_harbour.pk]
    assert ids(date_from="2024-03-02") == [at_harbour.pk]
    assert ids(date_to="2024-03-01") == [at_main.pk]


@pytest.mark.parametrize(
    "query, field", [({"date_from": "01/03/2024"}, "date_from"), ({"outlet": "abc"}, "outlet")]
)
def test_a_malformed_filter_is_a_400_naming_it(staff_api, shop, query, field):
    response = staff_api.get(SALES, query)

    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in errors(response)] == [("invalid", field)]


def test_the_list_costs_the_same_queries_for_2_or_20_sales(staff_api, shop):
    main, _harbour, _machine, case = shop
    staff_api.get(SALES)  # the first call writes the token's last use

    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_api.get(SALES).status_code == 200
        return len(queries)

    for _n in range(2):
        sale_create(
            outlet=main,
            customer=CustomerFactory(),
            clerk=None,
            lines=[LineInput(product=case, quantity=1)],
        )
    few = queries_for_list()
    for _n in range(18):
        sale_create(
            outlet=main,
            customer=CustomerFactory(),
            clerk=None,
            lines=[LineInput(product=case, quantity=1)],
        )
    assert queries_for_list() == few


def test_a_sale_reads_in_the_same_queries_whatever_its_lines_and_units(staff_api, shop):
    main, _harbour, machine, case = shop
    small = make_sale(main, machine, ["Q-1"])
    serials = [f"QL-{n}" for n in range(12)]
    for serial in serials:
        SerialRecordFactory(serial=serial, product=machine, outlet=main)
    large = sale_create(
        outlet=main,
        customer=CustomerFactory(),
        clerk=UserFactory(),
        lines=[
            LineInput(product=machine, quantity=6, serials=serials[:6]),
            LineInput(product=case, quantity=2),
            LineInput(product=machine, quantity=6, serials=serials[6:]),
        ],
    )

    def queries_for(sale) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff_api.get(detail_url(sale.pk))
        assert response.status_code == 200
        return len(queries)

    staff_api.get(detail_url(small.pk))  # the first call writes the token's last use
    assert queries_for(small) == queries_for(large)
    body = staff_api.get(detail_url(large.pk)).json()
    assert [len(row["serials"]) for row in body["lines"]] == [6, 0, 6]


@pytest.mark.parametrize("pk", ["999999", "abc", "99999999999999999999", "-1"])
def test_a_sale_that_is_not_there_is_404(staff_api, pk):
    response = staff_api.get(f"{SALES}{pk}/")

    assert response.status_code == 404
    assert codes(response) == ["not_found"]


def test_a_sales_id_in_other_digits_is_no_sales_id(staff_api, shop):
    main, _harbour, _machine, case = shop
    sale = sale_create(
        outlet=main, customer=None, clerk=None, lines=[LineInput(product=case, quantity=1)]
    )
    arabic_indic = str(sale.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    response = staff_api.get(f"{SALES}{arabic_indic}/")

    assert response.status_code == 404
    assert staff_api.get(detail_url(sale.pk)).json()["id"] == sale.pk


# Idempotency-Key ----------------------------------------------------------------


def test_a_retry_with_the_same_key_gets_the_first_sale_not_a_second(staff_api, shop):
    main, _harbour, machine, _case = shop
    SerialRecordFactory(serial="BP-0010", product=machine, outlet=main)
    lines = [line(machine, ["BP-0010"])]

    first = sell(staff_api, main, lines, HTTP_IDEMPOTENCY_KEY="till-1-sale-0001")
    again = sell(staff_api, main, lines, HTTP_IDEMPOTENCY_KEY="till-1-sale-0001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.json()["id"] == Sale.objects.get().pk
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert SaleLineSerial.objects.count() == 1


def test_the_same_key_with_another_sale_is_refused_422(staff_api, shop):
    main, _harbour, _machine, case = shop
    sell(staff_api, main, [line(case, quantity=1)], HTTP_IDEMPOTENCY_KEY="till-1-sale-0001")

    response = sell(
        staff_api, main, [line(case, quantity=2)], HTTP_IDEMPOTENCY_KEY="till-1-sale-0001"
    )

    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in errors(response)] == [
        ("idempotency_key_reused", "Idempotency-Key")
    ]
    assert Sale.objects.count() == 1
    assert on_hand(case, main) == 4


def test_a_refused_sale_leaves_its_key_free_so_the_confirmed_retry_runs(staff_api, shop):
    main, _harbour, machine, _case = shop
    lines = [line(machine, ["NEW-77"])]

    refused = sell(staff_api, main, lines, HTTP_IDEMPOTENCY_KEY="till-1-sale-0002")
    retried = sell(
        staff_api, main, lines, record_new=True, HTTP_IDEMPOTENCY_KEY="till-1-sale-0002"
    )

    assert (refused.status_code, codes(refused)) == (409, ["not_recorded"])
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert retried.json()["id"] == Sale.objects.get().pk
    assert IdempotentRequest.objects.get().status_code == 201


# Scans and Serial number formats (issue 19) ------------------------------------------

GS = "\x1d"
GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def scanned_shop(shop):
    main, _harbour, machine, _case = shop
    machine.barcode = GTIN
    machine.save()
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)
    SerialRecordFactory(serial="BP-0042", product=machine, outlet=main)
    return main, machine


def test_a_scan_sells_the_unit_of_its_serial_and_the_answer_shows_the_serial(
    staff_api, scanned_shop
):
    main, machine = scanned_shop

    response = sell(staff_api, main, [line(machine, [f"]d201{GTIN}21BP-0042{GS}10LOT7"])])

    assert response.status_code == 201, response.json()
    [sold] = response.json()["lines"][0]["serials"]
    assert sold["serial"] == "BP-0042"
    assert SerialRecord.objects.get(serial="BP-0042").status == SerialStatus.SOLD


def test_a_leading_gs_of_a_scan_is_kept_for_the_parser(staff_api, scanned_shop):
    main, machine = scanned_shop

    response = sell(staff_api, main, [line(machine, [f"{GS}01{GTIN}21BP-0042"])])

    assert response.status_code == 201, response.json()
    assert not SerialRecord.objects.filter(serial__startswith="01").exists()


def test_a_line_without_a_product_is_sold_as_the_product_of_its_scans_gtin(
    staff_api, scanned_shop
):
    main, machine = scanned_shop
    body = {"quantity": 1, "serials": [f"(01){GTIN}(21)BP-0042"]}

    response = sell(staff_api, main, [body])

    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["product"]["id"] == machine.pk


def test_a_line_without_a_product_or_a_gtin_is_a_400_on_its_product(staff_api, scanned_shop):
    main, _machine = scanned_shop

    response = sell(staff_api, main, [{"product": None, "quantity": 1, "serials": ["BP-0042"]}])

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "product_required",
            "message": "Enter and select the product name.",
            "field": "lines.0.product",
        }
    ]


def test_a_scan_of_another_product_is_a_400_naming_both(staff_api, scanned_shop):
    main, machine = scanned_shop

    response = sell(staff_api, main, [line(machine, [f"(01){KETTLE_GTIN}(21)BP-0042"])])

    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "gtin_other_product",
            "message": "“BP-0042”: The scan is of Bosch Kettle (BK-1), not Barista Pro (BP-1).",
            "field": "lines.0.serials",
            "serial": "BP-0042",
        }
    ]
    assert not Sale.objects.exists()


def test_a_broken_scan_is_a_400_with_its_code(staff_api, scanned_shop):
    main, machine = scanned_shop

    response = sell(staff_api, main, [line(machine, [f"]d201{GTIN}"])])

    assert response.status_code == 400
    assert codes(response) == ["scan_no_serial"]
    assert errors(response)[0]["field"] == "lines.0.serials"


@pytest.fixture
def phone(shop):
    main = shop[0]
    product = ProductFactory(name="Nova Phone", sku="NP-1", serial_format="imei")
    StockLevelFactory(product=product, outlet=main, on_hand=1)
    return main, product


BAD_IMEI = "490154203237519"


def test_staff_are_refused_a_new_serial_off_format_with_code_format(staff_api, phone):
    main, product = phone

    response = sell(staff_api, main, [line(product, [BAD_IMEI])], record_new=True)

    assert response.status_code == 400
    assert codes(response) == ["format"]
    assert "Ask a manager" in errors(response)[0]["message"]
    assert not SerialRecord.objects.exists()


def test_staff_who_send_format_confirmed_get_403(staff_api, phone):
    main, product = phone

    response = sell(
        staff_api, main, [line(product, [BAD_IMEI])], record_new=True, format_confirmed=True
    )

    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert not SerialRecord.objects.exists()


def test_a_manager_must_confirm_the_format_then_it_is_recorded(manager_api, phone):
    main, product = phone

    asked = sell(manager_api, main, [line(product, [BAD_IMEI])], record_new=True)

    assert asked.status_code == 409
    assert errors(asked) == [
        {
            "code": "format",
            "message": f"“{BAD_IMEI}” breaks the Serial number format of Nova Phone: Not an "
            'IMEI: the check digit should be 8. Send "format_confirmed": true (with '
            '"record_new": true) to record it anyway.',
            "field": "lines.0.serials",
            "serial": BAD_IMEI,
        }
    ]
    assert not SerialRecord.objects.exists()

    response = sell(
        manager_api, main, [line(product, [BAD_IMEI])], record_new=True, format_confirmed=True
    )

    assert response.status_code == 201, response.json()
    assert SerialRecord.objects.get().serial == BAD_IMEI


def test_a_sale_of_2_or_20_scans_costs_the_same_queries(staff_api, scanned_shop):
    main, machine = scanned_shop

    def queries(count: int) -> int:
        serials = [f"SC{count}-{n}" for n in range(count)]
        for serial in serials:
            SerialRecordFactory(serial=serial, product=machine, outlet=main)
        scans = [f"(01){GTIN}(21){serial}" for serial in serials]
        with CaptureQueriesContext(connection) as captured:
            response = sell(staff_api, main, [line(machine, scans)])
        assert response.status_code == 201, response.json()
        return len(captured)

    queries(1)  # the first call of a test also fills Django's caches (content types)
    assert queries(2) == queries(20)
