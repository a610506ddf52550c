from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.models import Product
from inventory.models import StockLevel
from tests.factories import OutletFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_sku_is_unique_whatever_its_case_in_the_database():
    ProductFactory(sku="ESP-900")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(sku="esp-900")
    assert Product.objects.count() == 1


def test_the_database_refuses_a_negative_retail_price():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(retail_price=Decimal("-0.01"))
    assert not Product.objects.exists()


def test_the_database_refuses_a_negative_warranty():
    product = ProductFactory()
    # Straight to the database, past every form and model check.
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=product.pk).update(warranty_months=-1)
    product.refresh_from_db()
    assert product.warranty_months == 12


def test_the_database_refuses_negative_stock_on_hand():
    level = StockLevel.objects.create(product=ProductFactory(), outlet=OutletFactory(), on_hand=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(on_hand=-1)
    level.refresh_from_db()
    assert level.on_hand == 2


def test_a_product_has_one_stock_level_per_outlet():
    product, outlet = ProductFactory(), OutletFactory()
    StockLevel.objects.create(product=product, outlet=outlet)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(product=product, outlet=outlet)


def test_a_new_product_has_a_twelve_month_warranty_and_no_serial_numbers():
    product = Product.objects.create(name="Descaler", sku="DSC-1", retail_price=Decimal("9.95"))
    product.refresh_from_db()
    assert (product.warranty_months, product.is_active, product.has_serial_numbers) == (
        12,
        True,
        False,
    )


def test_a_product_links_to_its_product_page():
    product = ProductFactory()
    assert product.get_absolute_url() == f"/catalog/products/{product.pk}/"
    assert str(product) == f"{product.name} ({product.sku})"
