"""A product's Supplier and Supplier code: the form, the service, the list filter, the page."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Product
from catalog.selectors import supplier_code_owner
from catalog.services import product_create, product_update
from tests.catalog.test_views import form_data
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/catalog/products/add/"


def edit_url(product: Product) -> str:
    return reverse("catalog:product_update", args=[product.pk])


def error_codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def supplier_options(html: str) -> list[str]:
    select = re.search(r'<select name="supplier"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, "no Supplier select"
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select[1])]


# The service ---------------------------------------------------------------


def test_a_product_is_created_with_its_supplier_and_trimmed_code():
    supplier = SupplierFactory(name="Coffee Gear")
    product = product_create(
        name="Grinder", sku="G-1", retail_price=10, supplier=supplier, supplier_code=" CG-77 "
    )
    product.refresh_from_db()
    assert (product.supplier, product.supplier_code) == (supplier, "CG-77")


def test_a_supplier_code_is_unique_per_supplier_ignoring_case():
    supplier = SupplierFactory(name="Coffee Gear")
    first = ProductFactory(name="Grinder", sku="G-1", supplier=supplier, supplier_code="CG-77")
    with pytest.raises(ValidationError) as refused:
        product_create(
            name="Mill", sku="M-1", retail_price=10, supplier=supplier, supplier_code="cg-77"
        )
    assert error_codes(refused.value) == {"supplier_code": ["supplier_code_taken"]}
    assert refused.value.error_dict["supplier_code"][0].messages == [
        f"Another product of this supplier, {first}, has this supplier code."
    ]
    assert Product.objects.count() == 1


def test_another_supplier_may_use_the_same_code():
    ProductFactory(sku="G-1", supplier=SupplierFactory(name="A"), supplier_code="77")
    other = SupplierFactory(name="B")
    product = product_create(
        name="Mill", sku="M-1", retail_price=10, supplier=other, supplier_code="77"
    )
    assert product.pk is not None


def test_a_product_keeps_its_own_code_on_update():
    supplier = SupplierFactory()
    product = ProductFactory(supplier=supplier, supplier_code="CG-77")
    product_update(product=product, supplier_code="cg-77", name="Renamed")
    product.refresh_from_db()
    assert (product.supplier_code, product.name) == ("cg-77", "Renamed")


def test_moving_a_product_to_a_supplier_whose_code_it_would_share_is_refused():
    first, second = SupplierFactory(name="A"), SupplierFactory(name="B")
    ProductFactory(sku="B-1", supplier=second, supplier_code="77")
    product = ProductFactory(sku="A-1", supplier=first, supplier_code="77")
    with pytest.raises(ValidationError) as refused:
        product_update(product=product, supplier=second)
    assert error_codes(refused.value) == {"supplier_code": ["supplier_code_taken"]}
    product.refresh_from_db()
    assert product.supplier == first


def test_a_code_without_a_supplier_is_refused():
    with pytest.raises(ValidationError) as refused:
        product_create(name="Mill", sku="M-1", retail_price=10, supplier_code="77")
    assert error_codes(refused.value) == {"supplier_code": ["supplier_code_without_supplier"]}
    assert not Product.objects.exists()


def test_an_inactive_supplier_cannot_be_chosen_but_is_kept_as_a_products_own():
    inactive = SupplierFactory(name="Old Parts", is_active=False)
    with pytest.raises(ValidationError) as refused:
        product_create(name="Mill", sku="M-1", retail_price=10, supplier=inactive)
    assert error_codes(refused.value) == {"supplier": ["supplier_inactive"]}
    assert refused.value.error_dict["supplier"][0].messages == [
        "Supplier “Old Parts” is inactive; choose an active supplier."
    ]
    kept = ProductFactory(supplier=inactive)
    product_update(product=kept, name="Still from Old Parts")
    kept.refresh_from_db()
    assert (kept.name, kept.supplier) == ("Still from Old Parts", inactive)
    other = ProductFactory()
    with pytest.raises(ValidationError) as refused:
        product_update(product=other, supplier=inactive)
    assert error_codes(refused.value) == {"supplier": ["supplier_inactive"]}


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("x" * 65, "max_length"),
        ("CG\x0077", "control_character"),
        ("CG-77\u200b", "control_character"),
        ("CG\t77", "control_character"),
    ],
)
def test_hostile_supplier_codes_are_refused(code, error):
    supplier = SupplierFactory()
    with pytest.raises(ValidationError) as refused:
        product_create(
            name="Mill", sku="M-1", retail_price=10, supplier=supplier, supplier_code=code
        )
    assert error in error_codes(refused.value)["supplier_code"]
    assert not Product.objects.exists()


def test_a_unicode_supplier_code_is_kept():
    supplier = SupplierFactory()
    product = product_create(
        name="Mill", sku="M-1", retail_price=10, supplier=supplier, supplier_code="Ü-77/β"
    )
    product.refresh_from_db()
    assert product.supplier_code == "Ü-77/β"


# Selectors for a supplier list -----------------------------------------------


def test_a_supplier_code_is_found_ignoring_case_within_its_supplier():
    supplier, other = SupplierFactory(name="A"), SupplierFactory(name="B")
    grinder = ProductFactory(sku="G-1", supplier=supplier, supplier_code="CG-77")
    ProductFactory(sku="O-1", supplier=other, supplier_code="CG-79")
    assert supplier_code_owner(supplier=supplier, code="CG-79") is None
    assert supplier_code_owner(supplier=supplier, code="Cg-77") == grinder
    assert supplier_code_owner(supplier=supplier, code=" ") is None


# The form ------------------------------------------------------------------


def test_the_product_form_has_supplier_and_supplier_code_after_brand(manager_client):
    SupplierFactory(name="Voltride")
    SupplierFactory(name="Coffee Gear")
    SupplierFactory(name="Old Parts", is_active=False)
    html = manager_client.get(ADD_URL).content.decode()
    brand = html.index('name="brand"')
    supplier = html.index('name="supplier"')
    code = html.index('name="supplier_code"')
    assert brand < supplier < code < html.index('name="retail_price"')
    for label in ("Supplier", "Supplier code"):
        assert re.search(rf"<label[^>]*>\s*{label}\s*(<|$)", html, re.M), label
    # Active suppliers only, by name; "None" for no supplier.
    assert supplier_options(html) == ["None", "Coffee Gear", "Voltride"]


def test_the_edit_form_keeps_the_products_inactive_supplier(manager_client):
    inactive = SupplierFactory(name="Old Parts", is_active=False)
    SupplierFactory(name="Coffee Gear")
    product = ProductFactory(supplier=inactive, supplier_code="OP-1")
    html = manager_client.get(edit_url(product)).content.decode()
    assert supplier_options(html) == ["None", "Coffee Gear", "Old Parts (inactive)"]
    assert re.search(rf'<option value="{inactive.pk}" selected>', html)
    response = manager_client.post(
        edit_url(product),
        form_data(product, supplier=str(inactive.pk), supplier_code="OP-1", name="Renamed"),
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.supplier, product.supplier_code) == ("Renamed", inactive, "OP-1")


def test_a_manager_gives_a_product_its_supplier_and_code(manager_client):
    supplier = SupplierFactory(name="Coffee Gear")
    response = manager_client.post(
        ADD_URL, form_data(supplier=str(supplier.pk), supplier_code="CGW-ESP-900")
    )
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.supplier, product.supplier_code) == (supplier, "CGW-ESP-900")
    page = manager_client.get(product.get_absolute_url()).content.decode()
    assert re.search(r"<dt[^>]*>Supplier</dt><dd[^>]*>Coffee Gear</dd>", page)
    assert re.search(r"<dt[^>]*>Supplier code</dt><dd[^>]*>CGW-ESP-900</dd>", page)


def test_a_product_without_supplier_says_so_on_its_page(staff_client):
    product = ProductFactory()
    page = staff_client.get(product.get_absolute_url()).content.decode()
    assert re.search(r"<dt[^>]*>Supplier</dt><dd[^>]*>–</dd>", page)


def test_a_taken_supplier_code_is_refused_next_to_its_field(manager_client):
    supplier = SupplierFactory(name="Coffee Gear")
    owner = ProductFactory(name="Grinder", sku="G-1", supplier=supplier, supplier_code="CG-77")
    response = manager_client.post(
        ADD_URL, form_data(supplier=str(supplier.pk), supplier_code="cg-77")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["supplier_code"] == [
        f"Another product of this supplier, {owner}, has this supplier code."
    ]
    assert form.has_error("supplier_code", code="supplier_code_taken")
    assert 'value="cg-77"' in response.content.decode()
    assert Product.objects.count() == 1


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "\u0661", "inactive"])
def test_a_supplier_not_offered_is_refused_on_the_form(manager_client, value):
    inactive = SupplierFactory(name="Old Parts", is_active=False)
    chosen = str(inactive.pk) if value == "inactive" else value
    response = manager_client.post(ADD_URL, form_data(supplier=chosen))
    assert response.status_code == 200
    assert response.context["form"].errors["supplier"] == ["Choose an active supplier."]
    assert not Product.objects.exists()


def test_a_code_without_supplier_is_refused_on_the_form(manager_client):
    response = manager_client.post(ADD_URL, form_data(supplier="", supplier_code="77"))
    assert response.status_code == 200
    assert response.context["form"].errors["supplier_code"] == [
        "Choose the supplier this code belongs to, or clear Supplier code."
    ]
    assert not Product.objects.exists()


# The Products list's Supplier filter -------------------------------------------


def test_the_products_list_filters_by_supplier(staff_client):
    supplier = SupplierFactory(name="Coffee Gear")
    SupplierFactory(name="Old Parts", is_active=False)
    ProductFactory(name="Grinder", supplier=supplier)
    ProductFactory(name="Helmet")
    html = staff_client.get("/catalog/products/").content.decode()
    assert re.search(r"<label[^>]*>\s*Supplier\s*<", html)
    # Inactive suppliers too: their products are still in the catalog.
    assert "Old Parts" in html
    html = staff_client.get("/catalog/products/", {"supplier": supplier.pk}).content.decode()
    assert "Grinder" in html
    assert "Helmet" not in html


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "\u0661\u0662"])
def test_a_hostile_supplier_filter_shows_the_page(staff_client, value):
    ProductFactory(name="Grinder", supplier=SupplierFactory())
    response = staff_client.get("/catalog/products/", {"supplier": value})
    assert response.status_code == 200
