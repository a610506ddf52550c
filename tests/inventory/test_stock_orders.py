"""Order stock's services: create, edit, Mark as sent, Cancel order, and what each refuses."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.models import StockOrder, StockOrderLine, StockOrderStatus
from inventory.services.stock_orders import (
    OrderLineInput,
    stock_order_cancel,
    stock_order_create,
    stock_order_send,
    stock_order_update,
)
from tests.factories import OutletFactory, ProductFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


@pytest.fixture
def grinder():
    return ProductFactory(name="Grinder", sku="GR-1", has_serial_numbers=False)


@pytest.fixture
def mia():
    return UserFactory(username="mia", groups=["Managers"])


def _create(supplier, outlet, lines, **kwargs):
    fields = {"reference": "", "due": None, "note": "", "user": None, **kwargs}
    return stock_order_create(supplier=supplier, outlet=outlet, lines=lines, **fields)


def _codes(error: ValidationError) -> list[str | None]:
    return [e.code for errors in error.error_dict.values() for e in errors]


def test_creating_an_order_saves_it_open_with_one_line_per_product(
    supplier, outlet, product, grinder, mia
):
    order = _create(
        supplier,
        outlet,
        [
            OrderLineInput(product=product, quantity=5, cost=Decimal("120.50")),
            OrderLineInput(product=grinder, quantity=2),
        ],
        reference="  PO-77 ",
        due=date(2026, 12, 24),
        user=mia,
    )
    order.refresh_from_db()
    assert order.status == StockOrderStatus.OPEN
    assert (order.supplier, order.outlet, order.reference) == (supplier, outlet, "PO-77")
    assert order.due == date(2026, 12, 24)
    assert order.created_by == mia
    rows = list(order.lines.order_by("id").values_list("product__sku", "quantity", "cost"))
    assert rows == [("BP-1", 5, Decimal("120.50")), ("GR-1", 2, Decimal("0.00"))]
    assert str(order) == f"Stock order {order.pk}"


def test_a_product_on_two_lines_is_refused_naming_it(supplier, outlet, product):
    with pytest.raises(ValidationError) as caught:
        _create(
            supplier,
            outlet,
            [
                OrderLineInput(product=product, quantity=1),
                OrderLineInput(product=product, quantity=2),
            ],
        )
    assert _codes(caught.value) == ["duplicate_product"]
    assert "Barista Pro (BP-1) is on two lines" in caught.value.messages[0]
    assert not StockOrder.objects.exists()


def test_an_order_without_lines_is_refused(supplier, outlet):
    with pytest.raises(ValidationError) as caught:
        _create(supplier, outlet, [])
    assert _codes(caught.value) == ["no_lines"]
    assert not StockOrder.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "cost", "code"),
    [
        (0, None, "quantity_invalid"),
        (-3, None, "quantity_invalid"),
        (100_001, None, "quantity_invalid"),
        (1, Decimal("-0.01"), "cost_invalid"),
        (1, Decimal("100000000"), "cost_invalid"),
    ],
)
def test_a_bad_quantity_or_cost_is_refused(supplier, outlet, product, quantity, cost, code):
    with pytest.raises(ValidationError) as caught:
        _create(supplier, outlet, [OrderLineInput(product=product, quantity=quantity, cost=cost)])
    assert _codes(caught.value) == [code]
    assert not StockOrderLine.objects.exists()


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("PO\x00-1", "control_character"),
        ("PO\x1b[31m", "control_character"),
        ("PO\n2", "control_character"),
        ("x" * 101, "reference_too_long"),
    ],
)
def test_a_reference_with_a_control_character_or_too_long_is_refused(
    supplier, outlet, product, reference, code
):
    with pytest.raises(ValidationError) as caught:
        _create(
            supplier, outlet, [OrderLineInput(product=product, quantity=1)], reference=reference
        )
    assert caught.value.error_dict["reference"][0].code == code
    assert not StockOrder.objects.exists()


def test_a_unicode_reference_and_a_multi_line_note_are_kept(supplier, outlet, product):
    order = _create(
        supplier,
        outlet,
        [OrderLineInput(product=product, quantity=1)],
        reference="Bestellung Nº 7 – Köln ☕",
        note="Ring the bell.\nDock 2",
    )
    order.refresh_from_db()
    assert order.reference == "Bestellung Nº 7 – Köln ☕"
    assert order.note == "Ring the bell.\nDock 2"


def test_inactive_supplier_outlet_and_product_are_refused(supplier, outlet, product):
    supplier.is_active = False
    supplier.save()
    outlet.is_active = False
    outlet.save()
    product.is_active = False
    product.save()
    with pytest.raises(ValidationError) as caught:
        _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    assert sorted(_codes(caught.value)) == [
        "outlet_inactive",
        "product_inactive",
        "supplier_inactive",
    ]


def test_editing_an_open_order_replaces_its_lines(supplier, outlet, product, grinder):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    harbour = OutletFactory(name="Harbour Mall")
    other = SupplierFactory(name="Beans Ltd")
    stock_order_update(
        order=order,
        supplier=other,
        outlet=harbour,
        reference="PO-8",
        due=None,
        note="",
        lines=[
            OrderLineInput(product=grinder, quantity=4, cost=Decimal("9.99")),
        ],
        user=None,
    )
    order.refresh_from_db()
    assert (order.supplier, order.outlet, order.reference) == (other, harbour, "PO-8")
    assert list(order.lines.values_list("product__sku", "quantity", "cost")) == [
        ("GR-1", 4, Decimal("9.99"))
    ]


def test_editing_keeps_a_line_whose_product_stays_and_changes_its_quantity(
    supplier, outlet, product
):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    line_id = order.lines.get().pk
    stock_order_update(
        order=order,
        supplier=supplier,
        outlet=outlet,
        lines=[OrderLineInput(product=product, quantity=7, cost=Decimal("3"))],
        user=None,
    )
    line = StockOrderLine.objects.get()
    assert (line.pk, line.quantity, line.cost) == (line_id, 7, Decimal("3.00"))


def test_an_edit_from_a_stale_page_is_refused(supplier, outlet, product):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    seen = order.updated_at
    StockOrder.objects.filter(pk=order.pk).update(
        reference="by someone else", updated_at=seen + timedelta(seconds=5)
    )
    with pytest.raises(ValidationError) as caught:
        stock_order_update(
            order=order,
            supplier=supplier,
            outlet=outlet,
            lines=[OrderLineInput(product=product, quantity=9)],
            user=None,
            seen_updated_at=seen,
        )
    assert caught.value.code == "stale"
    assert StockOrderLine.objects.get().quantity == 1
    assert StockOrder.objects.get().reference == "by someone else"


@pytest.mark.parametrize(
    "status",
    [
        StockOrderStatus.SENT,
        StockOrderStatus.PARTLY_RECEIVED,
        StockOrderStatus.RECEIVED,
        StockOrderStatus.CANCELLED,
    ],
)
def test_only_an_open_order_can_be_edited(supplier, outlet, product, status):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    StockOrder.objects.filter(pk=order.pk).update(status=status)
    with pytest.raises(ValidationError) as caught:
        stock_order_update(
            order=order,
            supplier=supplier,
            outlet=outlet,
            lines=[OrderLineInput(product=product, quantity=3)],
            user=None,
        )
    assert caught.value.code == "status_changed"
    assert StockOrderLine.objects.get().quantity == 1


def test_marking_an_open_order_as_sent(supplier, outlet, product):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    stock_order_send(order=order, user=None)
    order.refresh_from_db()
    assert order.status == StockOrderStatus.SENT


@pytest.mark.parametrize(
    "status",
    [
        StockOrderStatus.SENT,
        StockOrderStatus.PARTLY_RECEIVED,
        StockOrderStatus.RECEIVED,
        StockOrderStatus.CANCELLED,
    ],
)
def test_only_an_open_order_can_be_marked_as_sent(supplier, outlet, product, status):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    # The page showed it Open; meanwhile it moved on.
    StockOrder.objects.filter(pk=order.pk).update(status=status)
    with pytest.raises(ValidationError) as caught:
        stock_order_send(order=order, user=None)
    assert caught.value.code == "status_changed"
    assert StockOrder.objects.get().status == status


@pytest.mark.parametrize("status", [StockOrderStatus.OPEN, StockOrderStatus.SENT])
def test_an_open_or_sent_order_with_nothing_received_can_be_cancelled(
    supplier, outlet, product, status
):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    StockOrder.objects.filter(pk=order.pk).update(status=status)
    stock_order_cancel(order=order, user=None)
    assert StockOrder.objects.get().status == StockOrderStatus.CANCELLED


@pytest.mark.parametrize(
    "status",
    [StockOrderStatus.PARTLY_RECEIVED, StockOrderStatus.RECEIVED, StockOrderStatus.CANCELLED],
)
def test_a_received_or_cancelled_order_cannot_be_cancelled(supplier, outlet, product, status):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=1)])
    StockOrder.objects.filter(pk=order.pk).update(status=status)
    with pytest.raises(ValidationError) as caught:
        stock_order_cancel(order=order, user=None)
    assert caught.value.code == "status_changed"
    assert StockOrder.objects.get().status == status


def test_an_order_with_units_received_cannot_be_cancelled(supplier, outlet, product):
    order = _create(supplier, outlet, [OrderLineInput(product=product, quantity=3)])
    StockOrder.objects.filter(pk=order.pk).update(status=StockOrderStatus.SENT)
    StockOrderLine.objects.update(received=1)
    with pytest.raises(ValidationError) as caught:
        stock_order_cancel(order=order, user=None)
    assert caught.value.code == "received_already"
    assert StockOrder.objects.get().status == StockOrderStatus.SENT
