"""/api/v1/suppliers/ and a product's supplier fields: Catalog > Suppliers as endpoints."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from catalog.models import Product, Supplier
from tests.api.helpers import codes, errors
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SUPPLIERS = "/api/v1/suppliers/"
PRODUCTS = "/api/v1/products/"
NEW = {
    "name": " Coffee Gear ",
    "email": "orders@cg.example.com",
    "phone": "+1 555 0100",
    "address": "12 Roastery Lane",
}


def supplier_url(supplier: Supplier) -> str:
    return f"{SUPPLIERS}{supplier.pk}/"


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def field_codes(response) -> list[tuple[str, str | None]]:
    return [(error["code"], error.get("field")) for error in errors(response)]


# Reading


def test_staff_lists_suppliers_newest_first(staff_api):
    SupplierFactory(name="Older")
    newer = SupplierFactory(name="Newer", email="a@n.example.com", phone="555", address="Dock 3")
    response = staff_api.get(SUPPLIERS)
    assert response.status_code == 200
    assert names(response) == ["Newer", "Older"]
    row = response.json()["results"][0]
    assert parse_datetime(row.pop("created_at")) == newer.created_at
    assert parse_datetime(row.pop("updated_at")) == newer.updated_at
    assert row == {
        "id": newer.pk,
        "name": "Newer",
        "email": "a@n.example.com",
        "phone": "555",
        "address": "Dock 3",
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "gear"}, ["Coffee Gear"]),
        ({"q": "volt"}, ["Voltride"]),
        ({"q": "0199"}, ["Old Parts"]),
        ({"is_active": "false"}, ["Old Parts"]),
        ({"is_active": "true"}, ["Voltride", "Coffee Gear"]),
    ],
)
def test_suppliers_are_filtered_like_the_suppliers_page(staff_api, query, expected):
    SupplierFactory(name="Coffee Gear", phone="555 0100")
    SupplierFactory(name="Voltride", email="trade@voltride.example.com")
    SupplierFactory(name="Old Parts", phone="555 0199", is_active=False)
    response = staff_api.get(SUPPLIERS, query)
    assert response.status_code == 200
    assert names(response) == expected


def test_the_supplier_list_costs_the_same_queries_for_more_rows(staff_api):
    SupplierFactory()
    staff_api.get(SUPPLIERS)  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as few:
        staff_api.get(SUPPLIERS)
    SupplierFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        staff_api.get(SUPPLIERS)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_staff_gets_one_supplier_and_an_unknown_one_is_404(staff_api):
    supplier = SupplierFactory(name="Coffee Gear")
    response = staff_api.get(supplier_url(supplier))
    assert response.status_code == 200
    assert response.json()["name"] == "Coffee Gear"
    for missing in ("999999", "99999999999999999999", "abc", "%D9%A1"):
        response = staff_api.get(f"{SUPPLIERS}{missing}/")
        assert response.status_code == 404, missing
        assert codes(response) == ["not_found"]


# Adding and changing


def test_a_manager_adds_a_supplier(manager_api):
    response = manager_api.post(SUPPLIERS, NEW, format="json")
    assert response.status_code == 201
    supplier = Supplier.objects.get()
    assert response.json()["id"] == supplier.pk
    assert (supplier.name, supplier.email, supplier.phone, supplier.address) == (
        "Coffee Gear",
        "orders@cg.example.com",
        "+1 555 0100",
        "12 Roastery Lane",
    )
    assert supplier.is_active is True


def test_a_taken_name_is_refused_whatever_its_case(manager_api):
    SupplierFactory(name="coffee gear")
    response = manager_api.post(SUPPLIERS, NEW, format="json")
    assert response.status_code == 400
    assert errors(response) == [
        {
            "code": "supplier_name_taken",
            "message": "A supplier with this name already exists.",
            "field": "name",
        }
    ]
    assert Supplier.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("required", "name")]),
        ({"name": ""}, [("blank", "name")]),
        ({"name": 123}, [("invalid", "name")]),
        ({"name": "x" * 201}, [("max_length", "name")]),
        ({"name": "A\x1bB"}, [("control_character", "name")]),
        ({"name": "A", "email": "not an email"}, [("invalid", "email")]),
        ({"name": "A", "phone": "5" * 51}, [("max_length", "phone")]),
        ({"name": "A", "phone": "555\u200b"}, [("control_character", "phone")]),
        ({"name": "A", "address": ["Dock 3"]}, [("invalid", "address")]),
    ],
)
def test_bad_supplier_input_is_refused_with_its_code(manager_api, body, expected):
    response = manager_api.post(SUPPLIERS, body, format="json")
    assert response.status_code == 400
    assert field_codes(response) == expected
    assert not Supplier.objects.exists()


def test_a_nul_in_a_name_is_refused(manager_api):
    response = manager_api.post(SUPPLIERS, {"name": "A\x00B"}, format="json")
    assert response.status_code == 400
    assert codes(response) == ["nul_character"]
    assert not Supplier.objects.exists()


def test_a_manager_deactivates_and_renames_a_supplier(manager_api):
    supplier = SupplierFactory(name="Coffee Gear", phone="555")
    response = manager_api.patch(
        supplier_url(supplier), {"is_active": False, "name": "Coffee Gear Ltd"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    supplier.refresh_from_db()
    assert (supplier.name, supplier.phone, supplier.is_active) == ("Coffee Gear Ltd", "555", False)


def test_a_replacement_must_name_the_supplier(manager_api):
    supplier = SupplierFactory(name="Coffee Gear", phone="555")
    response = manager_api.put(supplier_url(supplier), {"phone": "556"}, format="json")
    assert response.status_code == 400
    assert field_codes(response) == [("required", "name")]
    response = manager_api.put(supplier_url(supplier), {"name": "Coffee Gear"}, format="json")
    assert response.status_code == 200
    supplier.refresh_from_db()
    # What a replacement leaves out is kept, as for products.
    assert (supplier.name, supplier.phone) == ("Coffee Gear", "555")


def test_renaming_to_a_taken_name_is_refused(manager_api):
    SupplierFactory(name="Taken")
    supplier = SupplierFactory(name="Mine")
    response = manager_api.patch(supplier_url(supplier), {"name": "TAKEN"}, format="json")
    assert response.status_code == 400
    assert field_codes(response) == [("supplier_name_taken", "name")]
    supplier.refresh_from_db()
    assert supplier.name == "Mine"


# Who may do what


def test_staff_may_not_add_a_supplier(staff_api):
    response = staff_api.post(SUPPLIERS, NEW, format="json")
    assert response.status_code == 403
    assert codes(response) == ["permission_denied"]
    assert not Supplier.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
def test_staff_may_not_change_a_supplier(staff_api, method):
    supplier = SupplierFactory(name="Coffee Gear")
    response = getattr(staff_api, method)(supplier_url(supplier), {"name": "X"}, format="json")
    assert response.status_code == 403
    supplier.refresh_from_db()
    assert supplier.name == "Coffee Gear"


def test_suppliers_are_not_deleted_through_the_api(manager_api):
    supplier = SupplierFactory()
    response = manager_api.delete(supplier_url(supplier))
    assert response.status_code == 405
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_an_anonymous_call_is_401(anonymous_api):
    response = anonymous_api.get(SUPPLIERS)
    assert response.status_code == 401
    assert codes(response) == ["not_authenticated"]


# A product's supplier and supplier code


def test_a_product_names_its_supplier_and_code(staff_api):
    supplier = SupplierFactory(name="Coffee Gear")
    product = ProductFactory(supplier=supplier, supplier_code="CG-77")
    row = staff_api.get(f"{PRODUCTS}{product.pk}/").json()
    assert (row["supplier"], row["supplier_code"]) == (supplier.pk, "CG-77")


def test_products_are_filtered_by_supplier(staff_api):
    supplier = SupplierFactory()
    ProductFactory(name="Grinder", supplier=supplier)
    ProductFactory(name="Helmet")
    response = staff_api.get(PRODUCTS, {"supplier": supplier.pk})
    assert names(response) == ["Grinder"]
    response = staff_api.get(PRODUCTS, {"supplier": "abc"})
    assert response.status_code == 400
    assert field_codes(response) == [("invalid", "supplier")]


def test_a_manager_adds_a_product_with_its_supplier(manager_api):
    supplier = SupplierFactory()
    body = {"name": "Grinder", "sku": "G-1", "retail_price": "9.00"}
    response = manager_api.post(
        PRODUCTS, {**body, "supplier": supplier.pk, "supplier_code": " CG-77 "}, format="json"
    )
    assert response.status_code == 201
    product = Product.objects.get()
    assert (product.supplier, product.supplier_code) == (supplier, "CG-77")
    assert (response.json()["supplier"], response.json()["supplier_code"]) == (
        supplier.pk,
        "CG-77",
    )


def test_a_manager_clears_a_products_supplier(manager_api):
    product = ProductFactory(supplier=SupplierFactory(), supplier_code="")
    response = manager_api.patch(f"{PRODUCTS}{product.pk}/", {"supplier": None}, format="json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.supplier is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "incorrect_type"),
        (True, "incorrect_type"),
        (99999999999999999999, "does_not_exist"),
        (999999, "does_not_exist"),
        ("inactive", "supplier_inactive"),
    ],
)
def test_a_bad_supplier_for_a_product_is_refused(manager_api, value, code):
    inactive = SupplierFactory(is_active=False)
    product = ProductFactory()
    supplier = inactive.pk if value == "inactive" else value
    response = manager_api.patch(f"{PRODUCTS}{product.pk}/", {"supplier": supplier}, format="json")
    assert response.status_code == 400
    assert field_codes(response) == [(code, "supplier")]
    product.refresh_from_db()
    assert product.supplier is None


def test_a_taken_supplier_code_is_refused_for_a_product(manager_api):
    supplier = SupplierFactory()
    ProductFactory(sku="G-1", supplier=supplier, supplier_code="CG-77")
    product = ProductFactory(sku="M-1", supplier=supplier)
    response = manager_api.patch(
        f"{PRODUCTS}{product.pk}/", {"supplier_code": "cg-77"}, format="json"
    )
    assert response.status_code == 400
    assert field_codes(response) == [("supplier_code_taken", "supplier_code")]
    product.refresh_from_db()
    assert product.supplier_code == ""
