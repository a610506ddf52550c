"""/api/v1/products/ and /api/v1/outlets/: the Products and Outlets pages as endpoints."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from catalog.models import Product
from inventory.models import SerialStatus
from tests.api.helpers import codes, token_client
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"
OUTLETS = "/api/v1/outlets/"
NEW = {"name": " Grinder ", "sku": " G-1 ", "retail_price": "99.50"}


def product_url(product: Product) -> str:
    return f"{PRODUCTS}{product.pk}/"


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


# Products: reading


def test_staff_lists_products_newest_first(staff_api):
    ProductFactory(name="Older")
    newer = ProductFactory(
        name="Newer", sku="N-1", brand="Acme", retail_price=Decimal("5"), barcode="4006381333931"
    )
    response = staff_api.get(PRODUCTS)
    assert response.status_code == 200
    assert names(response) == ["Newer", "Older"]
    row = response.json()["results"][0]
    assert parse_datetime(row.pop("created_at")) == newer.created_at
    assert parse_datetime(row.pop("updated_at")) == newer.updated_at
    assert row == {
        "id": newer.pk,
        "name": "Newer",
        "sku": "N-1",
        "brand": "Acme",
        "retail_price": "5.00",
        "warranty_months": 12,
        "is_active": True,
        "has_serial_numbers": True,
        "barcode": "4006381333931",
        "gtin": "04006381333931",
        "serial_format": "any",
        "serial_pattern": "",
        "supplier": None,
        "supplier_code": "",
    }


def test_the_product_list_pages_by_cursor(staff_api):
    for number in range(5):
        ProductFactory(name=f"P{number}")
    first = staff_api.get(PRODUCTS, {"page_size": 2}).json()
    assert [row["name"] for row in first["results"]] == ["P4", "P3"]
    second = staff_api.get(first["next"]).json()
    assert [row["name"] for row in second["results"]] == ["P2", "P1"]
    third = staff_api.get(second["next"]).json()
    assert [row["name"] for row in third["results"]] == ["P0"]
    assert third["next"] is None


def test_the_product_list_costs_the_same_queries_for_more_rows(staff_api):
    ProductFactory()
    staff_api.get(PRODUCTS)  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as few:
        staff_api.get(PRODUCTS)
    for _ in range(10):
        ProductFactory()
    with CaptureQueriesContext(connection) as many:
        staff_api.get(PRODUCTS)
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "grind"}, ["Grinder"]),
        ({"q": "kt-9"}, ["Kettle"]),
        ({"brand": "ACME"}, ["Kettle", "Grinder"]),
        ({"has_serial_numbers": "false"}, ["Kettle"]),
        ({"has_serial_numbers": "true"}, ["Old mill", "Grinder"]),
        ({"is_active": "false"}, ["Old mill"]),
        ({"is_active": "true", "brand": "acme"}, ["Kettle", "Grinder"]),
    ],
)
def test_products_are_filtered_like_the_products_page(staff_api, query, expected):
    ProductFactory(name="Grinder", sku="GR-1", brand="Acme")
    ProductFactory(name="Old mill", sku="OM-1", brand="Other", is_active=False)
    ProductFactory(name="Kettle", sku="KT-9", brand="Acme", has_serial_numbers=False)
    response = staff_api.get(PRODUCTS, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_staff_gets_one_product(staff_api):
    product = ProductFactory(name="Grinder")
    response = staff_api.get(product_url(product))
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["name"]) == (product.pk, "Grinder")


def test_an_unknown_product_is_404(staff_api):
    response = staff_api.get(f"{PRODUCTS}999999/")
    assert response.status_code == 404
    assert codes(response) == ["not_found"]


# Products: adding and changing


def test_a_manager_adds_a_product(manager_api):
    response = manager_api.post(
        PRODUCTS, {**NEW, "has_serial_numbers": True, "brand": "Acme"}, format="json"
    )
    assert response.status_code == 201
    product = Product.objects.get()
    assert response.json()["id"] == product.pk
    assert response.json()["name"] == "Grinder"
    assert (product.name, product.sku, product.brand) == ("Grinder", "G-1", "Acme")
    assert (product.retail_price, product.warranty_months) == (Decimal("99.50"), 12)
    assert (product.has_serial_numbers, product.is_active) == (True, True)


def test_a_product_is_added_without_serial_numbers_unless_asked(manager_api):
    response = manager_api.post(PRODUCTS, NEW, format="json")
    assert response.status_code == 201
    assert response.json()["has_serial_numbers"] is False
    assert Product.objects.get().has_serial_numbers is False


def test_a_taken_sku_is_refused_whatever_its_case(manager_api):
    ProductFactory(sku="g-1")
    response = manager_api.post(PRODUCTS, NEW, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["field"]) == ("sku_taken", "sku")
    assert Product.objects.count() == 1


def test_a_negative_price_is_refused(manager_api):
    response = manager_api.post(PRODUCTS, {**NEW, "retail_price": "-1.00"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "min_value",
            "message": "The retail price cannot be negative.",
            "field": "retail_price",
        }
    ]
    assert not Product.objects.exists()


def test_the_server_sets_id_and_dates(manager_api):
    body = {**NEW, "id": 4242, "created_at": "2000-01-01T00:00:00Z"}
    response = manager_api.post(PRODUCTS, body, format="json")
    assert response.status_code == 201
    product = Product.objects.get()
    assert product.pk != 4242
    assert product.created_at.year > 2000


def test_a_manager_replaces_a_product(manager_api):
    product = ProductFactory(name="Grinder", warranty_months=12)
    body = {"name": "Grinder Pro", "sku": "GP-1", "retail_price": "150.00", "warranty_months": 24}
    response = manager_api.put(product_url(product), body, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.name, product.sku, product.warranty_months) == ("Grinder Pro", "GP-1", 24)
    assert response.json()["retail_price"] == "150.00"


def test_a_replacement_must_name_every_required_field(manager_api):
    product = ProductFactory(name="Grinder")
    response = manager_api.put(product_url(product), {"name": "Grinder Pro"}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"sku", "retail_price"}
    product.refresh_from_db()
    assert product.name == "Grinder"


def test_a_manager_changes_one_field(manager_api):
    product = ProductFactory(name="Grinder", sku="G-1")
    response = manager_api.patch(product_url(product), {"is_active": False}, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.is_active, product.name, product.sku) == (False, "Grinder", "G-1")


def test_changing_to_a_taken_sku_is_refused(manager_api):
    ProductFactory(sku="TAKEN")
    product = ProductFactory(sku="MINE")
    response = manager_api.patch(product_url(product), {"sku": "taken"}, format="json")
    assert response.status_code == 400
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("sku_taken", "sku")]
    product.refresh_from_db()
    assert product.sku == "MINE"


def test_a_manager_turns_serial_numbers_on(manager_api):
    product = ProductFactory(has_serial_numbers=False)
    response = manager_api.patch(product_url(product), {"has_serial_numbers": True}, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.has_serial_numbers is True


def test_serial_numbers_are_not_turned_off_while_units_are_in_stock(manager_api):
    product = ProductFactory(has_serial_numbers=True)
    SerialRecordFactory(product=product, status=SerialStatus.IN_STOCK)
    response = manager_api.patch(
        product_url(product), {"has_serial_numbers": False}, format="json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["field"]) == ("serials_in_stock", "has_serial_numbers")
    assert "1 serial number of this product is In stock" in error["message"]
    product.refresh_from_db()
    assert product.has_serial_numbers is True


def test_serial_numbers_are_turned_off_when_no_unit_is_in_stock(manager_api):
    product = ProductFactory(has_serial_numbers=True)
    SerialRecordFactory(product=product, status=SerialStatus.WRITTEN_OFF)
    response = manager_api.patch(
        product_url(product), {"has_serial_numbers": False}, format="json"
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.has_serial_numbers is False


# Products: who may do what


def test_staff_may_not_add_a_product(staff_api):
    response = staff_api.post(PRODUCTS, NEW, format="json")
    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert not Product.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_staff_may_not_change_a_product(staff_api, method):
    product = ProductFactory(name="Grinder")
    body = {"name": "Changed", "sku": "C-1", "retail_price": "1.00"}
    response = getattr(staff_api, method)(product_url(product), body, format="json")
    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    product.refresh_from_db()
    assert product.name == "Grinder"


@pytest.mark.parametrize("endpoint", [PRODUCTS, OUTLETS])
def test_a_user_in_no_group_may_not_read_the_catalog(endpoint):
    client = token_client(UserFactory(username="nobody"))
    response = client.get(endpoint)
    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_anonymous_call_on_products_is_401(anonymous_api, method):
    product = ProductFactory()
    for url in (PRODUCTS, product_url(product)):
        response = getattr(anonymous_api, method)(url)
        assert response.status_code == 401
        assert codes(response) == ["not_authenticated"]


@pytest.mark.parametrize(
    ("method", "detail"), [("delete", True), ("post", True), ("put", False), ("delete", False)]
)
def test_a_method_products_do_not_have_is_405(manager_api, method, detail):
    product = ProductFactory()
    url = product_url(product) if detail else PRODUCTS
    response = getattr(manager_api, method)(url, {}, format="json")
    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]
    assert Product.objects.filter(pk=product.pk).exists()


# Outlets


def test_staff_lists_outlets(staff_api):
    outlet = OutletFactory(name="Harbour", address="1 Quay")
    response = staff_api.get(OUTLETS)
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": outlet.pk,
            "name": "Harbour",
            "address": "1 Quay",
            "is_active": True,
            "require_customer_for_serialised": outlet.require_customer_for_serialised,
        }
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "harb"}, ["Harbour"]),
        ({"is_active": "false"}, ["Closed"]),
        ({"is_active": "true"}, ["Main Street", "Harbour"]),
    ],
)
def test_outlets_are_filtered(staff_api, query, expected):
    OutletFactory(name="Harbour")
    OutletFactory(name="Closed", is_active=False)
    OutletFactory(name="Main Street")
    response = staff_api.get(OUTLETS, query)
    assert names(response) == expected


def test_staff_gets_one_outlet(staff_api):
    outlet = OutletFactory(name="Harbour")
    response = staff_api.get(f"{OUTLETS}{outlet.pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Harbour"


def test_an_anonymous_call_on_outlets_is_401(anonymous_api):
    outlet = OutletFactory()
    for url in (OUTLETS, f"{OUTLETS}{outlet.pk}/"):
        response = anonymous_api.get(url)
        assert response.status_code == 401
        assert codes(response) == ["not_authenticated"]


@pytest.mark.parametrize(
    ("method", "detail"),
    [("post", False), ("put", True), ("patch", True), ("delete", True)],
)
def test_outlets_are_read_only_in_the_api(manager_api, method, detail):
    outlet = OutletFactory(name="Harbour")
    url = f"{OUTLETS}{outlet.pk}/" if detail else OUTLETS
    response = getattr(manager_api, method)(url, {"name": "Changed"}, format="json")
    assert response.status_code == 405
    assert codes(response) == ["method_not_allowed"]
    outlet.refresh_from_db()
    assert outlet.name == "Harbour"


def test_options_offers_post_only_to_a_user_who_may_post(staff_api, manager_api):
    staff = staff_api.options(PRODUCTS)
    manager = manager_api.options(PRODUCTS)

    assert (staff.status_code, manager.status_code) == (200, 200)
    assert "POST" not in staff.json().get("actions", {})
    assert "name" in manager.json()["actions"]["POST"]


def test_head_is_allowed_where_get_is(staff_api):
    ProductFactory(name="Grinder")

    assert staff_api.head(PRODUCTS).status_code == 200
    assert staff_api.head("/api/v1/lookup/?serial=X").status_code == 200


# Products: barcode and serial number format


def test_a_manager_adds_a_product_with_a_barcode_and_a_pattern(manager_api):
    body = {**NEW, "barcode": " 012345678905 ", "serial_format": "pattern"}
    response = manager_api.post(PRODUCTS, {**body, "serial_pattern": "SN-#####"}, format="json")
    assert response.status_code == 201
    row = response.json()
    assert (row["barcode"], row["gtin"]) == ("012345678905", "00012345678905")
    assert (row["serial_format"], row["serial_pattern"]) == ("pattern", "SN-#####")
    product = Product.objects.get()
    assert (product.barcode, product.serial_pattern) == ("012345678905", "SN-#####")


@pytest.mark.parametrize(
    ("barcode", "code", "message"),
    [
        ("4006381333932", "barcode_check_digit", "The check digit of this barcode should be 1."),
        ("12345", "barcode_invalid", "Enter a barcode of 8, 12, 13 or 14 digits."),
        ("1" * 15, "max_length", "Enter a barcode of 8, 12, 13 or 14 digits."),
    ],
)
def test_a_bad_barcode_is_refused_with_its_code(manager_api, barcode, code, message):
    response = manager_api.post(PRODUCTS, {**NEW, "barcode": barcode}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": code, "message": message, "field": "barcode"}]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    "barcode", ["40063813\x003931", "\u202e4006381333931", "💥" * 13, 4006381333931]
)
def test_a_hostile_barcode_is_refused(manager_api, barcode):
    response = manager_api.post(PRODUCTS, {**NEW, "barcode": barcode}, format="json")
    assert response.status_code == 400
    assert not Product.objects.exists()


def test_a_barcode_another_product_has_as_gtin_14_is_refused_naming_it(manager_api):
    ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="0012345678905")
    response = manager_api.post(PRODUCTS, {**NEW, "barcode": "012345678905"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "barcode_taken",
            "message": "Another product, Rancilio Silvia (RS-1), has this barcode.",
            "field": "barcode",
        }
    ]
    assert Product.objects.count() == 1


def test_the_gtin_is_the_servers_and_follows_a_changed_barcode(manager_api):
    product = ProductFactory(barcode="4006381333931")
    response = manager_api.patch(
        product_url(product), {"barcode": "96385074", "gtin": "09506000134352"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["barcode"], response.json()["gtin"]) == ("96385074", "00000096385074")
    product.refresh_from_db()
    assert product.gtin == "00000096385074"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"serial_format": "pattern"}, "pattern_required", "serial_pattern"),
        ({"serial_format": "imei", "serial_pattern": "SN-#"}, "pattern_unused", "serial_pattern"),
        (
            {"serial_format": "pattern", "serial_pattern": "SN,#"},
            "pattern_invalid",
            "serial_pattern",
        ),
        ({"serial_format": "regex"}, "invalid_choice", "serial_format"),
        (
            {"serial_format": "pattern", "serial_pattern": "#" * 101},
            "max_length",
            "serial_pattern",
        ),
    ],
)
def test_a_format_and_pattern_that_do_not_go_together_are_refused(manager_api, body, code, field):
    product = ProductFactory()
    response = manager_api.patch(product_url(product), body, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["code"], error["field"]) == (code, field)
    product.refresh_from_db()
    assert (product.serial_format, product.serial_pattern) == ("any", "")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"barcode": "0012345678905"}, ["Kettle"]),
        ({"barcode": "]d20100012345678905215"}, ["Kettle"]),
        ({"barcode": "96385074"}, []),
        ({"barcode": "junk"}, []),
        ({"has_barcode": "true"}, ["Kettle"]),
        ({"has_barcode": "false"}, ["Grinder"]),
        ({"q": "012345678905"}, ["Kettle"]),
    ],
)
def test_products_are_found_by_barcode(staff_api, query, expected):
    ProductFactory(name="Grinder", sku="GR-1", barcode="")
    ProductFactory(name="Kettle", sku="KT-9", barcode="012345678905")
    response = staff_api.get(PRODUCTS, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_the_schema_documents_barcode_and_serial_format(manager_api):
    schema = manager_api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    properties = schema.json()["components"]["schemas"]["Product"]["properties"]
    assert properties["barcode"]["maxLength"] == 14
    assert properties["gtin"]["readOnly"] is True
    assert {"serial_format", "serial_pattern"} <= set(properties)
    parameters = {
        parameter["name"]
        for parameter in schema.json()["paths"]["/api/v1/products/"]["get"]["parameters"]
    }
    assert {"barcode", "has_barcode"} <= parameters
