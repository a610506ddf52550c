"""Stock on hand against In stock serials on the product page and Inventory > Stock,
and the Add Serial numbers form opened with product and outlet filled in."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Outlet, SerialStatus, StockLevel
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("inventory:serial_create")
STOCK_URL = reverse("inventory:stock_list")


def shelf(product, outlet, *, on_hand, in_stock, sold=0):
    StockLevel.objects.create(product=product, outlet=outlet, on_hand=on_hand)
    SerialRecordFactory.create_batch(in_stock, product=product, outlet=outlet)
    SerialRecordFactory.create_batch(
        sold, product=product, outlet=outlet, status=SerialStatus.SOLD
    )


def row_of(html, outlet_name):
    """The product page's table row of one outlet."""
    match = re.search(rf"<tr>\s*<th scope=\"row\"[^>]*>{outlet_name}.*?</tr>", html, re.S)
    assert match, outlet_name
    return match.group(0)


# Add Serial numbers, filled in -------------------------------------------------


def test_the_add_form_opens_with_the_product_and_outlet_of_the_link(staff_client):
    product = ProductFactory(name="Barista Pro", sku="BP-900")
    outlet = OutletFactory(name="Harbour Mall")
    OutletFactory(name="Main Street")

    response = staff_client.get(ADD_URL, {"product": product.pk, "outlet": outlet.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'name="product_search"[^>]*value="Barista Pro \(BP-900\)"', html)
    assert re.search(rf'type="hidden" name="product"[^>]*value="{product.pk}"', html)
    assert re.search(rf'<option value="{outlet.pk}" selected>Harbour Mall</option>', html)
    assert response.context["form"].errors == {}


def test_the_add_form_takes_the_product_alone(staff_client):
    product = ProductFactory(name="Barista Pro", sku="BP-900")
    OutletFactory(name="Main Street")

    response = staff_client.get(ADD_URL, {"product": product.pk})

    assert response.status_code == 200
    assert response.context["form"].initial == {"product": product}
    assert '<option value="" selected>Select an outlet</option>' in response.content.decode()


@pytest.mark.parametrize(
    "product_kwargs",
    [{"has_serial_numbers": False}, {"is_active": False}],
    ids=["without serial numbers", "inactive"],
)
def test_the_add_form_ignores_a_product_it_would_refuse(staff_client, product_kwargs):
    product = ProductFactory(name="Pool Pump", sku="PP-1", **product_kwargs)
    outlet = OutletFactory(name="Harbour Mall")

    response = staff_client.get(ADD_URL, {"product": product.pk, "outlet": outlet.pk})

    assert response.status_code == 200
    assert response.context["form"].initial == {"outlet": outlet}
    assert "Pool Pump" not in response.content.decode()


def test_the_add_form_ignores_an_inactive_outlet(staff_client):
    product = ProductFactory()
    closed = OutletFactory(name="Closed Store", is_active=False)

    response = staff_client.get(ADD_URL, {"product": product.pk, "outlet": closed.pk})

    assert response.status_code == 200
    assert response.context["form"].initial == {"product": product}
    assert "Closed Store" not in response.content.decode()


@pytest.mark.parametrize(
    "junk", ["abc", "-1", "0", "99999999999999999999999", "1.5", "²", "123456", " 7 "]
)
def test_the_add_form_ignores_ids_that_name_nothing(staff_client, junk):
    ProductFactory()
    OutletFactory()

    response = staff_client.get(ADD_URL, {"product": junk, "outlet": junk})

    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_the_filled_in_form_still_needs_the_add_permission(client):
    client.force_login(UserFactory(username="viewer"))
    product, outlet = ProductFactory(), OutletFactory()

    response = client.get(ADD_URL, {"product": product.pk, "outlet": outlet.pk})

    assert response.status_code == 403


# The product page -------------------------------------------------------------


def test_the_product_page_says_how_many_units_on_hand_have_no_serial(staff_client):
    product = ProductFactory()
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    shelf(product, main, on_hand=5, in_stock=2, sold=4)
    shelf(product, harbour, on_hand=4, in_stock=3)

    response = staff_client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert ">3 without serials</span>" in row_of(html, "Main Street")
    assert ">1 without serial</span>" in row_of(html, "Harbour Mall")


def test_the_product_page_says_how_many_in_stock_serials_have_no_stock(staff_client):
    product = ProductFactory()
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    shelf(product, main, on_hand=1, in_stock=3)
    SerialRecordFactory(product=product, outlet=harbour)  # no stock level row: 0 on hand

    response = staff_client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert ">2 serials without stock</span>" in row_of(html, "Main Street")
    assert ">1 serial without stock</span>" in row_of(html, "Harbour Mall")


def test_the_product_page_says_nothing_where_stock_and_serials_match(staff_client):
    product = ProductFactory()
    main = OutletFactory(name="Main Street")
    shelf(product, main, on_hand=3, in_stock=3, sold=2)

    response = staff_client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Main Street" in html
    assert "without serial" not in html
    assert "without stock" not in html


def test_a_product_without_serial_numbers_has_no_mismatch(staff_client):
    product = ProductFactory(has_serial_numbers=False)
    StockLevel.objects.create(product=product, outlet=OutletFactory(name="Main"), on_hand=6)

    response = staff_client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r">Main</th>\s*<td>\s*6\s*</td>", html)
    assert "without serial" not in html
    assert ">Add Serial numbers</button>" not in html


def test_add_serial_numbers_on_the_product_page_opens_the_form_with_the_product(staff_client):
    product = ProductFactory()

    response = staff_client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    form = re.search(rf'<form method="get" action="{ADD_URL}".*?</form>', html, re.S)
    assert form, "no Add Serial numbers form"
    assert f'<input type="hidden" name="product" value="{product.pk}">' in form.group(0)
    assert ">Add Serial numbers</button>" in form.group(0)


def test_each_outlet_short_of_serials_links_to_the_form_with_product_and_outlet(staff_client):
    product = ProductFactory()
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    closed = OutletFactory(name="Closed Store", is_active=False)
    shelf(product, main, on_hand=5, in_stock=2)
    shelf(product, harbour, on_hand=1, in_stock=1)
    shelf(product, closed, on_hand=2, in_stock=0)

    response = staff_client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    link = f'href="{ADD_URL}?product={product.pk}&amp;outlet={main.pk}">Add Serial numbers'
    assert link in row_of(html, "Main Street")
    assert '<span class="visually-hidden"> at Main Street</span>' in row_of(html, "Main Street")
    # Matching counts need none; the add form takes no inactive outlet.
    assert ADD_URL not in row_of(html, "Harbour Mall")
    assert ">2 without serials</span>" in row_of(html, "Closed Store")
    assert ADD_URL not in row_of(html, "Closed Store")


def test_without_the_add_permission_the_page_offers_no_add_serial_numbers(client):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_product"))
    client.force_login(viewer)
    product = ProductFactory()
    shelf(product, OutletFactory(name="Main Street"), on_hand=5, in_stock=2)

    response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert ">3 without serials</span>" in html
    assert ADD_URL not in html


def test_the_product_page_costs_the_same_queries_for_2_and_20_outlets_with_gaps(staff_client):
    product = ProductFactory()

    def queries_for(outlets):
        for outlet in OutletFactory.create_batch(outlets):
            shelf(product, outlet, on_hand=4, in_stock=1)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(product.get_absolute_url())
        assert response.status_code == 200
        shown = response.content.decode().count(">3 without serials</span>")
        assert shown == Outlet.objects.count()
        return len(queries)

    few = queries_for(2)
    assert queries_for(18) == few  # 20 outlets in all


# Inventory > Stock ------------------------------------------------------------


def test_the_stock_list_shows_the_mismatch_in_the_product_pages_words(staff_client):
    machine = ProductFactory(name="Barista Pro")
    grinder = ProductFactory(name="Grinder")
    helmet = ProductFactory(name="Helmet", has_serial_numbers=False)
    main = OutletFactory(name="Main Street")
    shelf(machine, main, on_hand=5, in_stock=2, sold=3)
    shelf(grinder, main, on_hand=1, in_stock=3)
    StockLevel.objects.create(product=helmet, outlet=main, on_hand=7)
    SerialRecordFactory(product=machine, outlet=OutletFactory(), status=SerialStatus.IN_STOCK)

    response = staff_client.get(STOCK_URL)

    assert response.status_code == 200
    levels = {level.product.name: level.serial_gap for level in response.context["object_list"]}
    assert levels == {"Barista Pro": 3, "Grinder": -2, "Helmet": 7}
    html = response.content.decode()
    rows = {name: re.search(rf">{name}</a>.*?</tr>", html, re.S).group(0) for name in levels}
    assert ">3 without serials</span>" in rows["Barista Pro"]
    assert ">2 serials without stock</span>" in rows["Grinder"]
    # Not serialised: on hand alone, no mismatch.
    assert re.search(r'<td class="text-end">7</td>', rows["Helmet"])
    assert "without serial" not in rows["Helmet"]


def test_the_stock_list_says_nothing_where_stock_and_serials_match(staff_client):
    product = ProductFactory(name="Barista Pro")
    shelf(product, OutletFactory(name="Main Street"), on_hand=2, in_stock=2)

    response = staff_client.get(STOCK_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<td class="text-end">2</td>', html)
    assert "without serial" not in html
    assert "without stock" not in html


def test_the_stock_list_costs_the_same_queries_for_5_and_50_rows_with_serials(staff_client):
    outlet = OutletFactory()

    def queries_for(rows):
        StockLevel.objects.all().delete()
        for product in ProductFactory.create_batch(rows):
            StockLevelFactory(product=product, outlet=outlet, on_hand=2)
            SerialRecordFactory(product=product, outlet=outlet)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(STOCK_URL)
        assert response.status_code == 200
        shown = len(response.context["object_list"])
        assert response.content.decode().count(">1 without serial</span>") == shown
        return len(queries)

    assert queries_for(5) == queries_for(50)
