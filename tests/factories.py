from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import Group, User

from catalog.models import Product, Supplier
from inventory.models import Outlet, SerialRecord, SerialStatus, StockLevel
from inventory.sql import serial_tally_apply
from sales.models import Customer, Sale


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")
    address = factory.Faker("address")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.Sequence(lambda n: f"orders{n}@supplier.example")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Espresso Machine {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    brand = "Barista Co"
    retail_price = Decimal("499.00")
    warranty_months = 12
    has_serial_numbers = True


class SerialRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SerialRecord

    product = factory.SubFactory(ProductFactory)
    outlet = factory.SubFactory(OutletFactory)
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    serial_normalised = factory.LazyAttribute(lambda o: SerialRecord.normalise(o.serial))
    status = SerialStatus.IN_STOCK

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Pages read their counts from SerialTally, which the services keep;
        # a unit made here is counted as a service would count it.
        record = super()._create(model_class, *args, **kwargs)
        serial_tally_apply(deltas={(record.product_id, record.outlet_id, record.status): 1})
        return record


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    product = factory.SubFactory(ProductFactory)
    outlet = factory.SubFactory(OutletFactory)
    on_hand = 3


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"+44 20 7946 {n:04d}")


class SaleFactory(factory.django.DjangoModelFactory):
    """A sale row only: lines and units go through sale_create, or are made by the test."""

    class Meta:
        model = Sale

    outlet = factory.SubFactory(OutletFactory)
    customer = factory.SubFactory(CustomerFactory)
    clerk = factory.SubFactory(UserFactory)
    total = Decimal("0.00")


def unit_sold(
    *, product: Product, outlet: Outlet, serial: str, customer: str = "Ada Lovelace", **sale
):
    """A unit recorded In stock at `outlet`, then sold there to `customer` through sale_create.

    Returns (unit, sale). Keyword arguments go on to sale_create (e.g. `at=`).
    """
    from sales.services import LineInput, sale_create

    unit = SerialRecordFactory(product=product, outlet=outlet, serial=serial)
    sold = sale_create(
        outlet=outlet,
        customer=Customer.objects.create(name=customer),
        lines=[LineInput(product=product, quantity=1, serials=[serial])],
        clerk=None,
        **sale,
    )
    return unit, sold


def serial_twins_with_barcodes() -> tuple[Any, Any]:
    """The serial AB-100 on two products with barcodes (two makers): Rancilio Silvia
    (RS-1, GTIN 09506000134352) and Bosch Kettle (BK-1, GTIN 09520123456788)."""
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="09506000134352")
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="09520123456788")
    return (
        SerialRecordFactory(serial="AB-100", product=silvia),
        SerialRecordFactory(serial="AB-100", product=kettle),
    )
