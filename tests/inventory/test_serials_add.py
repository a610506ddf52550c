import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory import selectors
from inventory.models import SerialEvent, SerialEventKind, SerialRecord, SerialStatus
from inventory.services import SerialsRejected, serials_add, serials_parse
from inventory.services import serials as serials_module
from tests.concurrency import postgresql_only, run_in_thread, waits_for_a_lock
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="sam", groups=["Staff"])


def test_entries_are_split_on_commas_new_lines_tabs_and_semicolons():
    text = " A1, a2 ;A3\tA4\r\nA5\n\n,, ;\n A6 "
    assert serials_parse(text) == ["A1", "a2", "A3", "A4", "A5", "A6"]


def test_each_serial_is_saved_as_its_own_in_stock_line(product, outlet, user):
    result = serials_add(product=product, outlet=outlet, entries=["sn-1", "SN-2"], user=user)
    assert result.count == 2
    records = SerialRecord.objects.order_by("id")
    assert [(r.serial, r.serial_normalised) for r in records] == [
        ("sn-1", "sn-1"),
        ("SN-2", "sn-2"),
    ]
    for record in records:
        assert (record.product, record.outlet, record.status) == (product, outlet, "in_stock")
        assert (record.created_by, record.created_at) == (user, result.created_at)
        assert record.origin == SerialEventKind.ADDED


def test_the_history_of_an_added_serial_starts_with_who_added_it_where(product, outlet, user):
    serials_add(product=product, outlet=outlet, entries=["SN-1"], user=user)
    record = selectors.serial_get(pk=SerialRecord.objects.get().pk)
    [added] = selectors.serial_history(serial=record)
    assert (added.kind, added.user, added.to_outlet, added.to_status) == (
        SerialEventKind.ADDED,
        user,
        outlet,
        SerialStatus.IN_STOCK,
    )
    # Read from the unit itself: adding writes no second row per serial.
    assert not SerialEvent.objects.exists()


def test_a_batch_with_errors_saves_nothing_and_names_each_bad_entry(product, outlet, user):
    SerialRecordFactory(product=product, outlet=outlet, serial="OLD-1", status="sold")
    entries = ["NEW-1", "old-1", "NEW-2", "new-1", "x" * 101, "BAD\x07"]
    with pytest.raises(SerialsRejected) as raised:
        serials_add(product=product, outlet=outlet, entries=entries, user=user)
    problems = [(p.position, p.text, p.code) for p in raised.value.check.problems]
    assert problems == [
        (2, "old-1", "exists"),
        (4, "new-1", "repeated"),
        (5, "x" * 101, "too_long"),
        (6, "BAD\x07", "unprintable"),
    ]
    reasons = {p.code: p.reason for p in raised.value.check.problems}
    assert reasons["exists"] == "Already recorded for this product at Main Street (Sold)."
    assert reasons["repeated"] == "Entered more than once (first as entry 1)."
    assert SerialRecord.objects.count() == 1


def test_only_valid_adds_the_valid_entries_and_reports_the_rest(product, outlet, user):
    SerialRecordFactory(product=product, outlet=outlet, serial="OLD-1")
    result = serials_add(
        product=product, outlet=outlet, entries=["A", "old-1", "B"], user=user, only_valid=True
    )
    assert result.count == 2
    assert [p.text for p in result.skipped] == ["old-1"]
    assert set(SerialRecord.objects.values_list("serial", flat=True)) == {"OLD-1", "A", "B"}


def test_the_same_text_on_another_product_is_accepted_with_a_warning(product, outlet, user):
    other = ProductFactory(name="Bean Grinder")
    SerialRecordFactory(product=other, serial="SHARED-1")
    result = serials_add(product=product, outlet=outlet, entries=["shared-1"], user=user)
    assert result.count == 1
    assert result.warnings == ["shared-1 is also recorded for Bean Grinder."]


def test_a_product_without_serial_numbers_is_refused(outlet, user):
    product = ProductFactory(has_serial_numbers=False)
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["A"], user=user)
    assert raised.value.code == "product_not_serialised"
    assert not SerialRecord.objects.exists()


def test_an_inactive_outlet_is_refused(product, user):
    outlet = OutletFactory(is_active=False)
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["A"], user=user)
    assert raised.value.code == "outlet_inactive"
    assert not SerialRecord.objects.exists()


def test_the_database_refuses_a_duplicate_whatever_the_path(product, outlet):
    SerialRecordFactory(product=product, serial="dup")
    with pytest.raises(IntegrityError):
        SerialRecord.objects.create(
            product=product, outlet=outlet, serial="DUP", serial_normalised="dup"
        )


def test_adding_10_or_5000_serials_costs_the_same_queries(product, outlet, user):
    def statements(size):
        entries = [f"Q{size}-{n}" for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            serials_add(product=product, outlet=outlet, entries=entries, user=user)
        return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]

    small, large = statements(10), statements(5000)
    # lock the product, look the batch up, insert the units, count them on hand
    # (make the stock row, lock it on PostgreSQL, raise it), count them. The
    # stock move rides on the raise on PostgreSQL (UPDATE ... RETURNING into its
    # INSERT) and is one statement more, before it, on SQLite.
    on_hand = 3
    assert len(small) == len(large) == 4 + on_hand, large
    assert SerialRecord.objects.count() == 5010


def test_a_serial_recorded_between_the_check_and_the_insert_saves_nothing(
    product, outlet, user, monkeypatch
):
    SerialRecordFactory(product=product, outlet=outlet, serial="EARLIER")
    real_check = serials_module.serials_check

    def check_then_same_serial_recorded(**kwargs):
        check = real_check(**kwargs)
        # What another clerk's batch, committed after our check, leaves in the
        # table when our insert runs.
        SerialRecordFactory(product=product, outlet=outlet, serial="same-1")
        return check

    monkeypatch.setattr(serials_module, "serials_check", check_then_same_serial_recorded)
    with pytest.raises(ValidationError) as raised:
        serials_add(product=product, outlet=outlet, entries=["OWN-1", "SAME-1"], user=user)
    assert raised.value.code == "recorded_meanwhile"
    assert raised.value.messages == [
        "Some of these serial numbers were recorded by someone else a moment ago. "
        "Nothing was saved; submit again to see which."
    ]
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["EARLIER"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_second_clerk_adding_the_same_serial_waits_and_is_told_it_exists():
    product = ProductFactory(name="Barista Pro")
    outlet = OutletFactory(name="Main Street")
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    added, held, release = [], threading.Event(), threading.Event()
    refused = []

    def ann_adds_and_holds_her_transaction_open():
        with transaction.atomic():
            recorded = serials_add(
                product=product, outlet=outlet, entries=["SAME-1", "ANN-1"], user=ann
            )
            held.set()
            assert release.wait(timeout=10)
        return recorded

    def bob_adds():
        return serials_add(product=product, outlet=outlet, entries=["BOB-1", "same-1"], user=bob)

    ann_thread = run_in_thread(ann_adds_and_holds_her_transaction_open, added)
    assert held.wait(timeout=10)
    bob_thread = run_in_thread(bob_adds, refused)
    try:
        # Bob's batch waits for the product Ann's batch has locked ...
        assert waits_for_a_lock()
        assert bob_thread.is_alive()
    finally:
        release.set()
        ann_thread.join(timeout=30)
        bob_thread.join(timeout=30)
    assert not ann_thread.is_alive() and not bob_thread.is_alive()

    # ... then checks against what she recorded, and names the entry.
    [ann_result], [bob_error] = added, refused
    assert ann_result.count == 2
    assert isinstance(bob_error, SerialsRejected), bob_error
    problems = [(p.position, p.text, p.code) for p in bob_error.check.problems]
    assert problems == [(2, "same-1", "exists")]
    serials = SerialRecord.objects.order_by("serial").values_list("serial", "created_by")
    assert list(serials) == [("ANN-1", ann.pk), ("SAME-1", ann.pk)]
