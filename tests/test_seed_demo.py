from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from catalog.models import Product
from inventory.models import Outlet, SerialEvent, SerialRecord, StockLevel


def counts():
    models = [User, Outlet, Product, StockLevel, SerialRecord, SerialEvent]
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_seed_demo_can_run_twice_without_adding_anything_twice():
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert counts() == first
    assert "0 serial numbers added" in output.getvalue()
    manager = User.objects.get(username="manager")
    assert manager.check_password("manager")
    assert manager.has_perm("catalog.change_product")


@pytest.mark.django_db
def test_demo_data_has_serialised_and_plain_products_and_serials_at_several_outlets():
    call_command("seed_demo", stdout=StringIO())
    assert Product.objects.filter(has_serial_numbers=True).exists()
    assert Product.objects.filter(has_serial_numbers=False).exists()
    outlets_with_serials = SerialRecord.objects.values("outlet").distinct().count()
    assert outlets_with_serials >= 3
    assert not SerialRecord.objects.filter(product__has_serial_numbers=False).exists()
    assert SerialRecord.objects.filter(status="written_off").count() == 1
