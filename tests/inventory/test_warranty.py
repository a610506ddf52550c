"""Warranty arithmetic: a month on from a month's end is the next month's last day."""

from datetime import date

import pytest

from inventory.selectors.serials_detail import add_months


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
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last_day(sold_on, months, until):
    assert add_months(sold_on, months) == until


@pytest.mark.django_db
def test_a_unit_sold_on_31_january_with_a_month_of_warranty_runs_to_februarys_end(staff_client):
    from datetime import datetime

    from django.utils import timezone

    from sales.services import LineInput, sale_create
    from tests.factories import CustomerFactory, ProductFactory, SerialRecordFactory

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
