"""Ids typed into a page's parameters: only ASCII digits name a row.

`int("١٢")` is 12 and `int("１")` is 1, and `"²".isdigit()` is true though
`int("²")` fails (a 500 on Add Serial numbers and New sale). With products and
outlets whose ids really are 1 and 12, none of these values may pick them.
"""

import re

import pytest
from django.urls import reverse

from inventory.models import SerialRecord
from sales.models import Sale
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["\u00b2", "\u0661\u0662", "\uff11", "", "-1", "9" * 30]
ADD_URL = reverse("inventory:serial_create")
NEW_SALE = reverse("sales:sale_create")


@pytest.fixture
def rows(db):
    """Products and outlets 1 and 12: what the Unicode digits would be read as."""
    one = ProductFactory(pk=1, name="Product One", sku="ONE-1")
    twelve = ProductFactory(pk=12, name="Product Twelve", sku="TWELVE-12")
    main, harbour = OutletFactory(pk=1, name="Main Street"), OutletFactory(pk=12, name="Harbour")
    return {"one": one, "twelve": twelve, "main": main, "harbour": harbour}


def box_value(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    assert found, f"no {name} box on the page"
    return found[1]


def selected_outlets(html: str) -> list[str]:
    select = re.search(r'<select name="outlet".*?</select>', html, re.S)
    assert select, "no Outlet on the page"
    return re.findall(r'<option value="(\d+)" selected>', select[0])


def test_an_ascii_id_in_the_query_string_picks_its_product_and_outlet(staff_client, rows):
    # The control: the page does take a plain id, so the tests below can see a pick.
    response = staff_client.get(ADD_URL, {"product": "12", "outlet": "12"})
    html = response.content.decode()
    assert response.status_code == 200
    assert box_value(html, "product_search") == "Product Twelve (TWELVE-12)"
    assert selected_outlets(html) == ["12"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_add_serial_numbers_opened_with_a_non_id_picks_nothing(staff_client, rows, value):
    response = staff_client.get(ADD_URL, {"product": value, "outlet": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Add Serial numbers" in html
    assert box_value(html, "product_search") == ""
    assert selected_outlets(html) == []
    assert "Product One" not in html and "Product Twelve" not in html


@pytest.mark.parametrize("value", NOT_IDS)
def test_add_serial_numbers_posted_with_a_non_id_asks_for_the_product(staff_client, rows, value):
    data = {"product": value, "product_search": "", "outlet": rows["main"].pk}
    response = staff_client.post(ADD_URL, {**data, "serial_numbers": "NID-1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter and select the product name." in html
    assert box_value(html, "product_search") == ""
    assert ">\nNID-1</textarea>" in html
    assert not SerialRecord.objects.exists()


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11", "\u00b2"])
def test_add_serial_numbers_posted_with_a_non_id_outlet_names_the_outlet(
    staff_client, rows, value
):
    data = {"product": rows["twelve"].pk, "product_search": "", "outlet": value}
    response = staff_client.post(ADD_URL, {**data, "serial_numbers": "NID-1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in html
    assert selected_outlets(html) == []
    assert not SerialRecord.objects.exists()


def sale_post(*, outlet, product, product_search=""):
    return {
        "outlet": outlet,
        "customer": "",
        "customer_search": "",
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 1,
        "lines-MAX_NUM_FORMS": 100,
        "lines-0-product": product,
        "lines-0-product_search": product_search,
        "lines-0-quantity": 1,
        "lines-0-unit_price": "",
        "lines-0-serial_numbers": "",
    }


@pytest.mark.parametrize("value", NOT_IDS)
def test_new_sale_posted_with_a_non_id_product_asks_for_the_product(staff_client, rows, value):
    response = staff_client.post(NEW_SALE, sale_post(outlet=rows["main"].pk, product=value))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter and select the product name." in html
    assert box_value(html, "lines-0-product_search") == ""
    assert "Product Twelve" not in html and "Product One" not in html
    assert not Sale.objects.exists()


def test_new_sale_posted_with_an_ascii_id_keeps_its_product(staff_client, rows):
    # The control: the same post with a plain id has picked Product Twelve.
    response = staff_client.post(NEW_SALE, sale_post(outlet=rows["main"].pk, product="12"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Product Twelve has serial numbers: enter one per unit sold." in html
    assert "Enter and select the product name." not in html


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11"])
def test_new_sale_posted_with_a_non_id_outlet_is_refused(staff_client, rows, value):
    data = sale_post(outlet=value, product="12", product_search="Product Twelve (TWELVE-12)")
    response = staff_client.post(NEW_SALE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice." in html
    assert selected_outlets(html) == []
    assert not Sale.objects.exists()


@pytest.mark.parametrize("value", NOT_IDS)
def test_pick_from_stock_with_a_non_id_offers_no_serials(staff_client, rows, value):
    SerialRecordFactory(serial="TW-0001", product=rows["twelve"], outlet=rows["harbour"])
    SerialRecordFactory(serial="ONE-0001", product=rows["one"], outlet=rows["main"])
    url = reverse("sales:serial_options")
    control = staff_client.get(url, {"product": "12", "outlet": "12"})
    assert control.status_code == 200 and "TW-0001" in control.content.decode()

    response = staff_client.get(url, {"product": value, "outlet": value})

    assert response.status_code == 200
    assert "TW-0001" not in response.content.decode()
    assert "ONE-0001" not in response.content.decode()


@pytest.mark.parametrize("value", ["\u0661\u0662", "\uff11", "\u00b2", "9" * 30])
def test_the_serial_list_filtered_by_a_non_id_says_so(staff_client, rows, value):
    SerialRecordFactory(serial="TW-0001", product=rows["twelve"], outlet=rows["harbour"])
    url = reverse("inventory:serial_list")

    by_product = staff_client.get(url, {"product": value})
    by_outlet = staff_client.get(url, {"outlet": value})

    assert by_product.status_code == 200
    assert "That product does not exist. Select one from the list." in by_product.content.decode()
    assert box_value(by_product.content.decode(), "product_search") == ""
    assert by_outlet.status_code == 200
    assert "Select a valid choice." in by_outlet.content.decode()
    assert selected_outlets(by_outlet.content.decode()) == []
