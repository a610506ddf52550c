"""Two clerks selling at the same moment (PostgreSQL: SQLite cannot show locking bugs).

Each thread has its own connection and transaction, as two requests would. Where
the outcome depends on an interleaving, the test forces the worst one: both
clerks have checked their serials (and found them sellable) before either
locks a unit, so only the locks and constraints decide.
"""

import threading

import pytest

from inventory.models import SerialEvent, SerialRecord, SerialStatus, StockLevel
from sales.models import Sale, SaleLineSerial
from sales.services import LineInput, SaleRefused, sale_create
from sales.services import selling as services
from tests.concurrency import hold_after, postgresql_only, run_both, run_in_thread
from tests.factories import (
    OutletFactory,
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    UserFactory,
)

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20


@pytest.fixture
def shop():
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Barista Pro", sku="BP-1")
    StockLevelFactory(product=product, outlet=outlet, on_hand=5)
    clerks = [UserFactory(username="sam", password="!"), UserFactory(username="kim", password="!")]
    return outlet, product, clerks


@pytest.fixture
def both_checked_before_either_locks(monkeypatch):
    """Hold each sale after its check until both clerks have checked."""
    hold_after(monkeypatch, services, "_plan_units", timeout=TIMEOUT)


def one_sale_one_refusal(results):
    sales = [r for r in results if isinstance(r, Sale)]
    refusals = [r for r in results if isinstance(r, SaleRefused)]
    assert (len(sales), len(refusals)) == (1, 1), results
    return sales[0], refusals[0]


def on_hand(product, outlet):
    return StockLevel.objects.get(product=product, outlet=outlet).on_hand


def test_two_clerks_selling_the_same_unit_at_once_make_one_sale(
    shop, both_checked_before_either_locks
):
    outlet, product, clerks = shop
    unit = SerialRecordFactory(product=product, outlet=outlet, serial="BP-0001")

    def sell(clerk):
        line = LineInput(product=product, quantity=1, serials=["BP-0001"])
        return sale_create(outlet=outlet, customer=None, lines=[line], clerk=clerk)

    results = run_both([lambda: sell(clerks[0]), lambda: sell(clerks[1])])

    sale, refusal = one_sale_one_refusal(results)
    [problem] = refusal.check.line_errors[0]
    assert (problem.code, problem.message) == (
        "already_sold",
        f"“BP-0001” is already sold (Sale {sale.pk}).",
    )
    assert Sale.objects.get() == sale
    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert SaleLineSerial.objects.get().serial == unit
    assert SaleLineSerial.objects.get().line.sale == sale
    assert unit.events.count() == 1
    assert on_hand(product, outlet) == 4


def test_two_clerks_recording_the_same_unknown_serial_at_once_make_one_sale(
    shop, both_checked_before_either_locks
):
    outlet, product, clerks = shop

    def sell_as_new(clerk):
        line = LineInput(product=product, quantity=1, serials=["NEW-77"])
        return sale_create(
            outlet=outlet, customer=None, lines=[line], clerk=clerk, record_new=True
        )

    results = run_both([lambda: sell_as_new(clerks[0]), lambda: sell_as_new(clerks[1])])

    sale, refusal = one_sale_one_refusal(results)
    [problem] = refusal.check.line_errors[0]
    assert (problem.code, problem.message) == (
        "already_sold",
        f"“NEW-77” is already sold (Sale {sale.pk}).",
    )
    # Nothing left to offer "Record as new" for: the serial is recorded now.
    assert refusal.check.not_recorded == []
    assert Sale.objects.get() == sale
    record = SerialRecord.objects.get()
    assert (record.serial, record.status) == ("NEW-77", SerialStatus.SOLD)
    assert SaleLineSerial.objects.get().serial == record
    assert record.events.count() == 1
    assert on_hand(product, outlet) == 4


def test_sales_of_two_units_of_one_product_do_not_wait_for_each_other(shop, monkeypatch):
    outlet, product, clerks = shop
    unit_a = SerialRecordFactory(product=product, outlet=outlet, serial="BP-A")
    unit_b = SerialRecordFactory(product=product, outlet=outlet, serial="BP-B")
    holding, release = threading.Event(), threading.Event()
    lock_units = services._lock_units

    def lock_then_hold(**kwargs):
        # Clerk 1's sale stops here, its transaction open with unit A locked.
        locked = lock_units(**kwargs)
        if unit_a.pk in locked:
            holding.set()
            release.wait(timeout=TIMEOUT)
        return locked

    monkeypatch.setattr(services, "_lock_units", lock_then_hold)

    def sell(clerk, serial):
        line = LineInput(product=product, quantity=1, serials=[serial])
        return sale_create(outlet=outlet, customer=None, lines=[line], clerk=clerk)

    first, second = [], []
    clerk_1 = run_in_thread(lambda: sell(clerks[0], "BP-A"), first)
    try:
        assert holding.wait(timeout=TIMEOUT), "clerk 1 never locked unit A"
        clerk_2 = run_in_thread(lambda: sell(clerks[1], "BP-B"), second)
        clerk_2.join(timeout=10)
        assert not clerk_2.is_alive(), "clerk 2's sale waited for clerk 1's"
        assert clerk_1.is_alive() and not release.is_set()
    finally:
        release.set()
        clerk_1.join(timeout=TIMEOUT)
    assert not clerk_1.is_alive()

    assert [type(r) for r in first + second] == [Sale, Sale]
    sale_1, sale_2 = first[0], second[0]
    # Clerk 2 committed first, while clerk 1 held its lock.
    assert sale_2.pk < sale_1.pk
    assert {link.serial_id: link.line.sale_id for link in SaleLineSerial.objects.all()} == {
        unit_a.pk: sale_1.pk,
        unit_b.pk: sale_2.pk,
    }
    assert set(SerialRecord.objects.values_list("status", flat=True)) == {SerialStatus.SOLD}
    assert on_hand(product, outlet) == 3


def test_two_clerks_selling_the_same_two_units_in_opposite_orders_do_not_deadlock(
    shop, both_checked_before_either_locks
):
    outlet, product, clerks = shop
    units = [
        SerialRecordFactory(product=product, outlet=outlet, serial=serial)
        for serial in ("BP-A", "BP-B")
    ]

    def sell(clerk, serials):
        line = LineInput(product=product, quantity=2, serials=serials)
        return sale_create(outlet=outlet, customer=None, lines=[line], clerk=clerk)

    results = run_both(
        [lambda: sell(clerks[0], ["BP-A", "BP-B"]), lambda: sell(clerks[1], ["BP-B", "BP-A"])]
    )

    sale, refusal = one_sale_one_refusal(results)
    # Named in the refused clerk's own order, whichever clerk that was.
    assert list(refusal.check.line_errors) == [0]
    assert sorted(problem.message for problem in refusal.check.line_errors[0]) == [
        f"“BP-A” is already sold (Sale {sale.pk}).",
        f"“BP-B” is already sold (Sale {sale.pk}).",
    ]
    assert Sale.objects.get() == sale
    assert {link.serial_id for link in SaleLineSerial.objects.filter(line__sale=sale)} == {
        unit.pk for unit in units
    }
    assert SerialEvent.objects.count() == 2
    assert on_hand(product, outlet) == 3


def test_a_unit_transferred_away_after_the_check_is_not_sold_from_the_wrong_shelf(monkeypatch):
    from inventory.services import serials_transfer

    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    product = ProductFactory()
    StockLevelFactory(product=product, outlet=main, on_hand=1)
    unit = SerialRecordFactory(product=product, outlet=main, serial="U-1")
    plan_units = services._plan_units

    def plan_then_a_manager_transfers(**kwargs):
        plan = plan_units(**kwargs)
        done: list = []
        thread = run_in_thread(
            lambda: serials_transfer(serials=[unit], to_outlet=harbour, user=None), done
        )
        thread.join(timeout=20)
        assert done == [1], "the transfer did not run"
        return plan

    monkeypatch.setattr(services, "_plan_units", plan_then_a_manager_transfers)
    with pytest.raises(SaleRefused) as caught:
        sale_create(
            outlet=main,
            customer=None,
            clerk=None,
            lines=[LineInput(product=product, quantity=1, serials=["U-1"])],
        )
    [problem] = caught.value.check.line_errors[0]
    assert (problem.code, problem.message) == (
        "moved_meanwhile",
        "“U-1” was moved to another outlet a moment ago: look it up.",
    )
    assert list(caught.value.check.line_errors) == [0]
    unit.refresh_from_db()
    assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, harbour)
    assert not Sale.objects.exists()


def test_two_sales_crossing_two_products_do_not_deadlock(monkeypatch):
    outlet = OutletFactory()
    first, second = ProductFactory(), ProductFactory()
    for product in (first, second):
        StockLevelFactory(product=product, outlet=outlet, on_hand=5)
    SerialRecordFactory(product=first, outlet=outlet, serial="A-1")
    SerialRecordFactory(product=second, outlet=outlet, serial="B-1")
    both_checked = threading.Barrier(2, timeout=20)
    record_sold = services.serials_record_sold

    def wait_then_record(**kwargs):
        both_checked.wait()
        return record_sold(**kwargs)

    monkeypatch.setattr(services, "serials_record_sold", wait_then_record)
    orders = [
        [
            LineInput(product=first, quantity=1, serials=["A-1"]),
            LineInput(product=second, quantity=1, serials=["NEW-B"]),
        ],
        [
            LineInput(product=second, quantity=1, serials=["B-1"]),
            LineInput(product=first, quantity=1, serials=["NEW-A"]),
        ],
    ]
    results: list = []
    threads = [
        run_in_thread(
            lambda lines=lines: sale_create(
                outlet=outlet, customer=None, clerk=None, lines=lines, record_new=True
            ),
            results,
        )
        for lines in orders
    ]
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert len(results) == 2
    assert all(isinstance(result, Sale) for result in results), results
    assert Sale.objects.count() == 2
