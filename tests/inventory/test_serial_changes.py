import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory import selectors
from inventory.models import (
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    StockLevel,
)
from inventory.services import (
    serial_changes,
    serial_delete,
    serial_update,
    serial_write_off,
    serials_transfer,
)
from lib.dates import datetime_display
from tests.concurrency import postgresql_only, run_in_thread
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="mia", password="!")  # no password hashing


@pytest.fixture
def record(main_street):
    return SerialRecordFactory(serial="AB-100", outlet=main_street, notes="Shelf 3")


def snapshot(serial):
    serial.refresh_from_db()
    return (serial.serial, serial.serial_normalised, serial.notes, serial.outlet_id, serial.status)


# Correcting the text and notes


def test_correcting_a_typo_stores_the_trimmed_text_and_logs_old_and_new(record, user):
    serial_update(serial=record, text="  ab-1001 ", notes="Shelf 3", user=user)
    record.refresh_from_db()
    assert (record.serial, record.serial_normalised) == ("ab-1001", "ab-1001")
    event = record.events.get()
    assert (event.kind, event.user, event.note) == (
        SerialEventKind.EDITED,
        user,
        "Serial number changed from AB-100 to ab-1001.",
    )
    assert (event.from_outlet, event.to_outlet, event.from_status, event.to_status) == (
        None,
        None,
        "",
        "",
    )


def test_changing_only_the_notes_is_logged_without_naming_the_serial(record, user):
    serial_update(serial=record, text="AB-100", notes=" Back room ", user=user)
    record.refresh_from_db()
    assert (record.serial, record.notes) == ("AB-100", "Back room")
    assert record.events.get().note == "Notes changed."


def test_changing_text_and_notes_together_writes_one_event_saying_both(record, user):
    serial_update(serial=record, text="AB-101", notes="", user=user)
    assert (
        record.events.get().note == "Serial number changed from AB-100 to AB-101. Notes changed."
    )


def test_changing_only_the_case_is_allowed_and_logged(record, user):
    serial_update(serial=record, text="ab-100", notes="Shelf 3", user=user)
    record.refresh_from_db()
    assert (record.serial, record.serial_normalised) == ("ab-100", "ab-100")
    assert record.events.get().note == "Serial number changed from AB-100 to ab-100."


def test_saving_without_a_change_writes_nothing(record, user):
    updated_at = record.updated_at
    with CaptureQueriesContext(connection) as queries:
        serial_update(serial=record, text=" AB-100 ", notes="Shelf 3 ", user=user)
    record.refresh_from_db()
    assert record.updated_at == updated_at
    assert not record.events.exists()
    assert not any(q["sql"].startswith(("UPDATE", "INSERT")) for q in queries.captured_queries)


def test_a_text_already_recorded_for_the_product_is_refused_naming_where_it_is(
    record, user, harbour
):
    SerialRecordFactory(product=record.product, outlet=harbour, serial="CD-200", status="faulty")
    before = snapshot(record)
    with pytest.raises(ValidationError) as raised:
        serial_update(serial=record, text=" cd-200", notes="New notes", user=user)
    assert raised.value.code == "duplicate"
    assert raised.value.messages == [
        "Serial number “CD-200” is already recorded for this product, at Harbour Mall (Faulty)."
    ]
    assert snapshot(record) == before
    assert not record.events.exists()


def test_the_same_text_on_another_product_is_accepted(record, user):
    SerialRecordFactory(product=ProductFactory(), serial="CD-200")
    serial_update(serial=record, text="CD-200", notes="Shelf 3", user=user)
    record.refresh_from_db()
    assert record.serial == "CD-200"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("   ", "empty"),
        ("X" * 101, "too_long"),
        ("AB,100", "comma"),
        ("AB\x07100", "unprintable"),
        ("AB\t100", "unprintable"),
    ],
)
def test_an_invalid_text_is_refused_and_nothing_changes(record, user, text, code):
    before = snapshot(record)
    with pytest.raises(ValidationError) as raised:
        serial_update(serial=record, text=text, notes="Other", user=user)
    assert raised.value.code == code
    assert snapshot(record) == before
    assert not record.events.exists()


def test_a_text_of_exactly_100_characters_is_accepted(record, user):
    serial_update(serial=record, text="X" * 100, notes="Shelf 3", user=user)
    record.refresh_from_db()
    assert record.serial == "X" * 100


def test_the_database_constraint_catches_a_duplicate_the_check_missed(
    record, user, monkeypatch, harbour
):
    SerialRecordFactory(product=record.product, outlet=harbour, serial="CD-200")
    real_find = serial_changes._find_duplicate
    calls = []

    def find_after_the_race(**kwargs):
        # The first look finds nothing: another request takes the text just after.
        calls.append(kwargs)
        return None if len(calls) == 1 else real_find(**kwargs)

    monkeypatch.setattr(serial_changes, "_find_duplicate", find_after_the_race)
    with pytest.raises(ValidationError) as raised:
        serial_update(serial=record, text="CD-200", notes="Shelf 3", user=user)
    assert raised.value.code == "duplicate"
    assert "at Harbour Mall (In stock)" in raised.value.messages[0]
    # The savepoint kept the surrounding transaction usable.
    assert snapshot(record)[0] == "AB-100"
    assert not record.events.exists()


def test_changes_are_measured_against_the_stored_record_not_the_instance(record, user):
    # A ModelForm writes the typed text onto its instance before the view calls us.
    stale = SerialRecord.objects.get(pk=record.pk)
    stale.serial = "AB-101"
    serial_update(serial=stale, text="AB-101", notes="Shelf 3", user=user)
    record.refresh_from_db()
    assert record.serial == "AB-101"
    assert record.events.get().note == "Serial number changed from AB-100 to AB-101."


def test_updating_a_deleted_serial_says_it_no_longer_exists(record, user):
    SerialRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(ValidationError) as raised:
        serial_update(serial=record, text="AB-101", notes="", user=user)
    assert raised.value.code == "not_found"


# Transfer


def test_transfer_moves_in_stock_and_faulty_units_with_one_event_each(main_street, harbour, user):
    in_stock = SerialRecordFactory(outlet=main_street, serial="A1")
    faulty = SerialRecordFactory(outlet=main_street, serial="A2", status=SerialStatus.FAULTY)
    moved = serials_transfer(
        serials=[in_stock, faulty], to_outlet=harbour, user=user, note=" Restock "
    )
    assert moved == 2
    for serial, status in [(in_stock, SerialStatus.IN_STOCK), (faulty, SerialStatus.FAULTY)]:
        serial.refresh_from_db()
        assert (serial.outlet, serial.status) == (harbour, status)
        event = serial.events.get()
        assert (event.kind, event.user, event.from_outlet, event.to_outlet, event.note) == (
            SerialEventKind.TRANSFERRED,
            user,
            main_street,
            harbour,
            "Restock",
        )
        assert (event.from_status, event.to_status) == ("", "")


def test_transfer_accepts_a_queryset(main_street, harbour, user):
    SerialRecordFactory.create_batch(3, outlet=main_street)
    moved = serials_transfer(serials=SerialRecord.objects.all(), to_outlet=harbour, user=user)
    assert moved == 3
    assert set(SerialRecord.objects.values_list("outlet", flat=True)) == {harbour.pk}


@pytest.mark.parametrize("status", [SerialStatus.SOLD, SerialStatus.WRITTEN_OFF])
def test_one_unit_that_may_not_move_refuses_the_whole_batch(main_street, harbour, user, status):
    ok = SerialRecordFactory(outlet=main_street, serial="OK-1")
    stuck = SerialRecordFactory(outlet=main_street, serial="STUCK-1", status=status)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[ok, stuck], to_outlet=harbour, user=user)
    assert raised.value.code == "not_movable"
    label = SerialStatus(status).label
    assert raised.value.messages == [
        "Only In stock or Faulty serial numbers can be transferred. "
        f"Not movable: STUCK-1 ({label})."
    ]
    assert set(SerialRecord.objects.values_list("outlet", flat=True)) == {main_street.pk}
    assert not SerialEvent.objects.exists()


def test_a_long_list_of_unmovable_units_is_shortened_in_the_message(main_street, harbour, user):
    SerialRecordFactory.create_batch(12, outlet=main_street, status=SerialStatus.SOLD)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=SerialRecord.objects.all(), to_outlet=harbour, user=user)
    assert raised.value.messages[0].endswith("(Sold), and 2 more.")


def test_transfer_to_an_inactive_outlet_is_refused(main_street, user):
    closed = OutletFactory(name="Closed Store", is_active=False)
    serial = SerialRecordFactory(outlet=main_street)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[serial], to_outlet=closed, user=user)
    assert raised.value.code == "inactive_outlet"
    assert "Closed Store is inactive" in raised.value.messages[0]
    serial.refresh_from_db()
    assert serial.outlet == main_street
    assert not SerialEvent.objects.exists()


def test_an_outlet_deactivated_after_it_was_chosen_is_refused(main_street, harbour, user):
    serial = SerialRecordFactory(outlet=main_street)
    type(harbour).objects.filter(pk=harbour.pk).update(is_active=False)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[serial], to_outlet=harbour, user=user)  # stale instance
    assert raised.value.code == "inactive_outlet"


def test_transfer_refuses_when_every_unit_is_already_there(main_street, user):
    serials = SerialRecordFactory.create_batch(2, outlet=main_street)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=serials, to_outlet=main_street, user=user)
    assert raised.value.code == "already_there"
    assert raised.value.messages == ["All the selected serial numbers are already at Main Street."]
    assert not SerialEvent.objects.exists()


def test_units_already_at_the_destination_are_skipped_and_the_others_move(
    main_street, harbour, user
):
    away = SerialRecordFactory(outlet=main_street)
    there = SerialRecordFactory(outlet=harbour)
    moved = serials_transfer(serials=[away, there], to_outlet=harbour, user=user)
    assert moved == 1
    away.refresh_from_db()
    assert away.outlet == harbour
    assert away.events.count() == 1
    assert not there.events.exists()


def test_transfer_of_nothing_is_refused(harbour, user):
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[], to_outlet=harbour, user=user)
    assert raised.value.code == "no_serials"


def test_transfer_of_a_serial_deleted_meanwhile_is_refused(main_street, harbour, user):
    kept = SerialRecordFactory(outlet=main_street)
    gone = SerialRecordFactory(outlet=main_street)
    SerialRecord.objects.filter(pk=gone.pk).delete()
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[kept, gone], to_outlet=harbour, user=user)
    assert raised.value.code == "not_found"
    kept.refresh_from_db()
    assert kept.outlet == main_street


def test_transfer_reads_the_status_from_the_database_not_the_instance(main_street, harbour, user):
    serial = SerialRecordFactory(outlet=main_street)
    SerialRecord.objects.filter(pk=serial.pk).update(status=SerialStatus.SOLD)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[serial], to_outlet=harbour, user=user)  # says In stock
    assert raised.value.code == "not_movable"


def test_transfer_cost_does_not_grow_with_the_number_of_serials(main_street, harbour, user):
    product = ProductFactory()
    for outlet in (main_street, harbour):
        StockLevel.objects.create(product=product, outlet=outlet, on_hand=100)

    def queries_to_move(count):
        serials = SerialRecordFactory.create_batch(count, outlet=main_street, product=product)
        with CaptureQueriesContext(connection) as queries:
            serials_transfer(serials=serials, to_outlet=harbour, user=user)
        SerialRecord.objects.update(outlet=main_street)
        return len(queries)

    assert queries_to_move(2) == queries_to_move(40)


# Write off


@pytest.mark.parametrize("status", [SerialStatus.IN_STOCK, SerialStatus.FAULTY])
def test_write_off_records_the_status_change_and_the_reason(record, user, status):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    serial_write_off(serial=record, reason=" Stolen from display ", user=user)
    record.refresh_from_db()
    assert record.status == SerialStatus.WRITTEN_OFF
    event = record.events.get()
    assert (event.kind, event.user, event.from_status, event.to_status, event.note) == (
        SerialEventKind.WRITTEN_OFF,
        user,
        status,
        SerialStatus.WRITTEN_OFF,
        "Stolen from display",
    )


@pytest.mark.parametrize("status", [SerialStatus.SOLD, SerialStatus.WRITTEN_OFF])
def test_sold_or_written_off_units_cannot_be_written_off(record, user, status):
    SerialRecord.objects.filter(pk=record.pk).update(status=status)
    with pytest.raises(ValidationError) as raised:
        serial_write_off(serial=record, reason="Lost", user=user)
    assert raised.value.code == "not_writable_off"
    assert f"is {SerialStatus(status).label}" in raised.value.messages[0]
    record.refresh_from_db()
    assert record.status == status
    assert not record.events.exists()


def test_write_off_needs_a_reason(record, user):
    with pytest.raises(ValidationError) as raised:
        serial_write_off(serial=record, reason="  ", user=user)
    assert raised.value.code == "reason_required"
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK
    assert not record.events.exists()


# Delete


def test_a_serial_never_sold_is_deleted_with_its_history(record, user):
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.EDITED)
    serial_delete(serial=record, user=user)
    assert not SerialRecord.objects.filter(pk=record.pk).exists()
    assert not SerialEvent.objects.exists()


def test_a_sold_serial_cannot_be_deleted_and_is_returned_first(record, user):
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.SOLD)
    with pytest.raises(ValidationError) as raised:
        serial_delete(serial=record, user=user)
    assert raised.value.code == "was_sold"
    assert raised.value.messages == [
        "Serial number “AB-100” is Sold, so it cannot be deleted or written off: "
        "record a Return first."
    ]
    assert SerialRecord.objects.filter(pk=record.pk).exists()


def test_a_serial_sold_once_and_returned_cannot_be_deleted(record, user):
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.SOLD)
    with pytest.raises(ValidationError) as raised:
        serial_delete(serial=record, user=user)  # In stock again after a return
    assert raised.value.code == "was_sold"
    assert raised.value.messages == [
        "Serial number “AB-100” was sold, so it cannot be deleted. Write it off instead."
    ]
    assert SerialRecord.objects.filter(pk=record.pk).exists()
    assert record.events.count() == 1


def test_a_sold_unit_written_off_cannot_be_deleted_and_keeps_its_history(record, user):
    SerialEvent.objects.create(serial=record, kind=SerialEventKind.SOLD)
    SerialRecord.objects.filter(pk=record.pk).update(status=SerialStatus.WRITTEN_OFF)
    with pytest.raises(ValidationError) as raised:
        serial_delete(serial=record, user=user)
    assert raised.value.code == "was_sold"
    assert raised.value.messages == [
        "Serial number “AB-100” was sold, so it cannot be deleted; it keeps its history."
    ]
    assert SerialRecord.objects.filter(pk=record.pk).exists()


# Reads behind the serial page


def test_history_is_newest_first_and_ends_with_how_the_unit_was_recorded(record, harbour):
    main_street = record.outlet
    SerialRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now().replace(year=2019), created_by=UserFactory(username="alex")
    )
    record.refresh_from_db()
    old = SerialEvent.objects.create(
        serial=record,
        kind=SerialEventKind.TRANSFERRED,
        from_outlet=main_street,
        to_outlet=harbour,
        created_at=timezone.now().replace(year=2020),
    )
    new = SerialEvent.objects.create(serial=record, kind=SerialEventKind.EDITED)
    SerialRecord.objects.filter(pk=record.pk).update(outlet=harbour)
    record = selectors.serial_get(pk=record.pk)

    history = selectors.serial_history(serial=record)

    assert history[:2] == [new, old]
    recorded = history[2]
    assert (recorded.kind, recorded.user.username, recorded.created_at) == (
        SerialEventKind.ADDED,
        "alex",
        record.created_at,
    )
    # Recorded at Main Street, though it is at Harbour Mall now.
    assert recorded.to_outlet == main_street
    assert recorded.to_status == SerialStatus.IN_STOCK


# Two users at once (PostgreSQL: SQLite cannot show locking bugs)


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["write_off", "transfer"])
def test_two_users_changing_the_same_serial_at_once_leave_one_outcome(action):
    user = UserFactory(password="!")
    serial = SerialRecordFactory(outlet=OutletFactory(name="Main Street"))
    harbour = OutletFactory(name="Harbour Mall")

    def change():
        if action == "write_off":
            return serial_write_off(serial=serial, reason="Lost", user=user)
        return serials_transfer(serials=[serial], to_outlet=harbour, user=user)

    start, results = threading.Barrier(2), []
    threads = [run_in_thread(change, results, start) for _ in range(2)]
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads)
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(results) == 2
    assert len(errors) == 1
    assert errors[0].code == {"write_off": "not_writable_off", "transfer": "already_there"}[action]
    assert serial.events.count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_write_off_waits_for_a_concurrent_change_and_sees_its_result():
    serial = SerialRecordFactory()
    results = []
    with transaction.atomic():
        # Another request (a sale, say) holds the row.
        SerialRecord.objects.select_for_update().get(pk=serial.pk)
        thread = run_in_thread(
            lambda: serial_write_off(serial=serial, reason="Lost", user=None), results
        )
        time.sleep(0.5)
        assert thread.is_alive(), "the write-off did not wait for the row lock"
        SerialRecord.objects.filter(pk=serial.pk).update(status=SerialStatus.SOLD)
    thread.join(timeout=10)
    assert [r.code for r in results] == ["not_writable_off"]
    serial.refresh_from_db()
    assert serial.status == SerialStatus.SOLD
    assert not serial.events.exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_overlapping_transfers_move_each_shared_unit_once():
    main_street, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    serials = SerialRecordFactory.create_batch(20, outlet=main_street)
    start, results = threading.Barrier(2), []
    threads = [
        run_in_thread(
            lambda batch=batch: serials_transfer(serials=batch, to_outlet=harbour, user=None),
            results,
            start,
        )
        for batch in (serials[:15], serials[5:][::-1])
    ]
    for thread in threads:
        thread.join(timeout=20)
    # Whichever locks first moves all of its units; the other moves only the rest.
    assert sorted(results) == [5, 15]
    assert SerialEvent.objects.count() == 20
    assert all(serial.events.count() == 1 for serial in serials)


# Stock follows the units ------------------------------------------------------


def stock(product, outlet):
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0


def test_transferring_in_stock_units_moves_their_stock_count():
    product = ProductFactory()
    source, destination = OutletFactory(), OutletFactory()
    StockLevel.objects.create(product=product, outlet=source, on_hand=5)
    units = SerialRecordFactory.create_batch(2, product=product, outlet=source)
    faulty = SerialRecordFactory(product=product, outlet=source, status=SerialStatus.FAULTY)
    serials_transfer(serials=[*units, faulty], to_outlet=destination, user=None)
    assert (stock(product, source), stock(product, destination)) == (3, 2)


def test_writing_off_an_in_stock_unit_takes_it_off_the_stock_count():
    unit = SerialRecordFactory()
    StockLevel.objects.create(product=unit.product, outlet=unit.outlet, on_hand=2)
    serial_write_off(serial=unit, reason="Stolen from display", user=None)
    assert stock(unit.product, unit.outlet) == 1


def test_writing_off_a_faulty_unit_leaves_the_stock_count_alone():
    unit = SerialRecordFactory(status=SerialStatus.FAULTY)
    StockLevel.objects.create(product=unit.product, outlet=unit.outlet, on_hand=2)
    serial_write_off(serial=unit, reason="Scrapped", user=None)
    assert stock(unit.product, unit.outlet) == 2


def test_a_count_already_too_low_stays_at_zero_and_the_move_goes_ahead():
    unit = SerialRecordFactory()
    source, destination = unit.outlet, OutletFactory()
    serials_transfer(serials=[unit], to_outlet=destination, user=None)
    unit.refresh_from_db()
    assert unit.outlet == destination
    assert (stock(unit.product, source), stock(unit.product, destination)) == (0, 1)


# A change made from a page that showed an older state ------------------------

SHOWN = datetime(2025, 5, 5, 10, 4, 0, 100_000, tzinfo=UTC)


def on(when):
    """A time as messages show it: in the shop's time zone and date format."""
    return datetime_display(when)


def shown_at(serial, when=SHOWN):
    """The unit as a page showed it at `when`: its `updated_at` then."""
    SerialRecord.objects.filter(pk=serial.pk).update(updated_at=when)
    serial.refresh_from_db()
    return serial.updated_at


def transferred_meanwhile(serial, to, by, when=SHOWN + timedelta(minutes=5)):
    """Another manager's transfer, recorded the way `serials_transfer` records it."""
    SerialEvent.objects.create(
        serial=serial,
        kind=SerialEventKind.TRANSFERRED,
        user=by,
        from_outlet_id=serial.outlet_id,
        to_outlet=to,
        created_at=when,
    )
    SerialRecord.objects.filter(pk=serial.pk).update(outlet=to, updated_at=when)


@pytest.fixture
def alex():
    return UserFactory(username="alex", password="!")


def test_a_transfer_from_an_older_page_is_refused_saying_what_changed_by_whom_and_when(
    record, user, alex, harbour
):
    seen = shown_at(record)
    airport = OutletFactory(name="Airport")
    transferred_meanwhile(record, harbour, alex)
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=[record], to_outlet=airport, user=user, seen_updated_at=seen)
    assert raised.value.code == "changed_meanwhile"
    assert raised.value.messages == [
        "Serial number “AB-100” changed after this page was shown (Transferred to Harbour "
        f"Mall by alex on {on(SHOWN + timedelta(minutes=5))}). Nothing was saved; the page "
        "now shows it as it is. Submit again if your change still applies."
    ]
    record.refresh_from_db()
    assert record.outlet == harbour
    assert record.events.count() == 1


def test_a_transfer_from_the_current_page_goes_ahead(record, user, harbour):
    seen = shown_at(record)
    assert serials_transfer(serials=[record], to_outlet=harbour, user=user, seen_updated_at=seen)
    record.refresh_from_db()
    assert record.outlet == harbour


def test_a_change_in_the_same_second_as_the_page_is_still_a_change(record, user, alex, harbour):
    seen = shown_at(record)  # 10:04:00.100000
    transferred_meanwhile(record, harbour, alex, when=SHOWN + timedelta(microseconds=1))
    with pytest.raises(ValidationError) as raised:
        serial_write_off(serial=record, reason="Lost", user=user, seen_updated_at=seen)
    assert raised.value.code == "changed_meanwhile"
    record.refresh_from_db()
    assert record.status == SerialStatus.IN_STOCK


def test_the_page_token_keeps_microseconds_so_a_current_page_is_not_refused(record, user):
    from inventory.forms import ChangeTokenField, change_token

    shown_at(record, SHOWN.replace(microsecond=999_999))
    token = change_token([SerialRecord.objects.get(pk=record.pk)])
    assert token == "2025-05-05T10:04:00.999999+00:00"
    seen = ChangeTokenField().clean(token)
    serial_write_off(serial=record, reason="Lost", user=user, seen_updated_at=seen)
    record.refresh_from_db()
    assert record.status == SerialStatus.WRITTEN_OFF


def test_callers_without_a_page_are_not_compared(record, user, alex, harbour):
    # The admin, a command or an API client that showed nothing acts on the unit as it is.
    shown_at(record)
    transferred_meanwhile(record, harbour, alex)
    serial_write_off(serial=record, reason="Lost", user=user, seen_updated_at=None)
    record.refresh_from_db()
    assert record.status == SerialStatus.WRITTEN_OFF


def test_an_edit_from_an_older_page_is_refused_and_does_not_undo_the_other_edit(
    record, user, alex
):
    seen = shown_at(record)
    serial_update(serial=record, text="AB-101", notes="Shelf 3", user=alex)
    with pytest.raises(ValidationError) as raised:
        # The older page still says AB-100: saving it "unchanged" would undo alex's fix.
        serial_update(
            serial=record, text="AB-100", notes="Shelf 3", user=user, seen_updated_at=seen
        )
    assert raised.value.code == "changed_meanwhile"
    message = raised.value.messages[0]
    assert message.startswith(
        "Serial number “AB-101” changed after this page was shown (Edited (Serial number "
        "changed from AB-100 to AB-101.) by alex on "
    )
    record.refresh_from_db()
    assert record.serial == "AB-101"
    assert record.events.count() == 1


def test_a_delete_from_an_older_page_is_refused_and_keeps_the_unit(record, user, alex):
    seen = shown_at(record)
    serial_write_off(serial=record, reason="Stolen", user=alex)
    with pytest.raises(ValidationError) as raised:
        serial_delete(serial=record, user=user, seen_updated_at=seen)
    assert raised.value.code == "changed_meanwhile"
    assert "(Written off by alex on " in raised.value.messages[0]
    assert SerialRecord.objects.filter(pk=record.pk, status=SerialStatus.WRITTEN_OFF).exists()


def test_a_change_without_a_history_line_says_when(record, user):
    seen = shown_at(record)
    later = SHOWN + timedelta(hours=2)
    SerialRecord.objects.filter(pk=record.pk).update(
        notes="Changed in the admin", updated_at=later
    )
    with pytest.raises(ValidationError) as raised:
        serial_delete(serial=record, user=user, seen_updated_at=seen)
    assert f"(Changed on {on(later)})" in raised.value.messages[0]
    assert SerialRecord.objects.filter(pk=record.pk).exists()


def test_a_batch_from_an_older_page_names_only_the_units_that_changed(
    main_street, harbour, user, alex
):
    units = [SerialRecordFactory(outlet=main_street, serial=f"B{n}") for n in range(3)]
    for unit in units:
        shown_at(unit)
    seen = max(unit.updated_at for unit in units)  # what the page sends for a batch
    transferred_meanwhile(units[0], harbour, alex)
    serial_write_off(serial=units[2], reason="Scrapped", user=alex)
    airport = OutletFactory(name="Airport")
    with pytest.raises(ValidationError) as raised:
        serials_transfer(serials=units, to_outlet=airport, user=user, seen_updated_at=seen)
    assert raised.value.code == "changed_meanwhile"
    message = raised.value.messages[0]
    assert message.startswith(
        "2 of these serial numbers changed after this page was shown: “B0” (Transferred to "
        f"Harbour Mall by alex on {on(SHOWN + timedelta(minutes=5))}); “B2” (Written off "
        "by alex on "
    )
    assert "“B1”" not in message
    assert not SerialRecord.objects.filter(outlet=airport).exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_managers_transferring_one_unit_from_the_same_page_view_leave_the_first_move():
    mia, alex = (
        UserFactory(username="mia", password="!"),
        UserFactory(username="alex", password="!"),
    )
    serial = SerialRecordFactory(serial="AB-100", outlet=OutletFactory(name="Main Street"))
    harbour, airport = OutletFactory(name="Harbour Mall"), OutletFactory(name="Airport")
    seen = SerialRecord.objects.get(pk=serial.pk).updated_at  # both opened the same page

    def transfer(user, outlet):
        def run():
            serials_transfer(serials=[serial], to_outlet=outlet, user=user, seen_updated_at=seen)
            return outlet

        return run

    start, results = threading.Barrier(2), []
    threads = [
        run_in_thread(transfer(mia, harbour), results, start),
        run_in_thread(transfer(alex, airport), results, start),
    ]
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads)
    assert len(results) == 2
    winners = [r for r in results if not isinstance(r, ValidationError)]
    errors = [r for r in results if isinstance(r, ValidationError)]
    assert len(winners) == 1
    assert [e.code for e in errors] == ["changed_meanwhile"]
    winner = winners[0]
    assert f"(Transferred to {winner.name} by " in errors[0].messages[0]
    serial.refresh_from_db()
    assert serial.outlet == winner
    assert [e.to_outlet for e in serial.events.all()] == [winner]
