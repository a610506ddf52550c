from decimal import Decimal

import pytest
from django.core.paginator import Paginator
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


@pytest.fixture
def equal_prices():
    """Four products at one price, in primary-key order P1..P4.

    SQLite reads a table in primary-key order, which would hide a sort with no
    tie-breaker, so the test reads them through the name index (names run the
    other way); the prices are set by updates in a shuffled order, which moves
    the rows in PostgreSQL's heap. Either way the database's own order of the
    ties is not the primary key's.
    """
    products = [
        ProductFactory(name=name, retail_price=Decimal("1")) for name in ("P4", "P3", "P2", "P1")
    ]
    for index in (2, 0, 3, 1):
        Product.objects.filter(pk=products[index].pk).update(retail_price=Decimal("5"))
    return products


def pages(query: str, size: int) -> list[list[str]]:
    queryset = Product.objects.filter(name__in=["P1", "P2", "P3", "P4"])
    filterset = ProductFilter(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    paginator = Paginator(filterset.qs, size)
    return [[p.name for p in paginator.page(n).object_list] for n in paginator.page_range]


@pytest.mark.parametrize("ordering", ["price", "-price"])
def test_equal_prices_keep_a_stable_order_across_pages(equal_prices, ordering):
    # Ties come in primary-key order (created first, first), whichever way
    # prices are sorted, so page 2 goes on where page 1 stopped.
    assert pages(f"ordering={ordering}", 2) == [["P4", "P3"], ["P2", "P1"]]
