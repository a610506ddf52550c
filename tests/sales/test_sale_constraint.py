"""The database itself refuses a unit on two open sales, whatever code writes the link."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from inventory.models import SerialStatus
from sales.models import Sale, SaleLine, SaleLineSerial
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return SerialRecordFactory(
        product=ProductFactory(name="Barista Pro"),
        outlet=OutletFactory(name="Main Street"),
        serial="BP-0001",
        status=SerialStatus.SOLD,
    )


def line_for(unit):
    """A new sale with one line for the unit's product, written straight to the tables."""
    sale = Sale.objects.create(outlet=unit.outlet, total=unit.product.retail_price)
    return SaleLine.objects.create(
        sale=sale, product=unit.product, quantity=1, unit_price=unit.product.retail_price
    )


def test_a_second_open_link_for_a_unit_is_refused_by_the_database(unit):
    first = SaleLineSerial.objects.create(line=line_for(unit), serial=unit)
    second_line = line_for(unit)

    with pytest.raises(IntegrityError), transaction.atomic():
        SaleLineSerial.objects.create(line=second_line, serial=unit)

    assert list(SaleLineSerial.objects.filter(serial=unit)) == [first]


def test_a_bulk_insert_of_the_same_unit_twice_is_refused_whole(unit):
    lines = [line_for(unit), line_for(unit)]

    with pytest.raises(IntegrityError), transaction.atomic():
        SaleLineSerial.objects.bulk_create(
            SaleLineSerial(line=line, serial=unit) for line in lines
        )

    assert not SaleLineSerial.objects.exists()


def test_a_unit_returned_from_its_sale_may_be_sold_again(unit):
    returned = SaleLineSerial.objects.create(
        line=line_for(unit), serial=unit, returned_at=timezone.now()
    )

    again = SaleLineSerial.objects.create(line=line_for(unit), serial=unit)

    assert set(SaleLineSerial.objects.filter(serial=unit)) == {returned, again}
    assert list(SaleLineSerial.objects.filter(serial=unit, returned_at__isnull=True)) == [again]


def test_a_unit_may_have_several_returned_sales_and_one_open_one(unit):
    for _ in range(2):
        SaleLineSerial.objects.create(line=line_for(unit), serial=unit, returned_at=timezone.now())
    open_link = SaleLineSerial.objects.create(line=line_for(unit), serial=unit)

    with pytest.raises(IntegrityError), transaction.atomic():
        SaleLineSerial.objects.create(line=line_for(unit), serial=unit)

    assert SaleLineSerial.objects.filter(serial=unit).count() == 3
    assert SaleLineSerial.objects.get(serial=unit, returned_at__isnull=True) == open_link
