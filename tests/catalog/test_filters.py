from decimal import Decimal

import pytest
from django.http import QueryDict

from catalog.filters import ProductFilter
from catalog.models import Product
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def names(query: str) -> list[str]:
    filterset = ProductFilter(QueryDict(query), queryset=Product.objects.order_by("name", "id"))
    assert filterset.is_valid(), filterset.errors
    return [product.name for product in filterset.qs]


@pytest.fixture
def catalog():
    ProductFactory(
        name="Espresso Machine", sku="BAR-900", brand="Barista Co", retail_price=Decimal("1299")
    )
    ProductFactory(
        name="Descaler",
        sku="BAR-DSC",
        brand="Barista Co",
        retail_price=Decimal("14.95"),
        has_serial_numbers=False,
    )
    ProductFactory(
        name="E-Bike City", sku="VOL-CTY", brand="Voltride", retail_price=Decimal("2499")
    )
    ProductFactory(
        name="Old Helmet",
        sku="VOL-HLM",
        brand="Voltride",
        retail_price=Decimal("79"),
        has_serial_numbers=False,
        is_active=False,
    )


def test_search_finds_part_of_a_name_whatever_its_case(catalog):
    assert names("q=espresso") == ["Espresso Machine"]


def test_search_finds_part_of_a_sku(catalog):
    assert names("q=vol-") == ["E-Bike City", "Old Helmet"]


def test_brand_filter_offers_the_brands_in_use(catalog):
    field = ProductFilter(QueryDict("")).form.fields["brand"]
    assert [value for value, _ in field.choices] == ["", "Barista Co", "Voltride"]
    assert names("brand=Voltride") == ["E-Bike City", "Old Helmet"]


def test_has_serial_numbers_yes_and_no(catalog):
    assert names("has_serial_numbers=true") == ["E-Bike City", "Espresso Machine"]
    assert names("has_serial_numbers=false") == ["Descaler", "Old Helmet"]


def test_active_yes_and_no(catalog):
    assert names("is_active=false") == ["Old Helmet"]
    assert "Old Helmet" not in names("is_active=true")


def test_filters_combine(catalog):
    assert names("brand=Barista+Co&has_serial_numbers=false&q=des") == ["Descaler"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["Descaler", "E-Bike City", "Espresso Machine", "Old Helmet"]),
        ("-name", ["Old Helmet", "Espresso Machine", "E-Bike City", "Descaler"]),
        ("sku", ["Espresso Machine", "Descaler", "E-Bike City", "Old Helmet"]),
        ("price", ["Descaler", "Old Helmet", "Espresso Machine", "E-Bike City"]),
        ("-price", ["E-Bike City", "Espresso Machine", "Old Helmet", "Descaler"]),
    ],
)
def test_sorting_by_name_sku_and_price(catalog, ordering, expected):
    assert names(f"ordering={ordering}") == expected


def test_equal_prices_keep_a_stable_order_across_pages():
    first = ProductFactory(name="B", retail_price=Decimal("5"))
    second = ProductFactory(name="A", retail_price=Decimal("5"))
    assert names("ordering=price") == [first.name, second.name]
