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
    newer = ProductFactory(name="Newer", sku="N-1", brand="Acme", retail_price=Decimal("5"))
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
