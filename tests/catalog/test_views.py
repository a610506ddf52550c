import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Product
from inventory.models import SerialStatus
from tests.factories import ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/catalog/products/"


def form_data(product=None, **changes):
    data = {
        "name": "Espresso Machine Barista 900",
        "sku": "BAR-ESP-900",
        "brand": "Barista Co",
        "retail_price": "1299.00",
        "warranty_months": "24",
        "is_active": "on",
        # What the browser sends for the select and the boxes left as they are.
        "serial_format": "any",
        "barcode": "",
        "serial_pattern": "",
    }
    if product is not None:
        data.update(
            name=product.name,
            sku=product.sku,
            brand=product.brand,
            retail_price=str(product.retail_price),
            warranty_months=str(product.warranty_months),
            barcode=product.barcode,
            serial_format=product.serial_format,
            serial_pattern=product.serial_pattern,
        )
        if product.has_serial_numbers:
            data["has_serial_numbers"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The list ------------------------------------------------------------------


def test_the_products_list_has_its_url_and_filters(staff_client):
    ProductFactory(name="Pool Pump", sku="AQU-1")
    assert reverse("catalog:product_list") == LIST_URL
    html = staff_client.get(LIST_URL).content.decode()
    assert "Pool Pump" in html
    for label in ("Search", "Brand", "Has serial numbers", "Active", "Sort by"):
        assert re.search(rf"<label[^>]*>\s*{re.escape(label)}\s*<", html), label


def test_staff_sees_products_without_add_or_edit(staff_client):
    product = ProductFactory(name="Pool Pump")
    response = staff_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="{product.get_absolute_url()}">Pool Pump</a>' in html
    # What a manager sees on the same row (the next test), absent for Staff.
    assert "Add product" not in html
    assert reverse("catalog:product_create") not in html
    assert reverse("catalog:product_update", args=[product.pk]) not in html
    assert 'aria-label="Edit"' not in html


def test_managers_see_add_product_and_an_edit_pencil_per_row(manager_client):
    product = ProductFactory()
    html = manager_client.get(LIST_URL).content.decode()
    add = re.search(
        rf'<form method="get" action="{reverse("catalog:product_create")}"[^>]*>(.*?)</form>', html
    )
    assert re.search(r'<button type="submit"[^>]*>Add product</button>', add.group(1))
    edit_url = reverse("catalog:product_update", args=[product.pk])
    pencil = re.search(rf'<a [^>]*href="{edit_url}"[^>]*>', html).group(0)
    assert 'aria-label="Edit"' in pencil and 'title="Edit"' in pencil
    assert "<svg" in html


def test_the_list_filters_through_the_query_string(staff_client):
    ProductFactory(name="E-Bike City", has_serial_numbers=True)
    ProductFactory(name="Bike Helmet", has_serial_numbers=False)
    html = staff_client.get(LIST_URL, {"q": "bike", "has_serial_numbers": "false"}).content
    assert b"Bike Helmet" in html
    assert b"E-Bike City" not in html


def test_pagination_keeps_the_filters_in_its_links(staff_client, settings):
    settings.SERIALDESK_PAGE_SIZE = 2
    for n in range(5):
        ProductFactory(name=f"Phone {n}", brand="Nova")
    ProductFactory(name="Other", brand="Voltride")
    response = staff_client.get(LIST_URL, {"brand": "Nova", "ordering": "-name", "page": "2"})
    html = response.content.decode()
    assert [p.name for p in response.context["object_list"]] == ["Phone 2", "Phone 1"]
    assert "Page 2 of 3" in html
    assert 'href="?brand=Nova&amp;ordering=-name&amp;page=3"' in html
    assert 'href="?brand=Nova&amp;ordering=-name&amp;page=1"' in html


def test_the_list_costs_the_same_queries_for_5_and_60_products(manager_client):
    def queries_for(count):
        Product.objects.all().delete()
        ProductFactory.create_batch(count)
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(LIST_URL, {"has_serial_numbers": "true"})
        assert response.status_code == 200
        return len(queries)

    assert queries_for(5) == queries_for(60)


# Add and edit ---------------------------------------------------------------


def test_add_and_edit_forms_have_the_procedures_labels_and_save(manager_client):
    product = ProductFactory()
    for url, heading in [
        (reverse("catalog:product_create"), "Add product"),
        (reverse("catalog:product_update", args=[product.pk]), "Edit product"),
    ]:
        html = manager_client.get(url).content.decode()
        assert re.search(rf"<h1[^>]*>{heading}</h1>", html)
        for label in (
            "Name",
            "SKU",
            "Brand",
            "Retail price",
            "Warranty (months)",
            "Active",
            "Has serial numbers",
        ):
            assert re.search(rf"<label[^>]*>\s*{re.escape(label)}\s*(<|$)", html, re.M), label
        assert re.search(r"<legend><h2[^>]*>Serial numbers</h2></legend>", html)
        serial_section = html.split("Serial numbers</h2>")[1]
        assert 'name="has_serial_numbers"' in serial_section
        assert re.search(r'<input type="submit"\s+name="save"\s+value="Save"', html)


def test_manager_adds_a_product_and_lands_on_its_page(manager_client):
    response = manager_client.post(reverse("catalog:product_create"), form_data())
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == f"/catalog/products/{product.pk}/"
    assert (product.sku, product.retail_price, product.warranty_months) == (
        "BAR-ESP-900",
        Decimal("1299.00"),
        24,
    )
    assert message_texts(response) == ["Product “Espresso Machine Barista 900” added."]


def test_a_taken_sku_is_refused_next_to_the_sku_field(manager_client):
    ProductFactory(sku="BAR-ESP-900")
    response = manager_client.post(reverse("catalog:product_create"), form_data(sku="bar-esp-900"))
    assert response.status_code == 200
    assert response.context["form"].errors["sku"] == ["A product with this SKU already exists."]
    assert 'value="bar-esp-900"' in response.content.decode()
    assert Product.objects.count() == 1


def test_a_negative_price_is_refused_on_the_form(manager_client):
    response = manager_client.post(reverse("catalog:product_create"), form_data(retail_price="-1"))
    assert response.status_code == 200
    assert "retail_price" in response.context["form"].errors
    assert not Product.objects.exists()


def test_manager_turns_serial_numbers_on(manager_client):
    product = ProductFactory(name="Pool Pump", has_serial_numbers=False)
    response = manager_client.post(
        reverse("catalog:product_update", args=[product.pk]),
        form_data(product, has_serial_numbers="on"),
    )
    assert response.status_code == 302
    assert response.url == product.get_absolute_url()
    product.refresh_from_db()
    assert product.has_serial_numbers is True
    assert message_texts(response) == ["Product “Pool Pump” saved."]


def test_turning_serials_off_on_the_form_is_refused_while_units_are_in_stock(manager_client):
    product = ProductFactory(name="E-Bike", has_serial_numbers=True)
    SerialRecordFactory(product=product, status=SerialStatus.IN_STOCK)
    response = manager_client.post(
        reverse("catalog:product_update", args=[product.pk]),
        form_data(product, name="E-Bike City", has_serial_numbers=None),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["has_serial_numbers"]
    assert errors == [
        "Serial numbers cannot be turned off: 1 serial number of this product is In stock. "
        "Sell it, write it off or mark it faulty first."
    ]
    assert "Sell it, write it off" in response.content.decode()
    product.refresh_from_db()
    assert (product.name, product.has_serial_numbers) == ("E-Bike", True)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", ["catalog:product_create", "catalog:product_update"])
def test_staff_may_not_add_or_edit_products(staff_client, method, name):
    product = ProductFactory(name="Keep", has_serial_numbers=False)
    url = reverse(name, args=[product.pk] if name.endswith("update") else [])
    response = getattr(staff_client, method)(url, form_data(product, has_serial_numbers="on"))
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.has_serial_numbers is False
    assert Product.objects.count() == 1


# The product page and the dashboard -----------------------------------------


def test_the_product_page_shows_the_catalog_data(staff_client):
    product = ProductFactory(name="Pool Pump", sku="AQU-1", brand="AquaFlow", warranty_months=24)
    html = staff_client.get(f"/catalog/products/{product.pk}/").content.decode()
    assert re.search(r"<h1[^>]*>Pool Pump</h1>", html)
    assert "AQU-1" in html and "AquaFlow" in html and "24" in html
    assert "Edit product" not in html


def test_a_missing_product_is_a_404(staff_client):
    assert staff_client.get("/catalog/products/999999/").status_code == 404


def test_the_menu_has_catalog_products_and_inventory_stock(staff_client):
    html = staff_client.get("/").content.decode()
    catalog = html.index(">Catalog</a>")
    assert catalog < html.index(f'href="{LIST_URL}">Products</a>') < html.index(">Inventory</a>")
    stock = html.index('href="/inventory/stock/">Stock</a>')
    assert html.index(">Outlets</a>") < stock < html.index("</ul>", stock)
