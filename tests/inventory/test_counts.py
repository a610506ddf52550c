"""Inventory counts: scans into the running lists, and Apply (inventory.services.counts)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from catalog.serial_formats import SerialFormat
from inventory import sql
from inventory.models import (
    InventoryCount,
    InventoryCountScan,
    InventoryCountStatus,
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMove,
    StockMoveReason,
)
from inventory.selectors.counts import count_lists
from inventory.services.counts import (
    count_apply,
    count_cancel,
    count_create,
    count_quantity_set,
    count_scan,
)
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.test_counts_helpers import count_at, on_hand, scanned, units

pytestmark = pytest.mark.django_db


@pytest.fixture
def mia():
    return UserFactory(username="mia", groups=["Managers"])


def serials(list_):
    return sorted(row.serial for row in list_.rows)


def state(*records):
    return [
        (r.serial, r.status, r.outlet.name)
        for r in SerialRecord.objects.filter(pk__in=[x.pk for x in records])
        .select_related("outlet")
        .order_by("serial")
    ]


# New count


def test_a_count_left_unnamed_is_named_after_its_outlet_and_today(main_street):
    count = count_create(outlet=main_street, user=None)

    assert count.name.startswith("Main Street ")
    assert str(timezone.localdate().year) in count.name
    assert count.status == InventoryCountStatus.OPEN


def test_a_count_of_a_product_and_a_brand_at_once_is_refused(main_street, product):
    with pytest.raises(ValidationError) as refused:
        count_create(outlet=main_street, product=product, brand="Barista Co", user=None)

    assert refused.value.code == "product_and_brand"
    assert refused.value.messages == ["Count a product or a brand, not both."]
    assert not InventoryCount.objects.exists()


# Scans and the running lists


def test_a_serial_scanned_twice_is_counted_once_with_its_repeats(main_street, product):
    units(product, main_street, "SN-1")
    count = count_at(main_street)

    first = scanned(count, "SN-1")
    again = scanned(count, "sn-1 ", "SN-1")

    assert [r.verdict for r in first] == ["counted"]
    assert [r.verdict for r in again] == ["twice", "twice"]
    scan = InventoryCountScan.objects.get(count=count)
    assert (scan.serial, scan.repeats) == ("SN-1", 2)
    lists = count_lists(count)
    assert lists.counted.total == 1
    assert [(s.serial, s.repeats) for s in lists.scanned_twice.rows] == [("SN-1", 2)]


def test_a_typed_list_with_a_repeat_counts_each_serial_once(main_street, product):
    units(product, main_street, "SN-1", "SN-2")
    count = count_at(main_street)

    results = scanned(count, "SN-1", "SN-2", "SN-1")

    assert [r.verdict for r in results] == ["counted", "counted", "twice"]
    assert sorted(count.scans.values_list("serial", "repeats")) == [("SN-1", 1), ("SN-2", 0)]


def test_two_devices_scanning_the_same_count_each_add_and_nothing_is_counted_twice(
    main_street, product
):
    units(product, main_street, "SN-1", "SN-2", "SN-3")
    count = count_at(main_street)
    sam, kim = UserFactory(username="sam"), UserFactory(username="kim")

    scanned(count, "SN-1", "SN-2", user=sam)
    results = scanned(InventoryCount.objects.get(pk=count.pk), "SN-2", "SN-3", user=kim)

    assert [r.verdict for r in results] == ["twice", "counted"]
    rows = sorted(count.scans.values_list("serial", "user__username", "repeats"))
    assert rows == [("SN-1", "sam", 0), ("SN-2", "sam", 1), ("SN-3", "kim", 0)]
    assert count_lists(count).counted.total == 3


def test_each_scan_lands_in_its_list(main_street, harbour, product):
    other_brand = ProductFactory(name="Kettle", brand="Bosch")
    units(product, main_street, "HERE-1", "HERE-2", "MISSING-1")
    units(product, main_street, "BROKEN-1", status=SerialStatus.FAULTY)
    units(product, main_street, "BROKEN-2", status=SerialStatus.FAULTY)
    units(product, harbour, "AWAY-1")
    units(product, harbour, "GONE-1", status=SerialStatus.SOLD)
    units(other_brand, main_street, "KETTLE-1")
    count = count_at(main_street, brand="Barista Co")

    results = scanned(
        count, "HERE-1", "HERE-2", "BROKEN-1", "AWAY-1", "GONE-1", "NEW-1", "KETTLE-1", "HERE-1"
    )

    assert [r.verdict for r in results] == [
        "counted", "counted", "counted", "elsewhere", "elsewhere", "not_recorded",
        "not_recorded", "twice",
    ]  # fmt: skip
    assert results[3].message == "At another outlet: In stock at Harbour Mall."
    assert results[4].message == "Not on a shelf: Sold at Harbour Mall."
    lists = count_lists(count)
    assert serials(lists.counted) == ["BROKEN-1", "HERE-1", "HERE-2"]
    # Faulty units are at the outlet too (the back room): expected until counted.
    assert serials(lists.expected) == ["BROKEN-2", "MISSING-1"]
    assert serials(lists.elsewhere) == ["AWAY-1", "GONE-1"]
    # Kettle is another brand's: this count has no unit with its serial.
    assert serials(lists.not_recorded) == ["KETTLE-1", "NEW-1"]
    assert serials(lists.scanned_twice) == ["HERE-1"]


def test_a_gs1_scan_matches_only_its_products_unit(main_street):
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode="09506000134352")
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="09520123456788")
    units(kettle, main_street, "AB-100")
    count = count_at(main_street)

    [result] = scanned(count, "(01)09506000134352(21)AB-100")

    assert result.verdict == "not_recorded"
    scan = count.scans.get()
    assert (scan.serial, scan.product) == ("AB-100", silvia)
    lists = count_lists(count)
    assert serials(lists.expected) == ["AB-100"]
    assert serials(lists.not_recorded) == ["AB-100"]


def test_broken_entries_are_said_and_not_kept(main_street):
    count = count_at(main_street)

    results = scanned(count, "]d2010950600013435", "BAD\x07")

    assert [r.verdict for r in results] == ["problem", "problem"]
    assert not count.scans.exists()


def test_the_lists_cap_their_rows_and_say_how_many_more(main_street, product):
    units(product, main_street, *(f"SN-{n:02d}" for n in range(60)))
    count = count_at(main_street)
    scanned(count, *(f"SN-{n:02d}" for n in range(55)))

    lists = count_lists(count)

    assert (len(lists.counted.rows), lists.counted.total, lists.counted.more) == (50, 55, 5)
    assert (len(lists.expected.rows), lists.expected.total, lists.expected.more) == (5, 5, 0)


def test_a_closed_count_refuses_scans_and_quantities(main_street, product, mia):
    units(product, main_street, "SN-1")
    count = count_at(main_street)
    scanned(count, "SN-1")
    count_apply(count=count, user=mia)
    count.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        scanned(count, "SN-2")
    with pytest.raises(ValidationError) as no_quantity:
        count_quantity_set(
            count=count, product=ProductFactory(has_serial_numbers=False), counted=3, user=None
        )

    assert refused.value.code == "count_closed"
    assert refused.value.messages == ["This count is applied: it can no longer change."]
    assert no_quantity.value.code == "count_closed"
    assert list(count.scans.values_list("serial", flat=True)) == ["SN-1"]


def test_the_scan_statement_adds_nothing_to_a_count_closed_meanwhile(main_street):
    count = count_at(main_street)
    InventoryCount.objects.filter(pk=count.pk).update(status=InventoryCountStatus.CANCELLED)

    written = sql.count_scans_add(
        count_id=count.pk,
        open_status="open",
        rows=[("X", "x", None, 0)],
        user_id=None,
        at=timezone.now(),
    )

    assert written == []
    assert not InventoryCountScan.objects.exists()


def test_a_quantity_counted_again_keeps_the_last_value(main_street):
    beans = ProductFactory(name="Coffee beans", has_serial_numbers=False)
    count = count_at(main_street)

    count_quantity_set(count=count, product=beans, counted=7, user=None)
    count_quantity_set(count=count, product=beans, counted=4, user=None)

    assert list(count.quantities.values_list("product__name", "counted")) == [("Coffee beans", 4)]


def test_a_quantity_of_a_serialised_or_out_of_scope_product_is_refused(main_street, product):
    beans = ProductFactory(name="Coffee beans", has_serial_numbers=False, brand="Lavazza")
    count = count_at(main_street, brand="Barista Co")

    with pytest.raises(ValidationError) as serialised:
        count_quantity_set(count=count, product=product, counted=1, user=None)
    with pytest.raises(ValidationError) as outside:
        count_quantity_set(count=count, product=beans, counted=1, user=None)

    assert serialised.value.code == "product_serialised"
    assert outside.value.code == "product_not_in_scope"
    assert not count.quantities.exists()


# Apply


def test_apply_writes_off_the_chosen_missing_unit_and_keeps_the_others(main_street, product, mia):
    here, lost, kept = units(product, main_street, "HERE-1", "LOST-1", "KEPT-1")
    count = count_at(main_street)
    scanned(count, "HERE-1")

    result = count_apply(count=count, user=mia, write_off=[lost.pk])

    assert (result.written_off, result.transferred, result.recorded) == (1, 0, 0)
    assert state(here, lost, kept) == [
        ("HERE-1", "in_stock", "Main Street"),
        ("KEPT-1", "in_stock", "Main Street"),
        ("LOST-1", "written_off", "Main Street"),
    ]
    assert on_hand(product, main_street) == 2
    event = SerialEvent.objects.get(serial=lost)
    assert (event.kind, event.from_status, event.to_status, event.user) == (
        SerialEventKind.COUNTED,
        "in_stock",
        "written_off",
        mia,
    )
    assert event.document == count
    assert event.note == "Not found at count “Shelf count”."
    move = StockMove.objects.get(product=product, outlet=main_street)
    assert (move.change, move.on_hand, move.reason, move.user) == (
        -1,
        2,
        StockMoveReason.COUNTED,
        mia,
    )
    assert move.document == count
    count.refresh_from_db()
    assert (count.status, count.applied_by) == (InventoryCountStatus.APPLIED, mia)
    assert count.applied_at is not None


def test_write_off_all_takes_every_missing_unit(main_street, product, mia):
    units(product, main_street, "HERE-1", "LOST-1", "LOST-2")
    count = count_at(main_street)
    scanned(count, "HERE-1")

    result = count_apply(count=count, user=mia, write_off_all=True)

    assert result.written_off == 2
    assert sorted(
        SerialRecord.objects.filter(status="written_off").values_list("serial", flat=True)
    ) == ["LOST-1", "LOST-2"]
    assert on_hand(product, main_street) == 1


def test_transfer_here_moves_a_unit_found_here_and_its_stock(main_street, harbour, product, mia):
    [away] = units(product, harbour, "AWAY-1")
    count = count_at(main_street)
    scanned(count, "AWAY-1")

    result = count_apply(count=count, user=mia, transfer=[away.pk])

    assert result.transferred == 1
    assert state(away) == [("AWAY-1", "in_stock", "Main Street")]
    assert (on_hand(product, harbour), on_hand(product, main_street)) == (0, 1)
    event = SerialEvent.objects.get(serial=away)
    assert (event.kind, event.from_outlet, event.to_outlet, event.to_status) == (
        SerialEventKind.COUNTED,
        harbour,
        main_street,
        "",
    )
    moves = StockMove.objects.filter(product=product).order_by("outlet__name")
    assert [(m.outlet.name, m.change, m.reason) for m in moves] == [
        ("Harbour Mall", -1, "counted"),
        ("Main Street", 1, "counted"),
    ]
    assert {m.document for m in moves} == {count}


def test_a_unit_at_another_outlet_not_chosen_stays_there(main_street, harbour, product, mia):
    [away] = units(product, harbour, "AWAY-1")
    count = count_at(main_street)
    scanned(count, "AWAY-1")

    count_apply(count=count, user=mia)

    assert state(away) == [("AWAY-1", "in_stock", "Harbour Mall")]


def test_record_makes_a_new_unit_in_stock_here_through_the_insert_path(main_street, product, mia):
    count = count_at(main_street, product=product)
    scanned(count, "NEW-1")
    scan = count.scans.get()

    result = count_apply(count=count, user=mia, record={scan.pk: None})

    assert result.recorded == 1
    unit = SerialRecord.objects.get(serial="NEW-1")
    assert (unit.product, unit.outlet, unit.status, unit.origin, unit.created_by) == (
        product,
        main_street,
        "in_stock",
        SerialEventKind.RECORDED_AT_COUNT,
        mia,
    )
    assert (
        SerialTally.objects.get(product=product, outlet=main_street, status="in_stock").count == 1
    )
    assert on_hand(product, main_street) == 1
    event = SerialEvent.objects.get(serial=unit)
    assert (event.kind, event.document) == (SerialEventKind.COUNTED, count)
    move = StockMove.objects.get(product=product, outlet=main_street)
    assert (move.change, move.reason, move.document) == (1, "counted", count)


def test_record_needs_a_product_when_the_count_and_the_scan_name_none(main_street, mia):
    count = count_at(main_street)
    scanned(count, "NEW-1")

    with pytest.raises(ValidationError) as refused:
        count_apply(count=count, user=mia, record={count.scans.get().pk: None})

    assert refused.value.code == "record_product_missing"
    assert refused.value.messages == ["Choose the product of “NEW-1” to record it."]
    assert not SerialRecord.objects.exists()


def test_quantities_set_on_hand_of_products_without_serials(main_street, mia):
    beans = ProductFactory(name="Coffee beans", has_serial_numbers=False)
    cups = ProductFactory(name="Cups", has_serial_numbers=False)
    StockLevel.objects.create(product=beans, outlet=main_street, on_hand=10)
    StockLevel.objects.create(product=cups, outlet=main_street, on_hand=6)
    count = count_at(main_street)
    count_quantity_set(count=count, product=beans, counted=7, user=None)

    result = count_apply(count=count, user=mia)

    assert (on_hand(beans, main_street), on_hand(cups, main_street)) == (7, 6)
    move = StockMove.objects.get(product=beans)
    assert (move.change, move.on_hand, move.reason, move.document) == (-3, 7, "counted", count)
    assert result.stock_changes == 1


def test_stock_from_before_serials_is_set_to_the_units_counted(main_street, product, mia):
    units(product, main_street, "SN-1", "SN-2")
    StockLevel.objects.filter(product=product, outlet=main_street).update(on_hand=5)
    assert (product.pk, main_street.pk, 5, 2) in sql.stock_serial_gap_rows()
    count = count_at(main_street)
    scanned(count, "SN-1", "SN-2")

    count_apply(count=count, user=mia)

    assert on_hand(product, main_street) == 2
    assert [row for row in sql.stock_serial_gap_rows() if row[0] == product.pk] == []
    move = StockMove.objects.get(product=product)
    assert (move.change, move.on_hand, move.reason, move.document) == (-3, 2, "counted", count)


def test_a_count_with_no_scans_and_no_quantities_cannot_be_applied(main_street, product, mia):
    units(product, main_street, "SN-1", "SN-2")
    count = count_at(main_street)

    with pytest.raises(ValidationError) as refused:
        count_apply(count=count, user=mia, write_off_all=True)

    assert refused.value.code == "count_empty"
    assert (
        "Applying an empty count would set the outlet's stock to zero."
        in refused.value.messages[0]
    )
    assert on_hand(product, main_street) == 2
    assert SerialRecord.objects.filter(status="in_stock").count() == 2
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.OPEN


def test_a_refusal_mid_way_leaves_everything_as_it_was(
    main_street, harbour, product, mia, monkeypatch
):
    here, lost = units(product, main_street, "HERE-1", "LOST-1")
    [away] = units(product, harbour, "AWAY-1")
    StockLevel.objects.filter(product=product, outlet=main_street).update(on_hand=5)
    count = count_at(main_street, product=product)
    scanned(count, "HERE-1", "AWAY-1", "NEW-1")
    scan = count.scans.get(serial="NEW-1")

    def recorded_meanwhile(**_kwargs):
        # Another user records NEW-1 between Apply's check and its insert: the unique
        # constraint refuses the insert, after the write-off and the transfer ran.
        raise IntegrityError("inventory_serial_product_serial_unique")

    monkeypatch.setattr(sql, "serial_records_insert", recorded_meanwhile)

    with pytest.raises(ValidationError) as refused:
        count_apply(
            count=count,
            user=mia,
            write_off=[lost.pk],
            transfer=[away.pk],
            record={scan.pk: None},
        )

    assert refused.value.code == "recorded_meanwhile"
    assert state(here, lost, away) == [
        ("AWAY-1", "in_stock", "Harbour Mall"),
        ("HERE-1", "in_stock", "Main Street"),
        ("LOST-1", "in_stock", "Main Street"),
    ]
    assert (on_hand(product, main_street), on_hand(product, harbour)) == (5, 1)
    assert not StockMove.objects.exists()
    assert not SerialEvent.objects.exists()
    assert (
        SerialTally.objects.get(product=product, outlet=main_street, status="in_stock").count == 2
    )
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.OPEN


def test_a_record_its_check_refuses_names_the_serial_and_applies_nothing(main_street, mia):
    phone = ProductFactory(name="Phone", serial_format=SerialFormat.IMEI)
    [lost] = units(phone, main_street, "490154203237518")
    count = count_at(main_street, product=phone)
    scanned(count, "NOT-AN-IMEI")

    with pytest.raises(ValidationError) as refused:
        count_apply(
            count=count, user=None, write_off=[lost.pk], record={count.scans.get().pk: None}
        )

    assert refused.value.code == "record_refused"
    assert refused.value.messages[0].startswith("“NOT-AN-IMEI” cannot be recorded: ")
    assert state(lost) == [("490154203237518", "in_stock", "Main Street")]


def test_a_scan_recorded_since_is_not_recorded_again(main_street, product, mia):
    count = count_at(main_street, product=product)
    scanned(count, "NEW-1")
    scan = count.scans.get()
    SerialRecordFactory(
        product=product, outlet=main_street, serial="NEW-1", status=SerialStatus.SOLD
    )

    result = count_apply(count=count, user=mia, record={scan.pk: None})

    assert result.recorded == 0
    assert SerialRecord.objects.filter(serial="NEW-1").count() == 1


def test_a_unit_sold_since_the_complete_page_is_not_written_off(main_street, product, mia):
    here, lost = units(product, main_street, "HERE-1", "LOST-1")
    count = count_at(main_street)
    scanned(count, "HERE-1")
    page_drawn = timezone.now()
    SerialRecord.objects.filter(pk=lost.pk).update(updated_at=page_drawn + timedelta(seconds=1))

    result = count_apply(count=count, user=mia, write_off=[lost.pk], as_of=page_drawn)

    assert result.written_off == 0
    assert result.left == ["LOST-1"]
    assert state(lost) == [("LOST-1", "in_stock", "Main Street")]


def test_a_unit_that_left_the_outlet_since_is_left_alone(main_street, harbour, product, mia):
    _here, lost = units(product, main_street, "HERE-1", "LOST-1")
    count = count_at(main_street)
    scanned(count, "HERE-1")
    SerialRecord.objects.filter(pk=lost.pk).update(status=SerialStatus.SOLD)

    result = count_apply(count=count, user=mia, write_off=[lost.pk])

    assert (result.written_off, result.left_count) == (0, 1)
    assert state(lost) == [("LOST-1", "sold", "Main Street")]


def test_an_applied_count_cannot_be_applied_again_or_cancelled(main_street, product, mia):
    units(product, main_street, "SN-1")
    count = count_at(main_street)
    scanned(count, "SN-1")
    count_apply(count=count, user=mia)

    with pytest.raises(ValidationError) as again:
        count_apply(count=count, user=mia)
    with pytest.raises(ValidationError) as cancel:
        count_cancel(count=count, user=mia)

    assert again.value.code == cancel.value.code == "count_closed"


def test_a_cancelled_count_changes_nothing(main_street, product, mia):
    units(product, main_street, "SN-1", "SN-2")
    count = count_at(main_street)
    scanned(count, "SN-1")

    count_cancel(count=count, user=mia)

    count.refresh_from_db()
    assert count.status == InventoryCountStatus.CANCELLED
    assert on_hand(product, main_street) == 2
    with pytest.raises(ValidationError):
        count_apply(count=count, user=mia, write_off_all=True)
    assert SerialRecord.objects.filter(status="in_stock").count() == 2


def test_a_brand_count_sets_on_hand_of_its_brand_only(main_street, product, mia):
    kettle = ProductFactory(name="Kettle", brand="Bosch")
    units(product, main_street, "SN-1")
    units(kettle, main_street, "K-1")
    StockLevel.objects.filter(outlet=main_street).update(on_hand=4)
    count = count_at(main_street, brand="Barista Co")
    scanned(count, "SN-1")

    count_apply(count=count, user=mia)

    assert (on_hand(product, main_street), on_hand(kettle, main_street)) == (1, 4)


def test_the_history_of_apply_names_the_count_on_every_row(main_street, harbour, product, mia):
    _here, lost = units(product, main_street, "HERE-1", "LOST-1")
    [away] = units(product, harbour, "AWAY-1")
    count = count_at(main_street, product=product)
    scanned(count, "HERE-1", "AWAY-1", "NEW-1")

    count_apply(
        count=count,
        user=mia,
        write_off=[lost.pk],
        transfer=[away.pk],
        record={count.scans.get(serial="NEW-1").pk: None},
    )

    kind = ContentType.objects.get_for_model(InventoryCount)
    events = SerialEvent.objects.order_by("serial__serial")
    assert [(e.serial.serial, e.kind, e.document_type, e.document_id) for e in events] == [
        ("AWAY-1", "counted", kind, count.pk),
        ("LOST-1", "counted", kind, count.pk),
        ("NEW-1", "counted", kind, count.pk),
    ]
    assert set(StockMove.objects.values_list("reason", "document_id")) == {("counted", count.pk)}
    assert on_hand(product, main_street) == 3  # HERE-1, AWAY-1, NEW-1


def test_serial_counts_stay_exact_after_apply(main_street, harbour, product, mia):
    _here, lost = units(product, main_street, "HERE-1", "LOST-1")
    [away] = units(product, harbour, "AWAY-1")
    count = count_at(main_street, product=product)
    scanned(count, "HERE-1", "AWAY-1", "NEW-1")

    count_apply(
        count=count,
        user=mia,
        write_off=[lost.pk],
        transfer=[away.pk],
        record={count.scans.get(serial="NEW-1").pk: None},
    )

    tallies = {
        (t.outlet.name, t.status): t.count
        for t in SerialTally.objects.filter(product=product).select_related("outlet")
        if t.count
    }
    assert tallies == {("Main Street", "in_stock"): 3, ("Main Street", "written_off"): 1}


def test_a_scan_of_another_count_does_not_count_here(main_street, product):
    units(product, main_street, "SN-1")
    first, second = count_at(main_street), count_at(main_street, name="Second")
    scanned(first, "SN-1")

    assert count_lists(second).counted.total == 0
    assert count_lists(second).expected.total == 1


def test_a_count_at_an_outlet_without_units_lists_nothing(db):
    count = count_at(OutletFactory(name="Empty"))

    lists = count_lists(count)

    assert (lists.counted.total, lists.expected.total, lists.not_recorded.total) == (0, 0, 0)


def test_scan_of_the_count_outlet_is_one_statement_whatever_the_count(
    main_street, product, django_assert_max_num_queries
):
    units(product, main_street, *(f"SN-{n}" for n in range(30)))
    count = count_at(main_street)
    scanned(count, *(f"SN-{n}" for n in range(20)))

    with django_assert_max_num_queries(4):
        count_scan(count=count, entries=["SN-25"], user=None)
