"""Stock history: each inventory path that changes stock on hand writes exactly its
`StockMove` rows (change, on hand after, reason, who, document, note), and none
where on hand stays the same."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory import services, sql
from inventory.models import SerialRecord, SerialStatus, StockLevel, StockMove, StockMoveReason
from inventory.services import UnitEffects
from inventory.services.receiving import stock_order_receive
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.receive_helpers import order_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def main():
    return OutletFactory(name="Main Street")


@pytest.fixture
def harbour():
    return OutletFactory(name="Harbour Mall")


@pytest.fixture
def grinder():
    return ProductFactory(name="Mazzer Grinder", sku="MZ-1")


@pytest.fixture
def sam():
    return UserFactory(username="sam")


def moves(product=None) -> list[tuple]:
    """(outlet, change, on hand after, reason, who, document, note) of each move, oldest first."""
    rows = StockMove.objects.select_related("outlet", "user").order_by("id")
    if product is not None:
        rows = rows.filter(product=product)
    return [
        (
            m.outlet.name,
            m.change,
            m.on_hand,
            m.reason,
            m.user.username if m.user else None,
            m.document,
            m.note,
        )
        for m in rows
    ]


def on_hand(product, outlet) -> int:
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0


def add(product, outlet, *serials, user=None):
    return services.serials_add(product=product, outlet=outlet, entries=list(serials), user=user)


def unit(serial) -> SerialRecord:
    return SerialRecord.objects.get(serial=serial)


# Set by hand --------------------------------------------------------------------------


def test_setting_stock_by_hand_is_a_move_with_the_change_and_the_note(grinder, main, sam):
    services.stock_set(product=grinder, outlet=main, on_hand=5, user=sam, note="Spring count")
    services.stock_set(product=grinder, outlet=main, on_hand=3, user=None)

    assert moves() == [
        ("Main Street", 5, 5, StockMoveReason.SET_BY_HAND, "sam", None, "Spring count"),
        ("Main Street", -2, 3, StockMoveReason.SET_BY_HAND, None, None, ""),
    ]


def test_a_count_that_finds_what_was_there_writes_no_move(grinder, main, sam):
    services.stock_set(product=grinder, outlet=main, on_hand=4, user=sam)
    services.stock_set(product=grinder, outlet=main, on_hand=4, user=sam)
    services.stock_set(product=ProductFactory(), outlet=main, on_hand=0, user=sam)

    assert [(change, after) for _o, change, after, *_ in moves()] == [(4, 4)]


def test_a_refused_count_writes_no_move(grinder, main, sam):
    with pytest.raises(services.stock.ValidationError) as caught:
        services.stock_set(product=grinder, outlet=main, on_hand=-1, user=sam)

    assert caught.value.code == "negative_stock"
    assert not StockMove.objects.exists()


@pytest.mark.parametrize(
    ("note", "kept"),
    [
        ("x" * 500, "x" * 200),
        ("Back\x00room", "Back room"),
        ("Line one\nline two\ttab\x1b[31m", "Line one line two tab [31m"),
        ("Zählung ☕ 東京", "Zählung ☕ 東京"),
        ("   ", ""),
    ],
)
def test_a_hostile_note_is_kept_as_one_line_within_its_length(grinder, main, note, kept):
    services.stock_set(product=grinder, outlet=main, on_hand=1, user=None, note=note)

    assert StockMove.objects.get().note == kept


def test_adjusting_stock_says_why_and_never_writes_a_move_for_nothing(grinder, main, sam):
    services.stock_adjust(
        product=grinder, outlet=main, delta=3, reason=StockMoveReason.COUNTED, user=sam
    )
    services.stock_adjust(
        product=grinder, outlet=main, delta=0, reason=StockMoveReason.COUNTED, user=sam
    )

    assert moves() == [("Main Street", 3, 3, StockMoveReason.COUNTED, "sam", None, "")]


# Serial numbers recorded and changed --------------------------------------------------


def test_serials_recorded_beyond_the_count_are_one_move_per_product_and_outlet(grinder, main, sam):
    add(grinder, main, "MZ-001", "MZ-002", "MZ-003", user=sam)

    assert moves() == [("Main Street", 3, 3, StockMoveReason.UNITS_CHANGED, "sam", None, "")]


def test_serials_that_label_counted_units_write_no_move(grinder, main, sam):
    services.stock_set(product=grinder, outlet=main, on_hand=2, user=sam)

    add(grinder, main, "MZ-001", "MZ-002", user=sam)
    add(grinder, main, "MZ-003", user=sam)

    assert [(change, after) for _o, change, after, *_ in moves()] == [(2, 2), (1, 3)]


def test_writing_off_a_unit_on_the_shelf_is_a_move_linked_to_it(grinder, main, sam):
    add(grinder, main, "MZ-001", "MZ-002")

    services.serial_write_off(serial=unit("MZ-001"), reason="Dropped", user=sam)

    assert moves()[1:] == [
        (
            "Main Street",
            -1,
            1,
            StockMoveReason.UNITS_CHANGED,
            "sam",
            unit("MZ-001"),
            "Written off “MZ-001”: Dropped",
        )
    ]


def test_faulty_and_reinstated_units_leave_and_come_back_on_hand(grinder, main, sam):
    add(grinder, main, "MZ-001")

    services.serial_mark_faulty(serial=unit("MZ-001"), note="Burr cracked", user=sam)
    services.serial_reinstate(serial=unit("MZ-001"), note="", user=sam)
    # Off the shelf again, then written off: a Faulty unit was not counted.
    services.serial_mark_faulty(serial=unit("MZ-001"), note="", user=sam)
    services.serial_write_off(serial=unit("MZ-001"), reason="Scrapped", user=sam)

    assert [m[1:3] + m[6:] for m in moves()[1:]] == [
        (-1, 0, "Marked faulty “MZ-001”: Burr cracked"),
        (1, 1, "Reinstated “MZ-001”"),
        (-1, 0, "Marked faulty “MZ-001”"),
    ]


def test_deleting_a_unit_on_the_shelf_names_its_serial(grinder, main, sam):
    add(grinder, main, "MZ-001", "MZ-002")

    services.serial_delete(serial=unit("MZ-002"), user=sam)

    assert moves()[1:] == [
        ("Main Street", -1, 1, StockMoveReason.UNITS_CHANGED, "sam", None, "Deleted “MZ-002”")
    ]


def test_a_transfer_is_two_moves_one_at_each_outlet(grinder, main, harbour, sam):
    add(grinder, main, "MZ-001", "MZ-002", "MZ-003")
    services.stock_set(product=grinder, outlet=harbour, on_hand=1, user=sam)
    before = StockMove.objects.count()

    moved = services.serials_transfer(
        serials=[unit("MZ-001"), unit("MZ-002")], to_outlet=harbour, user=sam, note="Weekend"
    )

    assert moved == 2
    assert sorted(moves()[before:]) == [
        ("Harbour Mall", 2, 3, StockMoveReason.TRANSFERRED, "sam", None, "Weekend"),
        ("Main Street", -2, 1, StockMoveReason.TRANSFERRED, "sam", None, "Weekend"),
    ]


def test_moving_faulty_units_moves_no_stock(grinder, main, harbour, sam):
    add(grinder, main, "MZ-001")
    services.serial_mark_faulty(serial=unit("MZ-001"), note="", user=sam)
    before = StockMove.objects.count()

    services.serials_transfer(serials=[unit("MZ-001")], to_outlet=harbour, user=sam)

    assert StockMove.objects.count() == before


def test_a_change_that_leaves_on_hand_as_it_was_writes_no_move(grinder, main):
    # A unit leaves a shelf counted at 0 already: on hand stays 0, no move.
    SerialRecordFactory(product=grinder, outlet=main, serial="MZ-UNCOUNTED")
    StockLevel.objects.create(product=grinder, outlet=main, on_hand=0)

    services.serial_write_off(serial=unit("MZ-UNCOUNTED"), reason="Lost", user=None)

    assert on_hand(grinder, main) == 0
    assert not StockMove.objects.exists()


# Received on a stock order ------------------------------------------------------------


def test_receiving_an_order_is_a_received_move_on_the_order(grinder, main, sam):
    tamper = ProductFactory(name="Tamper", sku="TMP-1", has_serial_numbers=False)
    order = order_with(outlet=main, lines=[(grinder, 3), (tamper, 5)])
    tamper_line = order.lines.get(product=tamper)

    stock_order_receive(
        order=order, text="MZ-001\nMZ-002", quantities={tamper_line.pk: 4}, user=sam
    )

    assert sorted(moves(), key=lambda m: m[1]) == [
        ("Main Street", 2, 2, StockMoveReason.RECEIVED, "sam", order, ""),
        ("Main Street", 4, 4, StockMoveReason.RECEIVED, "sam", order, ""),
    ]


# The API: a reason on every path, a fixed number of statements -------------------------


def test_unit_effects_need_a_reason():
    with pytest.raises(TypeError):
        UnitEffects()
    with pytest.raises(ValueError, match="Unknown stock move reason"):
        UnitEffects(reason="lost", user=None)


def _unit_effects_calls() -> list[tuple[str, int, set[str]]]:
    """(file, line, keywords) of each UnitEffects(...) in the project's own code."""
    root = Path(settings.BASE_DIR)
    found = []
    for app in ("inventory", "sales", "api", "reports", "catalog", "lib", "bench"):
        for path in (root / app).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                    if name == "UnitEffects":
                        keywords = {k.arg for k in node.keywords if k.arg}
                        found.append((str(path.relative_to(root)), node.lineno, keywords))
    return found


def test_every_unit_effects_in_the_code_names_its_reason_and_user():
    calls = _unit_effects_calls()

    # Sales, returns, two claim paths, transfers, write-off, status changes, delete.
    assert len(calls) >= 8
    assert [call for call in calls if not {"reason", "user"} <= call[2]] == []


def _stock_statements(run) -> tuple[int, int]:
    """(statements, those writing stock moves) while `run()` runs."""
    with CaptureQueriesContext(connection) as queries:
        run()
    sqls = [q["sql"] for q in queries.captured_queries]
    return len(sqls), sum(StockMove._meta.db_table in s for s in sqls)


@pytest.mark.parametrize("pairs", [1, 12])
def test_stock_apply_writes_every_pairs_move_in_one_statement(pairs):
    products = [ProductFactory() for _ in range(pairs)]
    outlets = [OutletFactory(), OutletFactory()]
    changes = {
        (p.pk, o.pk): sql.StockChange(delta=n + 1)
        for n, (p, o) in enumerate((p, o) for p in products for o in outlets)
    }
    cause = sql.MoveCause(StockMoveReason.SET_BY_HAND, note="Bulk")

    statements, writing_moves = _stock_statements(
        lambda: sql.stock_apply(changes=changes, cause=cause, at=timezone.now())
    )

    # Make missing rows, lock them (PostgreSQL, more than one pair), update them
    # and write the moves: one UPDATE ... RETURNING into the INSERT on
    # PostgreSQL, an INSERT before the UPDATE on SQLite (one statement more).
    assert (statements, writing_moves) == (3, 1)
    assert StockMove.objects.count() == 2 * pairs
    assert sorted(StockMove.objects.values_list("change", flat=True)) == sorted(
        c.delta for c in changes.values()
    )


@pytest.mark.parametrize("size", [10, 2_000])
def test_recording_a_batch_writes_one_move_whatever_its_size(grinder, main, sam, size):
    rows = [(grinder.pk, main.pk, f"B-{n}", f"b-{n}") for n in range(size)]

    statements, writing_moves = _stock_statements(
        lambda: sql.serial_records_insert(
            rows=rows,
            status=SerialStatus.IN_STOCK,
            origin="added",
            created_by_id=sam.pk,
            created_at=timezone.now(),
        )
    )

    # Insert, make the stock row, lock it (PostgreSQL: arriving units read the
    # count), raise it with its move (+1 on SQLite), tally.
    assert (statements, writing_moves) == (5, 1)
    assert moves() == [("Main Street", size, size, StockMoveReason.UNITS_CHANGED, "sam", None, "")]


def test_moves_of_several_pairs_keep_the_time_they_were_made(grinder, main, harbour):
    at = timezone.make_aware(dt.datetime(2025, 3, 1, 9, 30))
    sql.stock_apply(
        changes={(grinder.pk, main.pk): sql.StockChange(delta=2)},
        cause=sql.MoveCause(StockMoveReason.SET_BY_HAND),
        at=at,
        causes={(grinder.pk, main.pk): sql.MoveCause(StockMoveReason.COUNTED, note="Own")},
    )

    move = StockMove.objects.get()
    assert (move.created_at, move.reason, move.note) == (at, StockMoveReason.COUNTED, "Own")
