"""Warranty and a unit's sale: one `warranty_until`, one reading of the sale a unit is on.

A month on from a month's end is the next month's last day; the sale is read
from the unit's line on it (`SaleLineSerial`), open before returned.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import SerialRecord
from sales.models import ReturnOutcome, ReturnReason
from sales.selectors import serial_last_sale, serial_sale_now, serial_sales_now, warranty_until
from sales.services import LineInput, return_create, sale_create
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    unit_sold,
)


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@pytest.mark.parametrize(
    ("sold_on", "months", "until"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 3, 31), 1, date(2027, 4, 30)),
        (date(2027, 8, 31), 1, date(2027, 9, 30)),
        (date(2027, 12, 31), 2, date(2028, 2, 29)),
        (date(2027, 2, 28), 1, date(2027, 3, 28)),
        (date(2027, 1, 15), 24, date(2029, 1, 15)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 5, 10), 0, date(2027, 5, 10)),
        (date(2027, 1, 31), 0, date(2027, 1, 31)),
    ],
)
def test_warranty_keeps_the_sale_day_or_takes_the_months_last_day(sold_on, months, until):
    assert warranty_until(sold_at=at_noon(sold_on), months=months) == until


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland", "America/New_York"])
def test_warranty_runs_from_the_sale_date_in_the_shops_time_zone(settings, zone):
    settings.TIME_ZONE = zone
    # 23:30 on 31 January in the shop: 1 February already in UTC for some zones.
    sold_at = timezone.make_aware(datetime(2027, 1, 31, 23, 30))

    assert warranty_until(sold_at=sold_at, months=1) == date(2027, 2, 28)


@pytest.mark.django_db
def test_a_unit_sold_on_31_january_with_a_month_of_warranty_runs_to_februarys_end(staff_client):
    product = ProductFactory(warranty_months=1)
    unit = SerialRecordFactory(product=product, serial="JAN-31")
    customer = CustomerFactory()
    sale_create(
        outlet=unit.outlet,
        customer=customer,
        lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=timezone.make_aware(datetime(2024, 1, 31, 18, 30)),
    )
    expected = "Warranty expired on 29/02/2024"

    serial_page = staff_client.get(unit.get_absolute_url())
    customer_page = staff_client.get(customer.get_absolute_url())

    assert serial_page.status_code == 200
    assert expected in serial_page.content.decode()
    assert customer_page.status_code == 200
    assert expected in customer_page.content.decode()


def take_back(unit: SerialRecord, **kwargs) -> None:
    return_create(
        serial=unit,
        reason=ReturnReason.FAULTY,
        outcome=ReturnOutcome.RESTOCK,
        outlet=unit.outlet,
        refund_amount=Decimal("0.00"),
        clerk=None,
        **kwargs,
    )


@pytest.mark.django_db
def test_an_unsold_unit_is_on_no_sale(django_assert_num_queries):
    unit = SerialRecordFactory(serial="NEW-1")

    with django_assert_num_queries(0):
        assert serial_sale_now(serial=unit) is None
    assert serial_last_sale(serial=unit) is None


@pytest.mark.django_db
def test_a_sold_unit_is_on_its_sale_with_customer_date_line_and_warranty():
    product = ProductFactory(warranty_months=24)
    sold_at = timezone.make_aware(datetime(2024, 3, 15, 12))
    unit, sale = unit_sold(
        product=product, outlet=OutletFactory(), serial="SOLD-1", customer="Alice", at=sold_at
    )
    unit.refresh_from_db()

    found = serial_sale_now(serial=unit)

    assert found is not None
    assert (found.sale, found.customer.name, found.sold_at) == (sale, "Alice", sold_at)
    assert found.line == sale.lines.get()
    assert found.is_open
    assert found.warranty.until == date(2026, 3, 15)
    assert found.warranty.expired == (date(2026, 3, 15) < timezone.localdate())


@pytest.mark.django_db
def test_a_returned_unit_is_on_no_sale_now_but_its_last_sale_is_kept():
    product = ProductFactory()
    outlet = OutletFactory()
    unit, first = unit_sold(
        product=product,
        outlet=outlet,
        serial="BACK-1",
        at=timezone.now() - timedelta(days=20),
    )
    take_back(unit)
    unit.refresh_from_db()

    assert serial_sale_now(serial=unit) is None
    last = serial_last_sale(serial=unit)
    assert last is not None and last.sale == first and not last.is_open


@pytest.mark.django_db
def test_a_unit_sold_again_is_on_its_new_sale_and_the_old_one_still_answers_for_itself():
    product = ProductFactory()
    outlet = OutletFactory()
    unit, first = unit_sold(
        product=product, outlet=outlet, serial="AGAIN-1", at=timezone.now() - timedelta(days=20)
    )
    take_back(unit)
    second = sale_create(
        outlet=outlet,
        customer=CustomerFactory(name="Bob"),
        lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
        clerk=None,
    )
    unit.refresh_from_db()

    assert serial_sale_now(serial=unit).sale == second
    assert serial_last_sale(serial=unit).sale == second
    on_first = serial_last_sale(serial=unit, sale=first)
    assert on_first.sale == first and not on_first.is_open


@pytest.mark.django_db
def test_the_sales_of_many_units_are_read_in_one_query(django_assert_num_queries):
    product = ProductFactory()
    outlet = OutletFactory()
    sold = [
        unit_sold(product=product, outlet=outlet, serial=f"MANY-{n}", customer=f"C{n}")
        for n in range(3)
    ]
    in_stock = SerialRecordFactory(product=product, outlet=outlet, serial="SHELF-1")
    units = [*SerialRecord.objects.filter(serial__startswith="MANY-"), in_stock]

    with django_assert_num_queries(1):
        found = serial_sales_now(units)
        customers = {pk: sale.customer.name for pk, sale in found.items()}

    assert customers == {unit.pk: f"C{n}" for n, (unit, _) in enumerate(sold)}
