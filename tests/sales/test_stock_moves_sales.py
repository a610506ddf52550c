"""Stock history of the sales paths: a sale, a return and a claim's replacement each
write exactly their `StockMove` rows (change, on hand after, reason, who, document),
in one statement whatever the number of products and outlets."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory import services
from inventory.models import SerialRecord, StockMove, StockMoveReason
from sales.models import ClaimStatus, ReturnOutcome, ReturnReason
from sales.services import (
    LineInput,
    claim_open,
    claim_replacement_find,
    claim_update,
    return_create,
    sale_create,
)
from tests.factories import CustomerFactory, OutletFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    return ProductFactory(name="Nova X12", sku="NOV-X12", retail_price=Decimal("899.00"))


@pytest.fixture
def case():
    return ProductFactory(name="Nova Case", sku="NOV-CASE", has_serial_numbers=False)


@pytest.fixture
def main():
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


@pytest.fixture
def sam():
    return UserFactory(username="sam")


def moves_after(mark: int) -> list[tuple]:
    """(sku, outlet, change, on hand after, reason, who, document) of moves after id `mark`."""
    rows = (
        StockMove.objects.filter(id__gt=mark)
        .select_related("product", "outlet", "user")
        .order_by("product__sku", "outlet__name")
    )
    return [
        (
            m.product.sku,
            m.outlet.name,
            m.change,
            m.on_hand,
            m.reason,
            m.user.username if m.user else None,
            m.document,
        )
        for m in rows
    ]


def last_move() -> int:
    return StockMove.objects.order_by("-id").values_list("id", flat=True).first() or 0


def add(product, outlet, *serials):
    services.serials_add(product=product, outlet=outlet, entries=list(serials), user=None)


def unit(serial) -> SerialRecord:
    return SerialRecord.objects.get(serial=serial)


def test_a_sale_is_a_sold_move_per_product_in_one_statement(phone, case, main, sam):
    add(phone, main, "NX-1", "NX-2", "NX-3")
    services.stock_set(product=case, outlet=main, on_hand=10, user=sam)
    mark = last_move()

    with CaptureQueriesContext(connection) as queries:
        sale = sale_create(
            outlet=main,
            customer=CustomerFactory(),
            lines=[
                LineInput(product=phone, quantity=2, serials=["NX-1", "NX-3"]),
                LineInput(product=case, quantity=3),
            ],
            clerk=sam,
        )

    assert moves_after(mark) == [
        ("NOV-CASE", "Main Street", -3, 7, StockMoveReason.SOLD, "sam", sale),
        ("NOV-X12", "Main Street", -2, 1, StockMoveReason.SOLD, "sam", sale),
    ]
    writes = [q["sql"] for q in queries.captured_queries if "inventory_stockmove" in q["sql"]]
    assert len(writes) == 1


def test_a_unit_recorded_at_a_sale_with_nothing_uncounted_writes_no_move(phone, main, sam):
    add(phone, main, "NX-1")
    mark = last_move()

    sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=phone, quantity=1, serials=["NX-NEW"])],
        clerk=sam,
        record_new=True,
    )

    assert moves_after(mark) == []


def test_a_unit_recorded_at_a_sale_takes_one_counted_without_a_serial(phone, main, sam):
    services.stock_set(product=phone, outlet=main, on_hand=2, user=sam)
    mark = last_move()

    sale = sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=phone, quantity=1, serials=["NX-NEW"])],
        clerk=sam,
        record_new=True,
    )

    assert moves_after(mark) == [
        ("NOV-X12", "Main Street", -1, 1, StockMoveReason.SOLD, "sam", sale)
    ]


def test_a_unit_sold_from_another_outlet_leaves_that_outlets_stock(phone, main, harbour, sam):
    add(phone, harbour, "NX-AWAY")
    mark = last_move()

    sale = sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=phone, quantity=1, serials=["NX-AWAY"])],
        clerk=sam,
        sell_here=True,
    )

    # It passes through Main Street within the sale: no move there.
    assert moves_after(mark) == [
        ("NOV-X12", "Harbour Mall", -1, 0, StockMoveReason.SOLD, "sam", sale)
    ]


def _sold(phone, outlet, serial):
    add(phone, outlet, serial)
    return sale_create(
        outlet=outlet,
        customer=CustomerFactory(),
        lines=[LineInput(product=phone, quantity=1, serials=[serial])],
        clerk=None,
    )


def test_a_restocked_return_is_a_returned_move_on_the_return(phone, main, harbour, sam):
    _sold(phone, main, "NX-1")
    mark = last_move()

    returned = return_create(
        serial=unit("NX-1"),
        reason=ReturnReason.UNWANTED,
        outcome=ReturnOutcome.RESTOCK,
        outlet=harbour,
        refund_amount=Decimal("0.00"),
        clerk=sam,
    )

    assert moves_after(mark) == [
        ("NOV-X12", "Harbour Mall", 1, 1, StockMoveReason.RETURNED, "sam", returned)
    ]


def test_a_faulty_return_moves_no_stock(phone, main, sam):
    _sold(phone, main, "NX-1")
    mark = last_move()

    return_create(
        serial=unit("NX-1"),
        reason=ReturnReason.FAULTY,
        outcome=ReturnOutcome.FAULTY,
        outlet=main,
        refund_amount=Decimal("0.00"),
        clerk=sam,
    )

    assert moves_after(mark) == []


def test_a_claims_replacement_is_sold_on_its_own_sale(phone, main, harbour, sam):
    _sold(phone, main, "NX-1")
    add(phone, harbour, "NX-SPARE", "NX-SPARE-2")
    mark = last_move()

    claim = claim_open(serial=unit("NX-1"), fault_description="Screen flickers", user=sam)
    assert moves_after(mark) == []
    found = claim_replacement_find(
        claim=claim, status=ClaimStatus.RESOLVED_REPLACED, text="NX-SPARE"
    )
    claim = claim_update(
        claim=claim,
        status=ClaimStatus.RESOLVED_REPLACED,
        note="Swapped",
        user=sam,
        replacement_serial=found,
    )

    # The faulty unit comes back Faulty (never counted); the replacement leaves Harbour.
    assert moves_after(mark) == [
        ("NOV-X12", "Harbour Mall", -1, 1, StockMoveReason.SOLD, "sam", claim.replacement_sale)
    ]
