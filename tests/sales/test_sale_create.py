"""sale_create: attach pre-recorded units, record unknown ones, one transaction."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus, StockLevel
from sales.models import Sale, SaleLineSerial
from sales.services import LineInput, SaleRefused, sale_create
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    machine = ProductFactory(name="Barista Pro", retail_price=Decimal("499.00"))
    StockLevelFactory(product=machine, outlet=main, on_hand=3)
    StockLevelFactory(product=machine, outlet=harbour, on_hand=2)
    return main, harbour, machine


def on_hand(product, outlet) -> int:
    return StockLevel.objects.get(product=product, outlet=outlet).on_hand


def line_problems(refusal: SaleRefused) -> dict[int, list[tuple[str, str]]]:
    """Each line's problems as (code, message)."""
    return {
        index: [(problem.code, problem.message) for problem in problems]
        for index, problems in refusal.check.line_errors.items()
    }


def refused(**kwargs) -> SaleRefused:
    with pytest.raises(SaleRefused) as caught:
        sale_create(clerk=None, customer=None, **kwargs)
    assert Sale.objects.count() == 0
    return caught.value


def test_a_pre_recorded_unit_is_attached_and_sold(shop):
    main, _harbour, machine = shop
    clerk = UserFactory(username="sam")
    unit = SerialRecordFactory(serial="BP-1", product=machine, outlet=main)
    sale = sale_create(
        outlet=main,
        customer=None,
        clerk=clerk,
        lines=[LineInput(product=machine, quantity=1, serials=[" bp-1 "])],
    )
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert SaleLineSerial.objects.get().serial == unit
    event = unit.events.get(kind=SerialEventKind.SOLD)
    assert (event.document, event.user, event.to_status) == (sale, clerk, SerialStatus.SOLD)
    assert sale.total == Decimal("499.00")
    assert on_hand(machine, main) == 2


def test_an_unknown_serial_is_offered_as_new_and_recorded_when_confirmed(shop):
    main, _harbour, machine = shop
    lines = [LineInput(product=machine, quantity=1, serials=["NEW-9"])]
    error = refused(outlet=main, lines=lines)
    assert error.check.not_recorded == [(0, "NEW-9")]
    assert not SerialRecord.objects.exists()

    sale = sale_create(outlet=main, customer=None, clerk=None, lines=lines, record_new=True)
    unit = SerialRecord.objects.get()
    assert (unit.serial, unit.status, unit.outlet) == ("NEW-9", SerialStatus.SOLD, main)
    assert unit.origin == SerialEventKind.RECORDED_AT_SALE
    assert unit.events.get().document == sale
    assert on_hand(machine, main) == 2


def test_a_unit_at_another_outlet_is_named_and_moved_when_confirmed(shop):
    main, harbour, machine = shop
    unit = SerialRecordFactory(serial="BP-2", product=machine, outlet=harbour)
    lines = [LineInput(product=machine, quantity=1, serials=["BP-2"])]
    error = refused(outlet=main, lines=lines)
    assert error.check.elsewhere == [(0, "BP-2", "Harbour Mall")]

    sale = sale_create(outlet=main, customer=None, clerk=None, lines=lines, sell_here=True)
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.SOLD, main)
    moved = unit.events.get(kind=SerialEventKind.TRANSFERRED)
    assert (moved.from_outlet, moved.to_outlet, moved.document) == (harbour, main, sale)
    # The unit left Harbour Mall's shelf; Main Street's count is where it was.
    assert (on_hand(machine, harbour), on_hand(machine, main)) == (1, 3)


def test_a_sold_unit_is_refused_naming_its_sale(shop):
    main, _harbour, machine = shop
    SerialRecordFactory(serial="BP-3", product=machine, outlet=main)
    lines = [LineInput(product=machine, quantity=1, serials=["BP-3"])]
    first = sale_create(outlet=main, customer=None, clerk=None, lines=lines)
    with pytest.raises(SaleRefused) as caught:
        sale_create(outlet=main, customer=None, clerk=None, lines=lines)
    [problem] = caught.value.check.line_errors[0]
    assert (problem.code, problem.serial, problem.sale) == ("already_sold", "BP-3", first.pk)
    assert problem.message == f"“BP-3” is already sold (Sale {first.pk})."
    assert Sale.objects.count() == 1


@pytest.mark.parametrize("status", [SerialStatus.FAULTY, SerialStatus.WRITTEN_OFF])
def test_a_faulty_or_written_off_unit_is_refused_naming_its_status(shop, status):
    main, _harbour, machine = shop
    SerialRecordFactory(serial="BP-4", product=machine, outlet=main, status=status)
    error = refused(outlet=main, lines=[LineInput(product=machine, quantity=1, serials=["BP-4"])])
    label = SerialStatus(status).label
    assert line_problems(error) == {
        0: [("not_sellable", f"“BP-4” is {label} and cannot be sold.")]
    }


def test_each_line_problem_is_said_on_its_line(shop):
    main, _harbour, machine = shop
    case = ProductFactory(name="Case", has_serial_numbers=False)
    phone = ProductFactory(name="Nova Phone")
    SerialRecordFactory(serial="PH-1", product=phone, outlet=main)
    error = refused(
        outlet=main,
        lines=[
            LineInput(product=machine, quantity=2, serials=["A-1"]),
            LineInput(product=machine, quantity=2, serials=["B-1", "b-1"]),
            LineInput(product=machine, quantity=1, serials=["PH-1"]),
            LineInput(product=machine, quantity=1, serials=[]),
            LineInput(product=case, quantity=1, serials=["X"]),
        ],
    )
    assert line_problems(error) == {
        0: [("serials_count", "Enter 2 serial numbers, one per unit (1 entered).")],
        1: [("entered_twice", "“b-1” is entered more than once in this sale.")],
        2: [
            (
                "recorded_for_other_product",
                "“PH-1” is recorded for Nova Phone, not for Barista Pro.",
            )
        ],
        3: [("serials_missing", "Barista Pro has serial numbers: enter one per unit sold.")],
        4: [
            (
                "product_not_serialised",
                "Case has no serial numbers: leave Serial numbers empty.",
            )
        ],
    }


def test_a_plain_product_sells_without_serials_and_stock_stops_at_zero(shop):
    main, _harbour, _machine = shop
    case = ProductFactory(name="Case", has_serial_numbers=False, retail_price=Decimal("20"))
    StockLevelFactory(product=case, outlet=main, on_hand=1)
    sale = sale_create(
        outlet=main,
        customer=None,
        clerk=None,
        lines=[LineInput(product=case, quantity=2, unit_price=Decimal("15.50"))],
    )
    assert sale.total == Decimal("31.00")
    assert on_hand(case, main) == 0


def test_an_outlet_may_require_a_customer_for_serialised_products(shop):
    main, _harbour, machine = shop
    main.require_customer_for_serialised = True
    main.save()
    SerialRecordFactory(serial="BP-5", product=machine, outlet=main)
    error = refused(outlet=main, lines=[LineInput(product=machine, quantity=1, serials=["BP-5"])])
    assert [(p.code, p.message) for p in error.check.form_errors] == [
        (
            "customer_required",
            "Main Street requires a customer for serialised products: choose the customer.",
        )
    ]


def test_a_refused_sale_changes_nothing(shop):
    main, _harbour, machine = shop
    unit = SerialRecordFactory(serial="BP-6", product=machine, outlet=main)
    refused(
        outlet=main,
        lines=[
            LineInput(product=machine, quantity=1, serials=["BP-6"]),
            LineInput(product=machine, quantity=1, serials=["UNKNOWN-1"]),
        ],
    )
    unit.refresh_from_db()
    assert unit.status == SerialStatus.IN_STOCK
    assert not SerialEvent.objects.exists()
    assert on_hand(machine, main) == 3


def sell(outlet, product, count: int, prefix: str) -> int:
    serials = [f"{prefix}-{n}" for n in range(count)]
    for serial in serials:
        SerialRecordFactory(serial=serial, product=product, outlet=outlet)
    new = [f"{prefix}-NEW-{n}" for n in range(count)]
    with CaptureQueriesContext(connection) as queries:
        sale_create(
            outlet=outlet,
            customer=None,
            clerk=None,
            record_new=True,
            lines=[
                LineInput(product=product, quantity=count, serials=serials),
                LineInput(product=product, quantity=count, serials=new),
            ],
        )
    return len(queries)


def test_a_sale_of_2_or_20_units_costs_the_same_queries(shop):
    main, _harbour, machine = shop
    assert sell(main, machine, 2, "SMALL") == sell(main, machine, 20, "LARGE")


def test_a_serial_pre_recorded_while_the_sale_was_checked_asks_to_complete_again(
    shop, monkeypatch
):
    from sales.services import selling as services

    main, _harbour, machine = shop
    plan_units = services._plan_units

    def plan_then_another_clerk_pre_records(**kwargs):
        # On one connection the "other clerk" writes inside this sale's
        # transaction; on PostgreSQL it would be another, committed one.
        plan = plan_units(**kwargs)
        SerialRecordFactory(serial="LATE-1", product=machine, outlet=main)
        return plan

    monkeypatch.setattr(services, "_plan_units", plan_then_another_clerk_pre_records)
    lines = [LineInput(product=machine, quantity=1, serials=["LATE-1"])]
    with pytest.raises(SaleRefused) as caught:
        sale_create(outlet=main, customer=None, clerk=None, lines=lines, record_new=True)
    assert line_problems(caught.value) == {
        0: [
            (
                "recorded_meanwhile",
                "“LATE-1” was recorded a moment ago by someone else: "
                "press Complete sale again to attach it.",
            )
        ]
    }
    assert not Sale.objects.exists()


def test_a_total_beyond_what_a_sale_holds_is_a_clear_error(shop):
    main, _harbour, _machine = shop
    crates = ProductFactory(name="Crate", has_serial_numbers=False)
    error = refused(
        outlet=main,
        lines=[LineInput(product=crates, quantity=10_000, unit_price=Decimal("99999999.99"))],
    )
    assert [(p.code, p.message) for p in error.check.form_errors] == [
        (
            "total_too_large",
            "The total is more than one sale can hold: split it into several sales.",
        )
    ]
