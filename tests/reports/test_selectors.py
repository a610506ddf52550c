"""The Serial coverage report's reads: each kind of problem, the threshold, the outlet filter."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import SerialStatus
from inventory.selectors import stock_serial_gap_counts, stock_serial_gaps
from reports import selectors
from reports.models import HighValueThreshold
from reports.selectors import (
    DEFAULT_HIGH_VALUE_THRESHOLD,
    CoverageCounts,
    coverage_counts,
    coverage_report,
    high_value_threshold,
)
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def names(products):
    return [product.name for product in products]


def pairs(gaps):
    return [(g.product.name, g.outlet.name, g.on_hand, g.in_stock, g.difference) for g in gaps]


def serials(product, outlet, count, status=SerialStatus.IN_STOCK):
    for _ in range(count):
        SerialRecordFactory(product=product, outlet=outlet, status=status)


# The threshold ------------------------------------------------------------------------


def test_the_threshold_is_500_until_someone_changes_it():
    assert Decimal("500.00") == DEFAULT_HIGH_VALUE_THRESHOLD
    assert high_value_threshold() == Decimal("500.00")


def test_the_threshold_is_the_latest_change():
    mia = UserFactory(username="mia")
    now = timezone.now()
    HighValueThreshold.objects.create(amount=Decimal("900.00"), changed_by=mia, changed_at=now)
    HighValueThreshold.objects.create(
        amount=Decimal("700.00"), changed_by=mia, changed_at=now - timedelta(days=1)
    )

    assert high_value_threshold() == Decimal("900.00")
    state = selectors.high_value_threshold_state()
    assert state.amount == Decimal("900.00")
    assert [c.amount for c in state.changes] == [Decimal("900.00"), Decimal("700.00")]
    assert state.latest_change is not None
    assert state.latest_change.changed_by == mia


# Section 1: high-value products without serial numbers --------------------------------


def test_a_product_priced_exactly_at_the_threshold_is_high_value_one_cent_below_is_not():
    ProductFactory(name="At", retail_price=Decimal("500.00"), has_serial_numbers=False)
    ProductFactory(name="Below", retail_price=Decimal("499.99"), has_serial_numbers=False)
    ProductFactory(name="Above", retail_price=Decimal("4299.00"), has_serial_numbers=False)

    rows = selectors.high_value_products_without_serials(threshold=Decimal("500.00"))

    assert names(rows) == ["Above", "At"]


def test_serialised_and_inactive_products_are_not_high_value_problems():
    ProductFactory(name="Fine", retail_price=Decimal("900.00"), has_serial_numbers=True)
    ProductFactory(
        name="Retired", retail_price=Decimal("900.00"), has_serial_numbers=False, is_active=False
    )
    ProductFactory(name="Cargo", retail_price=Decimal("900.00"), has_serial_numbers=False)

    rows = selectors.high_value_products_without_serials(threshold=Decimal("500.00"))

    assert names(rows) == ["Cargo"]


def test_with_an_outlet_high_value_products_are_those_with_stock_there():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    here = ProductFactory(name="Here", retail_price=Decimal("900"), has_serial_numbers=False)
    there = ProductFactory(name="There", retail_price=Decimal("900"), has_serial_numbers=False)
    empty = ProductFactory(name="Empty", retail_price=Decimal("900"), has_serial_numbers=False)
    StockLevelFactory(product=here, outlet=main, on_hand=2)
    StockLevelFactory(product=there, outlet=harbour, on_hand=2)
    StockLevelFactory(product=empty, outlet=main, on_hand=0)

    at_main = selectors.high_value_products_without_serials(threshold=Decimal(500), outlet=main)
    everywhere = selectors.high_value_products_without_serials(threshold=Decimal(500))

    assert names(at_main) == ["Here"]
    assert names(everywhere) == ["Empty", "Here", "There"]


# Sections 2 and 3: stock and serials that disagree ------------------------------------


def test_stock_above_in_stock_serials_is_stock_without_serials():
    main = OutletFactory(name="Main Street")
    bike = ProductFactory(name="E-Bike", has_serial_numbers=True)
    StockLevelFactory(product=bike, outlet=main, on_hand=8)
    serials(bike, main, 5)
    # Sold and faulty units are off the shelf: they do not count.
    serials(bike, main, 2, status=SerialStatus.SOLD)
    serials(bike, main, 1, status=SerialStatus.FAULTY)

    report = coverage_report(threshold=Decimal(500))

    assert pairs(report.stock_without_serials) == [("E-Bike", "Main Street", 8, 5, 3)]
    assert report.serials_without_stock == []


def test_in_stock_serials_above_stock_are_serials_without_stock():
    main = OutletFactory(name="Main Street")
    phone = ProductFactory(name="Phone", has_serial_numbers=True)
    StockLevelFactory(product=phone, outlet=main, on_hand=8)
    serials(phone, main, 11)

    report = coverage_report(threshold=Decimal(500))

    assert pairs(report.serials_without_stock) == [("Phone", "Main Street", 8, 11, 3)]
    assert report.stock_without_serials == []


def test_serials_at_an_outlet_with_no_stock_row_count_as_on_hand_zero():
    harbour = OutletFactory(name="Harbour Mall")
    phone = ProductFactory(name="Phone", has_serial_numbers=True)
    serials(phone, harbour, 2)

    report = coverage_report(threshold=Decimal(500))

    assert pairs(report.serials_without_stock) == [("Phone", "Harbour Mall", 0, 2, 2)]


def test_matching_counts_and_products_without_serials_are_no_stock_problem():
    main = OutletFactory(name="Main Street")
    matched = ProductFactory(name="Matched", has_serial_numbers=True)
    StockLevelFactory(product=matched, outlet=main, on_hand=3)
    serials(matched, main, 3)
    cable = ProductFactory(name="Cable", has_serial_numbers=False, retail_price=Decimal(9))
    StockLevelFactory(product=cable, outlet=main, on_hand=40)

    assert stock_serial_gaps() == []
    assert stock_serial_gap_counts() == (0, 0)


def test_gaps_are_listed_by_product_then_outlet_and_filtered_by_outlet():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    bike = ProductFactory(name="Bike", has_serial_numbers=True)
    anvil = ProductFactory(name="Anvil", has_serial_numbers=True)
    for product in (bike, anvil):
        for outlet in (main, harbour):
            StockLevelFactory(product=product, outlet=outlet, on_hand=1)

    everywhere = [(g.product.name, g.outlet.name) for g in stock_serial_gaps()]
    at_main = [(g.product.name, g.outlet.name) for g in stock_serial_gaps(outlet=main)]

    assert everywhere == [
        ("Anvil", "Harbour Mall"),
        ("Anvil", "Main Street"),
        ("Bike", "Harbour Mall"),
        ("Bike", "Main Street"),
    ]
    assert at_main == [("Anvil", "Main Street"), ("Bike", "Main Street")]


# Counts (the dashboard's) ---------------------------------------------------------------


def test_coverage_counts_are_the_number_of_rows_of_each_section():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    ProductFactory(retail_price=Decimal("500.00"), has_serial_numbers=False)
    bike = ProductFactory(name="Bike", has_serial_numbers=True)
    StockLevelFactory(product=bike, outlet=main, on_hand=8)
    StockLevelFactory(product=bike, outlet=harbour, on_hand=4)
    serials(bike, harbour, 6)

    assert coverage_counts() == CoverageCounts(
        high_value_without_serials=1, stock_without_serials=1, serials_without_stock=1
    )
    # At Harbour Mall the high-value product has no stock, so it is no problem there.
    assert coverage_counts(outlet=harbour) == CoverageCounts(
        high_value_without_serials=0, stock_without_serials=0, serials_without_stock=1
    )


def test_coverage_counts_follow_a_change_of_threshold():
    ProductFactory(retail_price=Decimal("600.00"), has_serial_numbers=False)
    assert coverage_counts().high_value_without_serials == 1

    HighValueThreshold.objects.create(amount=Decimal("600.01"))

    assert coverage_counts().high_value_without_serials == 0


def test_coverage_counts_cost_the_same_queries_whatever_the_data(django_assert_num_queries):
    # The threshold, section 1's count, and the mismatches of stock and serial counts.
    with django_assert_num_queries(3):
        coverage_counts()
    main = OutletFactory()
    for n in range(5):
        product = ProductFactory(has_serial_numbers=n % 2 == 0, retail_price=Decimal(900))
        StockLevelFactory(product=product, outlet=main, on_hand=n)
        serials(product, main, 1)
    with django_assert_num_queries(3):
        coverage_counts()
