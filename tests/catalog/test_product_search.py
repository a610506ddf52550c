"""Product search, as every Product type-ahead uses it: the picked "Name (SKU)" text too."""

import pytest
from django.urls import reverse

from catalog.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

LABEL = "Barista Pro (BP-900)"


@pytest.fixture
def products(db):
    return {
        "pro": ProductFactory(name="Barista Pro", sku="BP-900"),
        "lite": ProductFactory(name="Barista Lite", sku="BL-100"),
        # The same name, another SKU: the label names one product, not both.
        "twin": ProductFactory(name="Barista Pro", sku="BP-901"),
    }


def test_the_text_a_pick_writes_finds_that_one_product(products):
    assert list(Product.objects.search(LABEL)) == [products["pro"]]
    assert list(Product.objects.search("  barista pro (bp-900) ")) == [products["pro"]]


def test_brackets_that_name_no_product_find_nothing(products):
    assert list(Product.objects.search("Barista Pro (XX-1)")) == []
    assert list(Product.objects.search("(BP-900)")) == []


def test_part_of_a_name_or_sku_still_finds_every_match(products):
    found = Product.objects.search("barista").order_by("sku")
    assert list(found) == [products["lite"], products["pro"], products["twin"]]
    assert list(Product.objects.search("bp-90").order_by("sku")) == [
        products["pro"],
        products["twin"],
    ]


@pytest.mark.parametrize(
    "url_name",
    ["inventory:product_options", "inventory:product_filter_options", "sales:product_options"],
)
def test_every_product_type_ahead_suggests_the_product_a_label_names(
    staff_client, products, url_name
):
    response = staff_client.get(reverse(url_name), {"q": LABEL})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-value="{products["pro"].pk}"' in html
    assert html.count('role="option"') == 1
    assert "matches." not in html
