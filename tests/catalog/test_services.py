from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.demo import seed_products
from catalog.models import Product
from inventory.models import SerialStatus
from tests.factories import ProductFactory, SerialRecordFactory

pytestmark = pytest.mark.django_db


def test_creating_a_product_trims_its_text_and_saves_it():
    product = services.product_create(
        name=" Pool Pump ", sku=" AQU-1 ", brand=" AquaFlow ", retail_price=Decimal("849.00")
    )
    product.refresh_from_db()
    assert (product.name, product.sku, product.brand) == ("Pool Pump", "AQU-1", "AquaFlow")
    assert (product.warranty_months, product.is_active, product.has_serial_numbers) == (
        12,
        True,
        False,
    )


def test_creating_a_product_with_a_taken_sku_in_another_case_is_refused():
    ProductFactory(sku="AQU-1")
    with pytest.raises(ValidationError) as caught:
        services.product_create(name="Copy", sku="aqu-1", retail_price=Decimal("1.00"))
    assert caught.value.error_dict["sku"][0].code == "sku_taken"
    assert Product.objects.count() == 1


def test_a_negative_price_is_refused_before_the_database():
    with pytest.raises(ValidationError):
        services.product_create(name="X", sku="X-1", retail_price=Decimal("-1.00"))
    assert not Product.objects.exists()


def test_updating_changes_only_the_given_fields():
    product = ProductFactory(name="Old", has_serial_numbers=False, warranty_months=12)
    services.product_update(product=product, has_serial_numbers=True)
    product.refresh_from_db()
    assert (product.name, product.has_serial_numbers, product.warranty_months) == (
        "Old",
        True,
        12,
    )


def test_updating_to_another_products_sku_is_refused():
    ProductFactory(sku="TAKEN")
    product = ProductFactory(sku="MINE")
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, sku="taken")
    assert caught.value.error_dict["sku"][0].code == "sku_taken"
    product.refresh_from_db()
    assert product.sku == "MINE"


def test_changing_the_case_of_a_products_own_sku_is_allowed():
    product = ProductFactory(sku="mine-1")
    services.product_update(product=product, sku="MINE-1")
    product.refresh_from_db()
    assert product.sku == "MINE-1"


def test_turning_serials_off_is_refused_while_units_are_in_stock():
    product = ProductFactory(has_serial_numbers=True, name="E-Bike")
    SerialRecordFactory.create_batch(2, product=product, status=SerialStatus.IN_STOCK)
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, name="E-Bike City", has_serial_numbers=False)
    error = caught.value.error_dict["has_serial_numbers"][0]
    assert error.code == "serials_in_stock"
    assert "2 serial numbers of this product are In stock" in error.messages[0]
    product.refresh_from_db()
    assert (product.name, product.has_serial_numbers) == ("E-Bike", True)


def test_turning_serials_off_is_allowed_once_no_unit_is_in_stock():
    product = ProductFactory(has_serial_numbers=True)
    for status in (SerialStatus.SOLD, SerialStatus.FAULTY, SerialStatus.WRITTEN_OFF):
        SerialRecordFactory(product=product, status=status)
    services.product_update(product=product, has_serial_numbers=False)
    product.refresh_from_db()
    assert product.has_serial_numbers is False


@pytest.mark.parametrize(
    ("held", "shown"),
    [
        (
            {SerialStatus.IN_TRANSIT: 1},
            "1 serial number of this product is still held (1 In transit)",
        ),
        (
            {SerialStatus.IN_STOCK: 2, SerialStatus.AT_SUPPLIER: 1},
            "3 serial numbers of this product are still held (2 In stock, 1 At supplier)",
        ),
    ],
)
def test_turning_serials_off_is_refused_while_units_are_in_transit_or_at_supplier(held, shown):
    product = ProductFactory(has_serial_numbers=True, name="E-Bike")
    for status, units in held.items():
        SerialRecordFactory.create_batch(units, product=product, status=status)
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, has_serial_numbers=False)
    error = caught.value.error_dict["has_serial_numbers"][0]
    assert error.code == "serials_in_stock"
    assert shown in error.messages[0]
    assert "Receive its transfers and settle its supplier returns" in error.messages[0]
    product.refresh_from_db()
    assert product.has_serial_numbers is True


def test_other_changes_are_allowed_while_units_are_in_stock():
    product = ProductFactory(has_serial_numbers=True, retail_price=Decimal("10.00"))
    SerialRecordFactory(product=product)
    services.product_update(
        product=product, retail_price=Decimal("12.00"), has_serial_numbers=True
    )
    product.refresh_from_db()
    assert product.retail_price == Decimal("12.00")


def test_inventory_registers_its_turn_off_check_with_catalog():
    from inventory.services.products import product_serials_off_check

    assert product_serials_off_check in services._serials_off_checks


def test_updating_an_unknown_field_is_a_programming_error():
    with pytest.raises(TypeError):
        services.product_update(product=ProductFactory(), colour="red")


def test_demo_products_are_added_once_and_one_valuable_one_lacks_serials():
    first = seed_products()
    second = seed_products()
    assert [p.pk for p in first] == [p.pk for p in second]
    assert Product.objects.count() == len(first)
    serialised = Product.objects.filter(has_serial_numbers=True)
    assert serialised.count() >= 8
    assert Product.objects.filter(has_serial_numbers=False, retail_price__gte=1000).exists()
