"""A unit's whole life in the shop, every flow in turn, then Serial coverage.

Stock counted before serial numbers were turned on, an order received, a sale and
its return, a warranty claim, a transfer in transit, a supplier return with each
outcome, a count: afterwards the only mismatch Serial coverage finds is the stock
from before serial numbers, and one count at that outlet closes it.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.services import product_serial_numbers_enable
from inventory import sql
from inventory.models import SerialRecord, SerialStatus, StockLevel, SupplierReturnUnit
from inventory.services import stock_set
from inventory.services.counts import count_apply, count_create, count_scan
from inventory.services.receiving import stock_order_receive
from inventory.services.stock_orders import (
    OrderLineInput,
    stock_order_create,
    stock_order_send,
)
from inventory.services.supplier_returns import (
    supplier_return_check,
    supplier_return_resolve,
    supplier_return_send,
)
from inventory.services.transfers import TransferQuantity, transfer_receive, transfer_send
from sales.models import ReturnOutcome, ReturnReason
from sales.services import LineInput, claim_open, return_create, sale_create
from sales.services.claims import claim_send_to_supplier
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def on_hand(product, outlet) -> int:
    row = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return row.on_hand if row else 0


def unit(serial: str) -> SerialRecord:
    return SerialRecord.objects.get(serial=serial)


def resolve(supplier_return, serial, outcome, user, **kwargs):
    row = SupplierReturnUnit.objects.get(supplier_return=supplier_return, serial__serial=serial)
    supplier_return_resolve(
        supplier_return=supplier_return, unit_id=row.pk, outcome=outcome, user=user, **kwargs
    )


def return_to_supplier(supplier, outlet, text, user, **kwargs):
    check = supplier_return_check(outlet=outlet, text=text)
    assert not check.problems, check.problems
    return supplier_return_send(
        supplier=supplier, outlet=outlet, serials=check.units, reason="faulty", user=user, **kwargs
    )


def test_every_flow_leaves_only_the_stock_from_before_serials_and_one_count_closes_it(client):
    mia = UserFactory(username="mia", groups=["Managers"])
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    supplier = SupplierFactory(name="Acme Coffee Supply")
    grinder = ProductFactory(name="Barista Grinder", sku="BG-1", has_serial_numbers=False)
    beans = ProductFactory(name="Beans 1kg", sku="BEANS", has_serial_numbers=False)

    # Three grinders counted before anyone recorded their serial numbers.
    stock_set(product=grinder, outlet=main, on_hand=3, user=mia)
    stock_set(product=beans, outlet=main, on_hand=20, user=mia)
    product_serial_numbers_enable(product=grinder, user=mia)
    grinder.refresh_from_db()
    assert sql.stock_serial_gap_rows() == [(grinder.pk, main.pk, 3, 0)]

    # Order stock and Receive: six units with serial numbers.
    order = stock_order_create(
        supplier=supplier,
        outlet=main,
        lines=[OrderLineInput(product=grinder, quantity=6, cost=Decimal("150.00"))],
        user=mia,
    )
    stock_order_send(order=order, user=mia)
    stock_order_receive(
        order=order, text="BG-01\nBG-02\nBG-03\nBG-04\nBG-05\nBG-06", quantities={}, user=mia
    )
    assert on_hand(grinder, main) == 9

    # Sold, then brought back unwanted and restocked; another sold and kept.
    sale = sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=grinder, quantity=2, serials=["BG-01", "BG-02"])],
        clerk=mia,
    )
    return_create(
        serial=unit("BG-01"),
        reason=ReturnReason.UNWANTED,
        outcome=ReturnOutcome.RESTOCK,
        outlet=main,
        refund_amount=Decimal("0.00"),
        clerk=mia,
        sale=sale,
    )
    # The kept one breaks: its warranty claim sends it to the supplier, who repairs it.
    claim = claim_open(serial=unit("BG-02"), fault_description="Burrs jam", user=mia)
    claim_return = claim_send_to_supplier(claim=claim, supplier=supplier, user=mia)
    resolve(claim_return, "BG-02", "repaired", mia)
    assert unit("BG-02").status == SerialStatus.SOLD

    # Transfer stock to Harbour Mall, with beans by quantity; received there.
    transfer = transfer_send(
        from_outlet=main,
        to_outlet=harbour,
        text="BG-03\nBG-04",
        quantities=[TransferQuantity(product=beans, quantity=5)],
        user=mia,
    ).transfer
    assert sql.stock_serial_gap_rows() == [(grinder.pk, main.pk, 6, 3)]
    transfer_receive(
        transfer=transfer,
        text="BG-03\nBG-04",
        quantities={transfer.lines.get(product=beans).pk: 5},
        user=mia,
    )

    # Return stock: one repaired, one replaced, one credited.
    back = return_to_supplier(
        supplier, main, "BG-01\nBG-05\nBG-06", mia, supplier_reference="RMA-7"
    )
    resolve(back, "BG-01", "repaired", mia)
    resolve(back, "BG-05", "replaced", mia, replacement_serial="BG-55")
    resolve(back, "BG-06", "credited", mia, credit_amount=Decimal("150.00"))
    from_harbour = return_to_supplier(supplier, harbour, "BG-04", mia)
    resolve(from_harbour, "BG-04", "credited", mia, credit_amount=Decimal("150.00"))

    in_stock = dict(
        (
            outlet,
            sorted(
                SerialRecord.objects.filter(outlet=outlet, status="in_stock").values_list(
                    "serial", flat=True
                )
            ),
        )
        for outlet in (main, harbour)
    )
    assert in_stock == {main: ["BG-01", "BG-55"], harbour: ["BG-03"]}
    # Every flow kept stock and units together: only the three from before remain.
    assert sql.stock_serial_gap_rows() == [(grinder.pk, main.pk, 5, 2)]
    assert (on_hand(beans, main), on_hand(beans, harbour)) == (15, 5)

    client.force_login(mia)
    page = client.get(reverse("reports:coverage"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "None: every unit on hand has its serial number recorded." not in html
    assert page.context["stock_without_serials"]["count"] == 1
    assert "None: no outlet has more In stock serials than stock on hand." in html

    # One count at Main Street closes it.
    count = count_create(outlet=main, product=grinder, user=mia)
    count_scan(count=count, entries=["BG-01", "BG-55"], user=mia)
    count_apply(count=count, user=mia)

    assert on_hand(grinder, main) == 2
    assert sql.stock_serial_gap_rows() == []
    page = client.get(reverse("reports:coverage"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "None: every unit on hand has its serial number recorded." in html
    assert "None: no outlet has more In stock serials than stock on hand." in html
