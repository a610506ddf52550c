"""The serial state-change primitive: the transition table, the history, the stock policy."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory import selectors
from inventory.models import (
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMoveReason,
)
from inventory.services import (
    ALLOWED_TRANSITIONS,
    UnitEffects,
    serial_mark_faulty,
    serial_reinstate,
    serials_change,
    serials_record_sold,
    transition_allowed,
)
from tests.factories import OutletFactory, SerialRecordFactory, StockLevelFactory, UserFactory

pytestmark = pytest.mark.django_db

IN_STOCK, SOLD = SerialStatus.IN_STOCK, SerialStatus.SOLD
FAULTY, WRITTEN_OFF = SerialStatus.FAULTY, SerialStatus.WRITTEN_OFF
IN_TRANSIT, AT_SUPPLIER = SerialStatus.IN_TRANSIT, SerialStatus.AT_SUPPLIER

# The issues' table, written out again so a change to the code's table shows here.
ALLOWED = {
    (IN_STOCK, SOLD),
    (IN_STOCK, FAULTY),
    (IN_STOCK, WRITTEN_OFF),
    (SOLD, IN_STOCK),
    (SOLD, FAULTY),
    (SOLD, WRITTEN_OFF),
    (FAULTY, IN_STOCK),
    (FAULTY, WRITTEN_OFF),
    # Issue 21: transfers in transit and returns to the supplier.
    (IN_STOCK, IN_TRANSIT),
    (IN_STOCK, AT_SUPPLIER),
    (SOLD, AT_SUPPLIER),
    (FAULTY, AT_SUPPLIER),
    (IN_TRANSIT, IN_STOCK),
    (IN_TRANSIT, WRITTEN_OFF),
    (AT_SUPPLIER, IN_STOCK),
    (AT_SUPPLIER, SOLD),
    (AT_SUPPLIER, WRITTEN_OFF),
}
CHANGES = [(a, b) for a, b in itertools.product(SerialStatus, SerialStatus) if a != b]
REFUSED = [pair for pair in CHANGES if pair not in ALLOWED]


@pytest.fixture
def user():
    return UserFactory(username="mia", password="!")  # no password hashing


def on_hand(product, outlet) -> int | None:
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else None


def unit(product, outlet, status=IN_STOCK, serial=None):
    extra = {"serial": serial} if serial else {}
    return SerialRecordFactory(product=product, outlet=outlet, status=status, **extra)


def change(serials, **kwargs):
    """serials_change as a service calls it: on units read afresh (under its lock), its
    effects applied at the end."""
    fresh = list(SerialRecord.objects.filter(pk__in=[s.pk for s in serials]).order_by("pk"))
    kwargs.setdefault("kind", SerialEventKind.EDITED)
    kwargs.setdefault("user", None)
    effects = UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None)
    events = serials_change(serials=fresh, effects=effects, **kwargs)
    effects.apply()
    return events


def record_sold(**kwargs):
    """serials_record_sold as a sale calls it, its effects applied at the end."""
    effects = UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None)
    records = serials_record_sold(effects=effects, **kwargs)
    effects.apply()
    return records


def tally(product) -> dict[tuple[int, str], int]:
    rows = SerialTally.objects.filter(product=product).exclude(count=0)
    return {(t.outlet_id, t.status): t.count for t in rows}


# The transition table


def test_the_table_is_the_one_the_issue_gives():
    pairs = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert pairs == ALLOWED
    assert ALLOWED_TRANSITIONS[WRITTEN_OFF] == frozenset()
    assert all(transition_allowed(a, b) for a, b in ALLOWED)
    assert not any(transition_allowed(a, b) for a, b in REFUSED)


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_every_allowed_transition_changes_the_status(
    product, outlet, user, from_status, to_status
):
    record = unit(product, outlet, from_status)
    [event] = change([record], to_status=to_status, user=user)
    record.refresh_from_db()
    assert record.status == to_status
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert record.events.count() == 1


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_every_other_transition_is_refused_and_changes_nothing(
    product, outlet, harbour, user, from_status, to_status
):
    StockLevelFactory(product=product, outlet=outlet, on_hand=5)
    record = unit(product, outlet, from_status, serial="AB-100")
    before = SerialRecord.objects.values().get(pk=record.pk)
    with pytest.raises(ValidationError) as refused:
        change([record], to_status=to_status, to_outlet=harbour, user=user)
    assert refused.value.code == "transition_not_allowed"
    assert refused.value.messages == [
        f"Serial number “AB-100” is {from_status.label}, so it cannot become {to_status.label}."
    ]
    assert SerialRecord.objects.values().get(pk=record.pk) == before
    assert not SerialEvent.objects.exists()
    assert on_hand(product, outlet) == 5
    assert on_hand(product, harbour) is None


def test_one_refused_unit_refuses_the_whole_batch(product, outlet, user):
    fine = unit(product, outlet, IN_STOCK)
    written_off = unit(product, outlet, WRITTEN_OFF, serial="GONE-1")
    with pytest.raises(ValidationError, match="“GONE-1” is Written off") as refused:
        change([fine, written_off], to_status=SOLD, user=user)
    assert refused.value.code == "transition_not_allowed"
    fine.refresh_from_db()
    assert fine.status == IN_STOCK
    assert not SerialEvent.objects.exists()


def test_a_move_without_a_status_change_keeps_the_status(product, outlet, harbour, user):
    record = unit(product, outlet, FAULTY)
    [event] = change([record], kind=SerialEventKind.TRANSFERRED, to_outlet=harbour, user=user)
    record.refresh_from_db()
    assert (record.status, record.outlet) == (FAULTY, harbour)
    assert (event.from_status, event.to_status) == ("", "")
    assert (event.from_outlet, event.to_outlet) == (outlet, harbour)


# The history


def test_each_unit_gets_one_event_with_user_statuses_outlets_note_and_document(
    product, outlet, harbour, user
):
    first, second = unit(product, outlet), unit(product, outlet)
    document = OutletFactory(name="Any saved row stands for a sale")
    at = timezone.now() - timedelta(minutes=5)
    change(
        [first, second],
        kind=SerialEventKind.SOLD,
        to_status=SOLD,
        to_outlet=harbour,
        user=user,
        document=document,
        note="  Sold from the display  ",
        at=at,
    )
    for record in (first, second):
        record.refresh_from_db()
        assert (record.status, record.outlet, record.updated_at) == (SOLD, harbour, at)
        event = record.events.get()
        assert event.kind == SerialEventKind.SOLD
        assert event.user == user
        assert (event.from_status, event.to_status) == (IN_STOCK, SOLD)
        assert (event.from_outlet, event.to_outlet) == (outlet, harbour)
        assert event.note == "Sold from the display"
        assert event.created_at == at
        assert event.document_type == ContentType.objects.get_for_model(document)
        assert event.document == document


def test_an_event_without_a_document_links_none(product, outlet, user):
    record = unit(product, outlet)
    [event] = change([record], kind=SerialEventKind.MARKED_FAULTY, to_status=FAULTY, user=user)
    event.refresh_from_db()
    assert (event.document_type, event.document_id, event.document) == (None, None, None)


def test_the_units_in_memory_show_the_change(product, outlet, harbour, user):
    record = unit(product, outlet)
    serials_change(
        serials=[record],
        kind=SerialEventKind.TRANSFERRED,
        to_outlet=harbour,
        user=user,
        effects=UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None),
    )
    assert (record.status, record.outlet_id) == (IN_STOCK, harbour.pk)


# The stock policy


@pytest.mark.parametrize("to_status", [SOLD, FAULTY, WRITTEN_OFF])
def test_leaving_in_stock_takes_one_off_the_outlets_count(
    product, outlet, harbour, user, to_status
):
    StockLevelFactory(product=product, outlet=outlet, on_hand=3)
    StockLevelFactory(product=product, outlet=harbour, on_hand=3)
    change([unit(product, outlet), unit(product, outlet)], to_status=to_status, user=user)
    assert on_hand(product, outlet) == 1
    assert on_hand(product, harbour) == 3


def test_a_count_already_at_zero_stays_at_zero_and_the_change_goes_ahead(product, outlet, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=1)
    records = [unit(product, outlet) for _ in range(3)]
    change(records, to_status=SOLD, user=user)
    assert on_hand(product, outlet) == 0
    assert SerialRecord.objects.filter(status=SOLD).count() == 3


def test_leaving_in_stock_where_no_count_exists_leaves_a_zero_count(product, outlet, user):
    change([unit(product, outlet)], to_status=FAULTY, user=user)
    assert on_hand(product, outlet) == 0


@pytest.mark.parametrize("from_status", [SOLD, FAULTY])
def test_arriving_in_stock_adds_one_where_it_arrives(product, outlet, harbour, user, from_status):
    StockLevelFactory(product=product, outlet=outlet, on_hand=2)
    change([unit(product, outlet, from_status)], to_status=IN_STOCK, user=user)
    assert on_hand(product, outlet) == 3
    # Back In stock at another outlet (a return taken at another shop): counted there.
    change([unit(product, outlet, from_status)], to_status=IN_STOCK, to_outlet=harbour, user=user)
    assert on_hand(product, outlet) == 3
    assert on_hand(product, harbour) == 1


def test_a_transfer_of_an_in_stock_unit_moves_one(product, outlet, harbour, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=4)
    StockLevelFactory(product=product, outlet=harbour, on_hand=1)
    change([unit(product, outlet)], kind=SerialEventKind.TRANSFERRED, to_outlet=harbour, user=user)
    assert (on_hand(product, outlet), on_hand(product, harbour)) == (3, 2)


def test_faulty_units_moving_change_no_count(product, outlet, harbour, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=4)
    StockLevelFactory(product=product, outlet=harbour, on_hand=1)
    faulty = [unit(product, outlet, FAULTY), unit(product, outlet, FAULTY)]
    change(faulty, kind=SerialEventKind.TRANSFERRED, to_outlet=harbour, user=user)
    change(faulty, kind=SerialEventKind.WRITTEN_OFF, to_status=WRITTEN_OFF, user=user)
    assert (on_hand(product, outlet), on_hand(product, harbour)) == (4, 1)


def test_a_sold_unit_coming_back_faulty_changes_no_count(product, outlet, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=4)
    change([unit(product, outlet, SOLD)], to_status=FAULTY, user=user)
    assert on_hand(product, outlet) == 4


def test_mark_faulty_and_reinstate_take_the_unit_off_and_back_on_the_count(product, outlet, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=2)
    record = unit(product, outlet)
    serial_mark_faulty(serial=record, note="Cracked lid", user=user)
    assert on_hand(product, outlet) == 1
    serial_reinstate(serial=record, note="Lid replaced", user=user)
    assert on_hand(product, outlet) == 2
    history = list(record.events.order_by("id").values_list("kind", "from_status", "to_status"))
    assert history == [
        (SerialEventKind.MARKED_FAULTY, IN_STOCK, FAULTY),
        (SerialEventKind.REINSTATED, FAULTY, IN_STOCK),
    ]


def test_a_caller_collecting_effects_applies_them_once_at_the_end(product, outlet, harbour, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=3)
    sold, faulty = unit(product, outlet), unit(product, outlet, FAULTY)
    counted = tally(product)
    effects = UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None)
    serials_change(
        serials=[sold], kind=SerialEventKind.SOLD, to_status=SOLD, user=user, effects=effects
    )
    serials_change(
        serials=[faulty], kind=SerialEventKind.REINSTATED, to_status=IN_STOCK, to_outlet=harbour,
        user=user, effects=effects,
    )  # fmt: skip
    serials_record_sold(
        product=product, outlet=outlet, texts=["NEW-1"], user=user, document=outlet,
        effects=effects,
    )  # fmt: skip
    assert on_hand(product, outlet) == 3 and on_hand(product, harbour) is None
    assert tally(product) == counted

    effects.apply()

    # Of the three counted, two had no serial: the unit recorded at the sale was one of them.
    assert (on_hand(product, outlet), on_hand(product, harbour)) == (1, 1)
    assert tally(product) == {(outlet.pk, SOLD): 2, (harbour.pk, IN_STOCK): 1}
    with pytest.raises(RuntimeError):
        effects.apply()


# Units recorded at a sale


def test_units_recorded_at_a_sale_are_sold_with_their_origin_and_event(product, outlet, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=5)
    document = OutletFactory(name="Stands for the sale")
    records = record_sold(
        product=product, outlet=outlet, texts=["NEW-1", "NEW-2"], user=user, document=document
    )
    assert [r.serial for r in records] == ["NEW-1", "NEW-2"]
    for record in records:
        record.refresh_from_db()
        assert (record.product, record.outlet, record.status) == (product, outlet, SOLD)
        assert record.origin == "recorded_at_sale"
        assert record.serial_normalised == SerialRecord.normalise(record.serial)
        assert record.created_by == user
        event = record.events.get()
        assert (event.kind, event.user, event.to_status) == (SerialEventKind.SOLD, user, SOLD)
        assert event.document == document
    assert on_hand(product, outlet) == 3


def test_a_unit_recorded_at_a_sale_starts_its_history_with_recorded_at_sale(product, outlet, user):
    [record] = record_sold(
        product=product, outlet=outlet, texts=["NEW-1"], user=user, document=outlet
    )
    history = selectors.serial_history(serial=record)
    assert [e.get_kind_display() for e in history] == ["Sold", "Recorded at sale"]


def test_recording_more_units_at_a_sale_than_counted_leaves_zero(product, outlet, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=1)
    record_sold(product=product, outlet=outlet, texts=["A", "B", "C"], user=user, document=outlet)
    assert on_hand(product, outlet) == 0


def test_recording_a_serial_already_recorded_raises_and_writes_nothing(product, outlet, user):
    StockLevelFactory(product=product, outlet=outlet, on_hand=5)
    unit(product, outlet, serial="AB-100")
    with pytest.raises(IntegrityError):
        record_sold(
            product=product, outlet=outlet, texts=["NEW-1", "ab-100"], user=user, document=outlet
        )
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["AB-100"]
    assert not SerialEvent.objects.exists()
    assert on_hand(product, outlet) == 5


# Cost


def test_changing_2_or_20_units_costs_the_same_queries(product, outlet, harbour, user):
    document = OutletFactory()
    # A count row made on first use would cost its INSERT once, not per unit.
    StockLevelFactory(product=product, outlet=outlet, on_hand=50)
    ContentType.objects.get_for_model(document)  # the cache is warm in a running server

    def cost(count):
        records = [unit(product, outlet) for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            effects = UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None)
            serials_change(
                serials=records,
                kind=SerialEventKind.SOLD,
                to_status=SOLD,
                user=user,
                document=document,
                effects=effects,
            )
            effects.apply()
        return len(queries)

    assert cost(2) == cost(20)


def test_a_written_off_unit_neither_moves_nor_changes_twice():
    from inventory.services.serial_state import serials_change

    gone = SerialRecordFactory(status=SerialStatus.WRITTEN_OFF)
    other = OutletFactory(name="Elsewhere")
    with pytest.raises(ValidationError) as moved:
        serials_change(
            serials=[gone],
            kind=SerialEventKind.TRANSFERRED,
            user=None,
            to_outlet=other,
            effects=UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None),
        )
    assert moved.value.code == "transition_not_allowed"
    with pytest.raises(ValidationError) as again:
        serials_change(
            serials=[gone],
            kind=SerialEventKind.WRITTEN_OFF,
            user=None,
            to_status=SerialStatus.WRITTEN_OFF,
            effects=UnitEffects(reason=StockMoveReason.UNITS_CHANGED, user=None),
        )
    assert again.value.code == "transition_not_allowed"
    assert not SerialEvent.objects.exists()
