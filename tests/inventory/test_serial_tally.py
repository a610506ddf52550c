"""SerialTally: units counted per (product, outlet, status) by every service that
changes units, in the same transaction; the serial_tally_check command repairs it."""

import importlib
import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from inventory import services
from inventory.models import (
    SerialEventKind,
    SerialJobState,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMoveReason,
)
from inventory.services import jobs
from inventory.sql import serial_tally_apply
from sales.models import ClaimStatus, ReturnOutcome, ReturnReason
from sales.services import (
    LineInput,
    SaleRefused,
    claim_open,
    claim_update,
    return_create,
    sale_create,
)
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import (
    CustomerFactory,
    OutletFactory,
    ProductFactory,
    StockLevelFactory,
    UserFactory,
)
from tests.inventory.job_helpers import media, run_worker  # noqa: F401

IN_STOCK, SOLD = SerialStatus.IN_STOCK, SerialStatus.SOLD
FAULTY, WRITTEN_OFF = SerialStatus.FAULTY, SerialStatus.WRITTEN_OFF
TALLY = SerialTally._meta.db_table


def units_by_key() -> dict[tuple[int, int, str], int]:
    return {
        (row["product_id"], row["outlet_id"], row["status"]): row["n"]
        for row in SerialRecord.objects.values("product_id", "outlet_id", "status")
        .annotate(n=Count("*"))
        .order_by()
    }


def tally() -> dict[tuple[int, int, str], int]:
    return {
        (product_id, outlet_id, status): count
        for product_id, outlet_id, status, count in SerialTally.objects.filter(
            count__gt=0
        ).values_list("product_id", "outlet_id", "status", "count")
    }


def assert_tally_matches() -> None:
    """The tally holds exactly what a GROUP BY of the units says (rows at 0 aside)."""
    assert tally() == units_by_key()


def count_of(product, outlet, status) -> int:
    return tally().get((product.pk, outlet.pk, status), 0)


@pytest.fixture
def user(db):
    return UserFactory(username="sam")


@pytest.fixture
def barista(db):
    return ProductFactory(name="Barista Pro", sku="BP-1")


@pytest.fixture
def grinder(db):
    return ProductFactory(name="Grinder", sku="GR-1")


@pytest.fixture
def main(db):
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour(db):
    return OutletFactory(name="Harbour Mall")


def add(product, outlet, user, *serials):
    services.serials_add(product=product, outlet=outlet, entries=list(serials), user=user)
    return [SerialRecord.objects.get(product=product, serial=s) for s in serials]


def sell(outlet, user, product, *serials, customer=None, **options):
    return sale_create(
        outlet=outlet,
        customer=customer,
        lines=[LineInput(product=product, quantity=len(serials), serials=list(serials))],
        clerk=user,
        **options,
    )


# Every service that changes units ----------------------------------------------------


def test_adding_serials_counts_them_in_stock_where_they_were_added(user, barista, main):
    add(barista, main, user, "A1", "A2", "A3")

    assert count_of(barista, main, IN_STOCK) == 3
    assert_tally_matches()


def test_importing_counts_each_row_at_its_product_and_outlet(
    user, barista, grinder, main, harbour
):
    csv_text = (
        "serial,sku,outlet\n"
        "I1,BP-1,Main Street\nI2,BP-1,Main Street\nI3,BP-1,Harbour Mall\nI4,GR-1,Main Street\n"
    )

    services.serials_import(csv_text=csv_text, user=user)

    assert tally() == {
        (barista.pk, main.pk, IN_STOCK): 2,
        (barista.pk, harbour.pk, IN_STOCK): 1,
        (grinder.pk, main.pk, IN_STOCK): 1,
    }
    assert_tally_matches()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("media")
def test_a_background_add_counts_each_chunk_it_commits(roles, monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 3)
    user = UserFactory(username="sam", groups=["Staff"])
    product, outlet = ProductFactory(), OutletFactory()
    text = "\n".join(f"JOB-{n}" for n in range(1, 11))
    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text=text)

    run_worker()

    job.refresh_from_db()
    assert job.state == SerialJobState.DONE
    assert count_of(product, outlet, IN_STOCK) == 10
    assert_tally_matches()


def test_a_sale_of_pre_recorded_units_moves_them_from_in_stock_to_sold(user, barista, main):
    add(barista, main, user, "S1", "S2", "S3")

    sell(main, user, barista, "S1", "S2")

    assert count_of(barista, main, IN_STOCK) == 1
    assert count_of(barista, main, SOLD) == 2
    assert_tally_matches()


def test_units_recorded_at_the_sale_are_counted_sold(user, barista, main):
    add(barista, main, user, "S1")

    sell(main, user, barista, "S1", "NEW-1", "NEW-2", record_new=True)

    assert count_of(barista, main, SOLD) == 3
    assert count_of(barista, main, IN_STOCK) == 0
    assert_tally_matches()


def test_a_unit_sold_here_from_another_outlet_leaves_that_outlets_count(
    user, barista, main, harbour
):
    add(barista, harbour, user, "H1", "H2")

    sell(main, user, barista, "H1", sell_here=True)

    assert count_of(barista, harbour, IN_STOCK) == 1
    assert count_of(barista, main, SOLD) == 1
    assert_tally_matches()


def test_a_sale_moving_selling_and_recording_touches_the_tally_once_in_key_order(
    user, barista, grinder, main, harbour
):
    add(barista, harbour, user, "H1")
    add(barista, main, user, "M1")
    add(grinder, main, user, "G1")

    with CaptureQueriesContext(connection) as queries:
        sale_create(
            outlet=main,
            customer=None,
            lines=[
                LineInput(product=grinder, quantity=2, serials=["G1", "G-NEW"]),
                LineInput(product=barista, quantity=2, serials=["H1", "M1"]),
            ],
            clerk=user,
            record_new=True,
            sell_here=True,
        )

    # Writes only: the stock rule of G-NEW, recorded at the sale, reads the In
    # stock count in the stock UPDATE's FROM, which locks no tally row.
    touching = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith((f"INSERT INTO {TALLY}", f"UPDATE {TALLY}"))
    ]
    # One upsert that locks every key of the sale in order, one update of the decreases.
    assert [sql.split()[0] for sql in touching] == ["INSERT", "UPDATE"]
    assert count_of(barista, main, SOLD) == 2
    assert count_of(grinder, main, SOLD) == 2
    assert count_of(barista, harbour, IN_STOCK) == 0
    assert_tally_matches()


def test_the_tally_upsert_sends_its_keys_in_product_outlet_status_order(
    barista, grinder, main, harbour
):
    deltas = {
        (grinder.pk, main.pk, SOLD): 1,
        (barista.pk, harbour.pk, IN_STOCK): 2,
        (grinder.pk, main.pk, IN_STOCK): 3,
        (barista.pk, main.pk, FAULTY): 0,
        (barista.pk, main.pk, IN_STOCK): 4,
    }
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        serial_tally_apply(deltas=deltas)

    (upsert_sql, params), *_ = sent
    assert upsert_sql.startswith(f"INSERT INTO {TALLY}")
    keys = [tuple(row[:3]) for row in json.loads(params[0])]
    assert keys == sorted(key for key, n in deltas.items() if n)
    assert keys[0] < keys[-1]  # not already in order as given
    assert tally() == {key: n for key, n in deltas.items() if n}


def test_a_refused_sale_leaves_the_tally_as_it_was(user, barista, main):
    add(barista, main, user, "S1", "S2")
    sell(main, user, barista, "S1")
    before = tally()

    with pytest.raises(SaleRefused):
        # S1 is sold already: the whole sale, S2 too, is refused.
        sell(main, user, barista, "S2", "S1")

    assert tally() == before
    assert before[(barista.pk, main.pk, IN_STOCK)] == 1
    assert_tally_matches()


@pytest.fixture
def sold_unit(user, barista, main):
    """A unit sold to a customer at Main Street, and a spare In stock at Harbour Mall."""
    add(barista, main, user, "SOLD-1")
    sale = sell(main, user, barista, "SOLD-1", customer=CustomerFactory())
    return SerialRecord.objects.get(serial="SOLD-1"), sale


@pytest.mark.parametrize(
    ("outcome", "status"), [(ReturnOutcome.RESTOCK, IN_STOCK), (ReturnOutcome.FAULTY, FAULTY)]
)
def test_a_return_counts_the_unit_where_and_as_it_comes_back(
    user, barista, main, harbour, sold_unit, outcome, status
):
    unit, _sale = sold_unit

    return_create(
        serial=unit,
        reason=ReturnReason.UNWANTED,
        outcome=outcome,
        outlet=harbour,
        refund_amount=Decimal("0.00"),
        clerk=user,
    )

    assert count_of(barista, main, SOLD) == 0
    assert count_of(barista, harbour, status) == 1
    assert_tally_matches()


def test_a_claim_replacement_sells_the_spare_and_counts_the_returned_unit_faulty(
    user, barista, main, harbour, sold_unit
):
    unit, _sale = sold_unit
    (spare,) = add(barista, harbour, user, "SPARE-1")
    claim = claim_open(serial=unit, fault_description="No steam", user=user)

    with CaptureQueriesContext(connection) as queries:
        claim_update(
            claim=claim,
            status=ClaimStatus.RESOLVED_REPLACED,
            note="Swapped",
            user=user,
            replacement_serial=spare,
        )

    assert count_of(barista, main, FAULTY) == 1
    assert count_of(barista, harbour, SOLD) == 1
    assert count_of(barista, harbour, IN_STOCK) == 0
    # The replacement sale's changes and the returned unit's, applied together.
    assert sum(1 for q in queries.captured_queries if f"INTO {TALLY}" in q["sql"]) == 1
    assert_tally_matches()


def test_a_transfer_moves_the_counts_of_in_stock_and_faulty_units(user, barista, main, harbour):
    first, second = add(barista, main, user, "T1", "T2")
    services.serial_mark_faulty(serial=second, note="Dented", user=user)

    services.serials_transfer(serials=[first, second], to_outlet=harbour, user=user)

    assert count_of(barista, harbour, IN_STOCK) == 1
    assert count_of(barista, harbour, FAULTY) == 1
    assert count_of(barista, main, IN_STOCK) == count_of(barista, main, FAULTY) == 0
    assert_tally_matches()


def test_writing_off_marking_faulty_and_reinstating_move_the_count(user, barista, main):
    lost, broken, repaired = add(barista, main, user, "W1", "F1", "R1")

    services.serial_write_off(serial=lost, reason="Lost in transit", user=user)
    services.serial_mark_faulty(serial=broken, note="Cracked", user=user)
    services.serial_mark_faulty(serial=repaired, note="Loose", user=user)
    services.serial_reinstate(serial=repaired, note="Tightened", user=user)

    assert tally() == {
        (barista.pk, main.pk, WRITTEN_OFF): 1,
        (barista.pk, main.pk, FAULTY): 1,
        (barista.pk, main.pk, IN_STOCK): 1,
    }
    assert_tally_matches()


def test_deleting_a_unit_takes_it_off_its_count(user, barista, main):
    typo, kept = add(barista, main, user, "TYPO", "KEPT")

    services.serial_delete(serial=typo, user=user)

    assert count_of(barista, main, IN_STOCK) == 1
    assert_tally_matches()


def test_correcting_a_serials_text_changes_no_count(user, barista, main):
    (unit,) = add(barista, main, user, "TYOP")

    with CaptureQueriesContext(connection) as queries:
        services.serial_update(serial=unit, text="TYPO", notes="", user=user)

    assert not [q for q in queries.captured_queries if TALLY in q["sql"]]
    assert count_of(barista, main, IN_STOCK) == 1
    assert_tally_matches()


def test_a_refused_change_leaves_the_tally_as_it_was(user, barista, main, harbour):
    (unit,) = add(barista, main, user, "X1")
    services.serial_write_off(serial=unit, reason="Stolen", user=user)
    before = tally()

    with pytest.raises(ValidationError) as refused:
        services.serials_transfer(serials=[unit], to_outlet=harbour, user=user)

    assert refused.value.code == "not_movable"
    assert tally() == before == {(barista.pk, main.pk, WRITTEN_OFF): 1}


# Batches ------------------------------------------------------------------------------


def test_a_sale_that_fails_inside_another_service_adds_nothing_to_its_effects(
    user, barista, main, harbour, monkeypatch
):
    from sales.services import selling

    first, second = add(barista, main, user, "B1", "B2")
    StockLevelFactory(product=barista, outlet=harbour, on_hand=0)
    plan_units = selling._plan_units

    def plan_then_another_clerk_records(**kwargs):
        # LATE-1 is recorded after the check: the sale notes B2 sold, then fails on it.
        plan = plan_units(**kwargs)
        add(barista, main, user, "LATE-1")
        return plan

    monkeypatch.setattr(selling, "_plan_units", plan_then_another_clerk_records)
    effects = services.UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None)
    with transaction.atomic():
        [locked] = SerialRecord.objects.select_for_update().filter(pk=first.pk)
        services.serials_change(
            serials=[locked],
            kind=SerialEventKind.TRANSFERRED,
            to_outlet=harbour,
            user=user,
            effects=effects,
        )
        with pytest.raises(SaleRefused) as refused:
            sell(main, user, barista, "B2", "LATE-1", record_new=True, effects=effects)
        effects.apply()

    # Refused after selling B2, when recording LATE-1; the sale's savepoint took both back.
    [problem] = refused.value.check.line_errors[0]
    assert problem.code == "recorded_meanwhile"
    assert SerialRecord.objects.get(pk=second.pk).status == IN_STOCK
    assert tally() == {(barista.pk, harbour.pk, IN_STOCK): 1, (barista.pk, main.pk, IN_STOCK): 1}
    assert_tally_matches()
    on_hand = dict(StockLevel.objects.filter(product=barista).values_list("outlet", "on_hand"))
    assert on_hand == {main.pk: 1, harbour.pk: 1}


# A count gone wrong ---------------------------------------------------------------------


def test_a_count_gone_wrong_never_stops_a_sale_and_the_check_puts_it_right(
    user, barista, main, capsys
):
    add(barista, main, user, "S1", "S2")
    # As if someone had edited the table by hand.
    SerialTally.objects.filter(product=barista, outlet=main, status=IN_STOCK).update(count=0)

    sell(main, user, barista, "S1")

    assert SerialRecord.objects.get(serial="S1").status == SOLD
    assert count_of(barista, main, IN_STOCK) == 0  # stopped at zero, not below
    call_command("serial_tally_check")
    assert count_of(barista, main, IN_STOCK) == 1
    assert_tally_matches()


def test_the_check_reports_every_difference_in_a_dry_run_and_changes_nothing(
    user, barista, grinder, main, harbour, capsys
):
    add(barista, main, user, "S1", "S2")
    add(grinder, harbour, user, "G1")
    SerialTally.objects.filter(product=barista).update(count=7)
    SerialTally.objects.filter(product=grinder).delete()
    SerialTally.objects.create(product=grinder, outlet=main, status=FAULTY, count=4)
    broken = tally()

    with pytest.raises(CommandError) as failed:
        call_command("serial_tally_check", "--dry-run")

    out = capsys.readouterr().out
    assert failed.value.returncode == 1
    assert "3 serial counts differ" in str(failed.value)
    assert (
        f"Product {barista.pk} at outlet {main.pk}, in_stock: counted 7, serial numbers 2" in out
    )
    assert (
        f"Product {grinder.pk} at outlet {harbour.pk}, in_stock: counted 0, serial numbers 1"
        in out
    )
    assert f"Product {grinder.pk} at outlet {main.pk}, faulty: counted 4, serial numbers 0" in out
    assert tally() == broken


def test_the_check_fixes_a_broken_tally_and_a_second_run_finds_nothing(
    user, barista, grinder, main, harbour, capsys
):
    add(barista, main, user, "S1", "S2")
    add(grinder, harbour, user, "G1")
    SerialTally.objects.filter(product=barista).update(count=7)
    SerialTally.objects.filter(product=grinder).delete()
    SerialTally.objects.create(product=grinder, outlet=main, status=FAULTY, count=4)

    call_command("serial_tally_check")

    assert "Fixed 3 serial counts." in capsys.readouterr().out
    assert_tally_matches()
    assert tally() == {(barista.pk, main.pk, IN_STOCK): 2, (grinder.pk, harbour.pk, IN_STOCK): 1}
    call_command("serial_tally_check")
    assert "Serial counts match the serial numbers." in capsys.readouterr().out
    call_command("serial_tally_check", "--dry-run")
    assert "Serial counts match the serial numbers." in capsys.readouterr().out


def test_the_migration_fills_the_tally_from_the_units(user, barista, grinder, main, harbour):
    add(barista, main, user, "S1", "S2")
    add(grinder, harbour, user, "G1")
    services.serial_mark_faulty(serial=SerialRecord.objects.get(serial="S2"), note="", user=user)
    SerialTally.objects.all().delete()
    migration = importlib.import_module("inventory.migrations.0009_serial_tally")

    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)

    assert tally() == {
        (barista.pk, main.pk, IN_STOCK): 1,
        (barista.pk, main.pk, FAULTY): 1,
        (grinder.pk, harbour.pk, IN_STOCK): 1,
    }
    assert_tally_matches()


# At the same moment (PostgreSQL) --------------------------------------------------------

TIMEOUT = 20


def run_both(calls):
    start, results = threading.Barrier(2, timeout=TIMEOUT), []
    threads = [run_in_thread(call, results, start) for call in calls]
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish"
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_adding_serials_of_one_product_at_one_outlet_at_once_are_both_counted():
    user = UserFactory(username="sam")
    product, outlet = ProductFactory(), OutletFactory()
    batches = [[f"A-{n}" for n in range(500)], [f"B-{n}" for n in range(700)]]

    results = run_both(
        [
            lambda entries=entries: (
                services.serials_add(
                    product=product, outlet=outlet, entries=entries, user=user
                ).count
            )
            for entries in batches
        ]
    )

    assert sorted(results) == [500, 700]
    assert count_of(product, outlet, IN_STOCK) == 1200
    assert_tally_matches()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_sales_crossing_products_and_outlets_at_once_both_finish_and_are_counted():
    user = UserFactory(username="sam")
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    barista, grinder = ProductFactory(), ProductFactory()
    for product in (barista, grinder):
        StockLevelFactory(product=product, outlet=main, on_hand=5)
        StockLevelFactory(product=product, outlet=harbour, on_hand=5)
    services.serials_add(product=barista, outlet=main, entries=["B1", "B2"], user=user)
    services.serials_add(product=grinder, outlet=main, entries=["G1"], user=user)
    services.serials_add(product=grinder, outlet=harbour, entries=["G2"], user=user)

    def sale(serials_of, **options):
        return lambda: sale_create(
            outlet=main,
            customer=None,
            lines=[
                LineInput(product=product, quantity=len(serials), serials=serials)
                for product, serials in serials_of
            ],
            clerk=user,
            **options,
        )

    results = run_both(
        [
            # Moves G2 from Harbour Mall, then sells and records: several changes.
            sale([(grinder, ["G2"]), (barista, ["B1", "NEW-1"])], sell_here=True, record_new=True),
            sale([(barista, ["B2"]), (grinder, ["G1"])]),
        ]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert count_of(barista, main, SOLD) == 3
    assert count_of(grinder, main, SOLD) == 2
    assert count_of(grinder, harbour, IN_STOCK) == 0
    assert_tally_matches()
