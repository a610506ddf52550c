"""The serial page of a sold unit: its sale, the sale date, the customer, the warranty.

Sales renders the page; the sale is the unit's line on it (`serial_sale_now`).
"""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from inventory import selectors
from lib.dates import date_display
from sales.services import LineInput, sale_create
from tests.factories import CustomerFactory, OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


def sell(*, days_ago, warranty_months, customer=True):
    product = ProductFactory(warranty_months=warranty_months)
    outlet = OutletFactory(name="Main Street")
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="SOLD-0001")
    sold_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), datetime.min.time())
    ) + timedelta(hours=11)
    sale = sale_create(
        outlet=outlet,
        customer=CustomerFactory(name="Alice Martin") if customer else None,
        lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
        clerk=None,
        at=sold_at,
    )
    return unit, sale


def field(html, label):
    match = re.search(rf"<dt[^>]*>{label}</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    assert match, f"no {label} on the page"
    return match.group(1).strip()


def test_a_sold_unit_shows_its_sale_date_customer_and_warranty(staff_client):
    unit, sale = sell(days_ago=10, warranty_months=12)

    response = staff_client.get(unit.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    sold_on = sale.created_at.date()
    until = sold_on.replace(year=sold_on.year + 1)
    assert field(html, "Sale") == f'<a href="{sale.get_absolute_url()}">Sale {sale.pk}</a>'
    assert field(html, "Sale date") == date_display(sold_on)
    assert (
        field(html, "Customer") == f'<a href="{sale.customer.get_absolute_url()}">Alice Martin</a>'
    )
    assert field(html, "Warranty") == f"In warranty until {date_display(until)}"


def test_a_unit_sold_longer_ago_than_its_warranty_shows_when_it_expired(staff_client):
    unit, sale = sell(days_ago=400, warranty_months=12)

    response = staff_client.get(unit.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    sold_on = timezone.localdate(sale.created_at)
    until = sold_on.replace(year=sold_on.year + 1)
    assert field(html, "Warranty") == f"Warranty expired on {date_display(until)}"
    assert field(html, "Sale date") == date_display(sold_on)


def test_a_sale_without_a_customer_shows_a_dash(staff_client):
    unit, sale = sell(days_ago=1, warranty_months=24, customer=False)

    response = staff_client.get(unit.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert sale.get_absolute_url() in field(html, "Sale")
    assert field(html, "Customer") == "—"


def test_an_unsold_unit_has_no_sale_and_its_warranty_waits_for_one(staff_client):
    unit = SerialRecordFactory()

    response = staff_client.get(unit.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert field(html, "Warranty") == "Not sold: the warranty starts on the sale date"
    assert field(html, "Sale") == "—"
    assert field(html, "Sale date") == "—"
    assert field(html, "Customer") == "—"


def test_the_serial_pages_queries_do_not_grow_with_sales_returns_and_events(
    staff_client, staff_user
):
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sales.services import claim_open, claim_update, return_create

    product = ProductFactory(warranty_months=12)
    outlet = OutletFactory()
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="BUSY-1")

    def sell():
        return sale_create(
            outlet=outlet,
            customer=CustomerFactory(),
            lines=[LineInput(product=product, quantity=1, serials=[unit.serial])],
            clerk=staff_user,
        )

    def cycle():
        """A sale, a claim opened and rejected, a return: four events and three documents."""
        sell()
        claim = claim_open(serial=unit, fault_description="Rattles", user=staff_user)
        claim_update(claim=claim, status="rejected", note="Works as designed", user=staff_user)
        return_create(
            serial=unit,
            reason="unwanted",
            outcome="restock",
            outlet=outlet,
            refund_amount=Decimal(0),
            clerk=staff_user,
        )

    def page_after(cycles):
        while unit.events.filter(kind="returned").count() < cycles:
            cycle()
        last = sell()
        staff_client.get(unit.get_absolute_url())  # warm-up: content types, templates
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(unit.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert field(html, "Sale") == f'<a href="{last.get_absolute_url()}">Sale {last.pk}</a>'
        # Every event, and the line saying how the unit was first recorded, or
        # the newest page of them once they do not fit on one.
        assert len(response.context["history"]) == min(
            unit.events.count() + 1, selectors.HISTORY_PAGE_SIZE
        )
        assert unit.events.filter(kind="returned").count() == cycles
        # The page stays sold to the last customer; take the unit back for more cycles.
        return_create(
            serial=unit,
            reason="other",
            outcome="restock",
            outlet=outlet,
            refund_amount=Decimal(0),
            clerk=staff_user,
        )
        return len(queries)

    assert page_after(2) == page_after(30)
