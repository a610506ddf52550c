"""Return stock: the scan check, Send, and each outcome of a returned unit."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from inventory.models import (
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMove,
    StockMoveReason,
    SupplierReturn,
    SupplierReturnOutcome,
    SupplierReturnReason,
    SupplierReturnStatus,
    SupplierReturnUnit,
)
from inventory.selectors.supplier_returns import (
    serial_supplier_return,
    supplier_return_list,
)
from inventory.services.supplier_returns import (
    supplier_return_check,
    supplier_return_resolve,
    supplier_return_send,
)
from tests.factories import (
    ProductFactory,
    SerialRecordFactory,
    StockLevelFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SILVIA_GTIN = "09506000134352"


@pytest.fixture
def supplier():
    return SupplierFactory(name="Acme Coffee Supply")


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=SILVIA_GTIN)


@pytest.fixture
def mia():
    return UserFactory(username="mia", groups=["Managers"])


@pytest.fixture
def shelf(silvia, outlet):
    """Two In stock units and a Faulty one of Silvia at Main Street, 2 on hand."""
    StockLevelFactory(product=silvia, outlet=outlet, on_hand=2)
    return {
        "S-1": SerialRecordFactory(product=silvia, outlet=outlet, serial="S-1"),
        "S-2": SerialRecordFactory(product=silvia, outlet=outlet, serial="S-2"),
        "F-1": SerialRecordFactory(
            product=silvia, outlet=outlet, serial="F-1", status=SerialStatus.FAULTY
        ),
    }


def on_hand(product, outlet):
    return StockLevel.objects.get(product=product, outlet=outlet).on_hand


def tally(product, outlet, status):
    row = SerialTally.objects.filter(product=product, outlet=outlet, status=status).first()
    return row.count if row else 0


def send(supplier, outlet, text, user, reason=SupplierReturnReason.FAULTY, **kwargs):
    check = supplier_return_check(outlet=outlet, text=text)
    assert not check.problems, check.problems
    return supplier_return_send(
        supplier=supplier,
        outlet=outlet,
        serials=check.units,
        reason=reason,
        user=user,
        **kwargs,
    )


def resolve(supplier_return, serial, user, outcome, **kwargs):
    row = SupplierReturnUnit.objects.get(supplier_return=supplier_return, serial=serial)
    return supplier_return_resolve(
        supplier_return=supplier_return, unit_id=row.pk, outcome=outcome, user=user, **kwargs
    )


# The check ------------------------------------------------------------------


def test_the_check_finds_in_stock_and_faulty_units_and_lists_the_others(
    silvia, outlet, harbour, shelf
):
    SerialRecordFactory(product=silvia, outlet=outlet, serial="SOLD-1", status=SerialStatus.SOLD)
    SerialRecordFactory(product=silvia, outlet=harbour, serial="H-1")
    SerialRecordFactory(
        product=silvia, outlet=outlet, serial="W-1", status=SerialStatus.WRITTEN_OFF
    )

    check = supplier_return_check(
        outlet=outlet, text="s-1\nF-1\nS-1\nSOLD-1\nH-1\nW-1\nNOPE\n(01)09506000134352(21)S-2"
    )

    assert [e.unit.serial for e in check.matched] == ["S-1", "F-1", "S-2"]
    assert [e.reason for e in check.scanned_twice] == ["Scanned before (entry 1)."]
    reasons = {e.serial: (e.code, e.reason) for e in check.problems}
    assert reasons["SOLD-1"][0] == "sold"
    assert "a customer's unit goes back from its warranty claim" in reasons["SOLD-1"][1]
    sold_entry = next(e for e in check.problems if e.serial == "SOLD-1")
    assert sold_entry.url == f"/inventory/serials/{sold_entry_pk('SOLD-1')}/"
    assert reasons["H-1"] == (
        "other_outlet",
        "“H-1” is In stock at Harbour Mall, not at Main Street.",
    )
    assert reasons["W-1"] == (
        "not_returnable",
        "“W-1” is Written off, so it cannot be returned to a supplier.",
    )
    assert reasons["NOPE"] == ("not_found", "No unit has the serial number “NOPE”.")
    assert not SupplierReturn.objects.exists()


def sold_entry_pk(serial):
    return SerialRecord.objects.get(serial=serial).pk


def test_a_serial_of_two_products_needs_the_gs1_scan_that_names_its_product(silvia, outlet):
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode="09520123456788")
    SerialRecordFactory(product=silvia, outlet=outlet, serial="AB-100")
    SerialRecordFactory(product=kettle, outlet=outlet, serial="AB-100")

    plain = supplier_return_check(outlet=outlet, text="AB-100")
    scanned = supplier_return_check(outlet=outlet, text="(01)09520123456788(21)AB-100")

    assert [e.code for e in plain.problems] == ["ambiguous"]
    assert "Bosch Kettle, Rancilio Silvia" in plain.problems[0].reason
    assert [e.unit.product.sku for e in scanned.matched] == ["BK-1"]


# Send -----------------------------------------------------------------------


def test_send_puts_the_units_at_the_supplier_and_takes_in_stock_ones_off_hand(
    supplier, silvia, outlet, shelf, mia
):
    sent = send(supplier, outlet, "S-1\nF-1", mia, supplier_reference=" RMA-77 ", note="Both dead")

    assert sent.status == SupplierReturnStatus.AT_SUPPLIER
    assert (sent.supplier, sent.outlet, sent.created_by) == (supplier, outlet, mia)
    assert sent.supplier_reference == "RMA-77"
    rows = {r.serial.serial: r.from_status for r in sent.units.select_related("serial")}
    assert rows == {"S-1": SerialStatus.IN_STOCK, "F-1": SerialStatus.FAULTY}
    for serial in ("S-1", "F-1"):
        unit = SerialRecord.objects.get(serial=serial)
        assert (unit.status, unit.outlet) == (SerialStatus.AT_SUPPLIER, outlet)
        event = unit.events.get()
        assert event.kind == SerialEventKind.SENT_TO_SUPPLIER
        assert event.to_status == SerialStatus.AT_SUPPLIER
        assert event.document == sent
        assert event.note == "Faulty. Both dead"
    # Only the In stock unit was on hand.
    assert on_hand(silvia, outlet) == 1
    move = StockMove.objects.get()
    assert (move.change, move.on_hand, move.reason) == (
        -1,
        1,
        StockMoveReason.RETURNED_TO_SUPPLIER,
    )
    assert move.document == sent
    assert tally(silvia, outlet, SerialStatus.AT_SUPPLIER) == 2
    assert tally(silvia, outlet, SerialStatus.IN_STOCK) == 1
    assert tally(silvia, outlet, SerialStatus.FAULTY) == 0
    assert SerialRecord.objects.get(serial="S-2").status == SerialStatus.IN_STOCK


def test_send_refuses_a_unit_that_changed_since_the_check_and_changes_nothing(
    supplier, silvia, outlet, shelf, mia
):
    check = supplier_return_check(outlet=outlet, text="S-1\nS-2")
    SerialRecord.objects.filter(serial="S-2").update(status=SerialStatus.SOLD)

    with pytest.raises(ValidationError) as refused:
        supplier_return_send(
            supplier=supplier,
            outlet=outlet,
            serials=check.units,
            reason=SupplierReturnReason.FAULTY,
            user=mia,
        )

    assert refused.value.error_dict["serial_numbers"][0].code == "sold"
    assert not SupplierReturn.objects.exists()
    assert SerialRecord.objects.get(serial="S-1").status == SerialStatus.IN_STOCK
    assert not SerialEvent.objects.exists()
    assert on_hand(silvia, outlet) == 2
    assert not StockMove.objects.exists()


def test_send_refuses_no_units_an_inactive_supplier_and_a_bad_reason(supplier, outlet, shelf, mia):
    supplier.is_active = False
    supplier.save()

    with pytest.raises(ValidationError) as refused:
        supplier_return_send(
            supplier=supplier, outlet=outlet, serials=[], reason="nonsense", user=mia
        )

    codes = {name: [e.code for e in errors] for name, errors in refused.value.error_dict.items()}
    assert codes == {
        "supplier": ["supplier_inactive"],
        "reason": ["reason_invalid"],
        "serial_numbers": ["no_units"],
    }
    assert not SupplierReturn.objects.exists()


def test_a_sold_unit_is_sent_only_with_allow_sold(supplier, silvia, outlet, mia):
    unit = SerialRecordFactory(product=silvia, outlet=outlet, serial="C-1", status="sold")

    with pytest.raises(ValidationError):
        supplier_return_send(
            supplier=supplier, outlet=outlet, serials=[unit], reason="warranty", user=mia
        )
    sent = supplier_return_send(
        supplier=supplier,
        outlet=outlet,
        serials=[unit],
        reason=SupplierReturnReason.WARRANTY,
        user=mia,
        allow_sold=True,
    )

    unit.refresh_from_db()
    assert unit.status == SerialStatus.AT_SUPPLIER
    assert sent.units.get().from_status == SerialStatus.SOLD
    assert not StockMove.objects.exists()


# Outcomes ---------------------------------------------------------------------


def test_credited_writes_the_unit_off_with_its_credit(supplier, silvia, outlet, shelf, mia):
    sent = send(supplier, outlet, "F-1", mia)

    row = resolve(sent, shelf["F-1"], mia, "credited", credit_amount=Decimal("120.5"))

    row.refresh_from_db()
    assert (row.outcome, row.credit_amount) == (SupplierReturnOutcome.CREDITED, Decimal("120.50"))
    assert row.resolved_by == mia and row.resolved_at is not None
    unit = SerialRecord.objects.get(serial="F-1")
    assert unit.status == SerialStatus.WRITTEN_OFF
    event = unit.events.get(kind=SerialEventKind.CREDITED)
    assert (event.from_status, event.to_status) == (SerialStatus.AT_SUPPLIER, "written_off")
    assert event.note == "Credited 120.50."
    assert event.document == sent
    sent.refresh_from_db()
    assert sent.status == SupplierReturnStatus.RESOLVED
    assert tally(silvia, outlet, SerialStatus.AT_SUPPLIER) == 0
    assert tally(silvia, outlet, SerialStatus.WRITTEN_OFF) == 1


@pytest.mark.parametrize(
    ("credit", "code"), [(None, "required"), (Decimal("-1"), "credit_negative")]
)
def test_credited_needs_a_credit_amount_that_is_not_negative(
    supplier, outlet, shelf, mia, credit, code
):
    sent = send(supplier, outlet, "F-1", mia)

    with pytest.raises(ValidationError) as refused:
        resolve(sent, shelf["F-1"], mia, "credited", credit_amount=credit)

    assert refused.value.error_dict["credit_amount"][0].code == code
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.AT_SUPPLIER
    assert SupplierReturnUnit.objects.get().outcome == ""


def test_no_outcome_is_refused(supplier, outlet, shelf, mia):
    sent = send(supplier, outlet, "F-1", mia)

    with pytest.raises(ValidationError) as refused:
        resolve(sent, shelf["F-1"], mia, "")

    assert refused.value.error_dict["outcome"][0].code == "required"
    assert SupplierReturnUnit.objects.get().outcome == ""


def test_repaired_brings_an_in_stock_unit_back_on_hand_and_resolves_when_the_last_is_done(
    supplier, silvia, outlet, shelf, mia
):
    sent = send(supplier, outlet, "S-1\nF-1", mia)
    assert on_hand(silvia, outlet) == 1

    resolve(sent, shelf["S-1"], mia, "repaired", note="New pump")
    sent.refresh_from_db()
    assert sent.status == SupplierReturnStatus.AT_SUPPLIER
    resolve(sent, shelf["F-1"], mia, "repaired")

    sent.refresh_from_db()
    assert sent.status == SupplierReturnStatus.RESOLVED
    # Both come back onto the shelf (a repaired Faulty unit is sellable again).
    for serial in ("S-1", "F-1"):
        unit = SerialRecord.objects.get(serial=serial)
        assert (unit.status, unit.outlet) == (SerialStatus.IN_STOCK, outlet)
    assert on_hand(silvia, outlet) == 3
    moves = list(StockMove.objects.order_by("pk").values_list("change", "reason"))
    assert moves == [(-1, "supplier_return"), (1, "supplier_return"), (1, "supplier_return")]
    assert (
        SerialRecord.objects.get(serial="S-1")
        .events.filter(kind=SerialEventKind.REPAIRED, note="New pump")
        .exists()
    )


def test_repaired_gives_a_claims_sold_unit_back_to_sold(supplier, silvia, outlet, mia):
    unit = SerialRecordFactory(product=silvia, outlet=outlet, serial="C-1", status="sold")
    sent = supplier_return_send(
        supplier=supplier,
        outlet=outlet,
        serials=[unit],
        reason=SupplierReturnReason.WARRANTY,
        user=mia,
        allow_sold=True,
    )

    resolve(sent, unit, mia, "repaired")

    unit.refresh_from_db()
    assert unit.status == SerialStatus.SOLD
    assert not StockMove.objects.exists()


def test_replaced_writes_off_the_old_unit_and_records_the_new_one_in_stock_linked(
    supplier, silvia, outlet, shelf, mia
):
    sent = send(supplier, outlet, "F-1", mia)

    row = resolve(
        sent, shelf["F-1"], mia, "replaced", replacement_serial="(01)09506000134352(21)NEW-1"
    )

    old = SerialRecord.objects.get(serial="F-1")
    new = SerialRecord.objects.get(serial="NEW-1")
    assert old.status == SerialStatus.WRITTEN_OFF
    assert old.events.get(kind=SerialEventKind.REPLACED).note == "Replaced by NEW-1."
    assert (new.product, new.outlet, new.status) == (silvia, outlet, SerialStatus.IN_STOCK)
    assert new.origin == SerialEventKind.REPLACEMENT and new.created_by == mia
    row.refresh_from_db()
    assert row.replacement == new and row.outcome == SupplierReturnOutcome.REPLACED
    # On hand: 2 In stock before, the Faulty unit was never counted, the new one is.
    assert on_hand(silvia, outlet) == 3
    move = StockMove.objects.get()
    assert (move.change, move.reason) == (1, StockMoveReason.RETURNED_TO_SUPPLIER)
    assert (move.document_type, move.document_id) == (
        ContentType.objects.get_for_model(SupplierReturn),
        sent.pk,
    )
    assert tally(silvia, outlet, SerialStatus.IN_STOCK) == 3
    assert tally(silvia, outlet, SerialStatus.WRITTEN_OFF) == 1
    assert tally(silvia, outlet, SerialStatus.AT_SUPPLIER) == 0
    # Each page links the other.
    assert serial_supplier_return(serial=new).replaces == row
    assert serial_supplier_return(serial=old).replaced_by.replacement == new
    sent.refresh_from_db()
    assert sent.status == SupplierReturnStatus.RESOLVED


@pytest.mark.parametrize(
    ("text", "code"),
    [("S-2", "exists"), ("", "required"), ("(01)09520123456788(21)X-9", "gtin_other_product")],
)
def test_replaced_refuses_a_taken_missing_or_foreign_serial_and_changes_nothing(
    supplier, silvia, outlet, shelf, mia, text, code
):
    sent = send(supplier, outlet, "F-1", mia)
    units = SerialRecord.objects.count()

    with pytest.raises(ValidationError) as refused:
        resolve(sent, shelf["F-1"], mia, "replaced", replacement_serial=text)

    assert refused.value.error_dict["replacement_serial"][0].code == code
    assert SerialRecord.objects.count() == units
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.AT_SUPPLIER
    assert SupplierReturnUnit.objects.get().outcome == ""
    assert on_hand(silvia, outlet) == 2


def test_a_taken_replacement_says_where_the_unit_is(supplier, outlet, shelf, mia):
    sent = send(supplier, outlet, "F-1", mia)

    with pytest.raises(ValidationError) as refused:
        resolve(sent, shelf["F-1"], mia, "replaced", replacement_serial="s-2")

    assert refused.value.messages == [
        "“S-2” is already recorded for this product at Main Street (In stock)."
    ]


def test_resolving_a_unit_twice_is_refused(supplier, outlet, shelf, mia):
    sent = send(supplier, outlet, "F-1\nS-1", mia)
    resolve(sent, shelf["F-1"], mia, "credited", credit_amount=Decimal("10"))

    with pytest.raises(ValidationError) as refused:
        resolve(sent, shelf["F-1"], mia, "repaired")

    assert refused.value.code == "already_resolved"
    assert SerialRecord.objects.get(serial="F-1").status == SerialStatus.WRITTEN_OFF


def test_a_unit_of_another_return_is_refused(supplier, outlet, shelf, mia):
    first = send(supplier, outlet, "F-1", mia)
    second = send(supplier, outlet, "S-1", mia)
    row = first.units.get()

    with pytest.raises(ValidationError) as refused:
        supplier_return_resolve(
            supplier_return=second, unit_id=row.pk, outcome="repaired", user=mia
        )

    assert refused.value.code == "not_on_return"


def test_a_credit_amount_with_another_outcome_is_refused(supplier, outlet, shelf, mia):
    sent = send(supplier, outlet, "F-1", mia)

    with pytest.raises(ValidationError) as refused:
        resolve(sent, shelf["F-1"], mia, "repaired", credit_amount=Decimal("5"))

    assert refused.value.error_dict["credit_amount"][0].code == "not_credited"


# The list's age ---------------------------------------------------------------


def test_the_list_counts_units_still_at_the_supplier_and_the_oldest_sent(
    supplier, outlet, shelf, mia, django_assert_max_num_queries
):
    older = send(supplier, outlet, "F-1\nS-1", mia)
    SupplierReturn.objects.filter(pk=older.pk).update(
        created_at=older.created_at.replace(year=older.created_at.year - 1)
    )
    newer = send(supplier, outlet, "S-2", mia)
    resolve(newer, shelf["S-2"], mia, "repaired")
    resolve(older, shelf["F-1"], mia, "credited", credit_amount=Decimal("1"))

    with django_assert_max_num_queries(1):
        rows = {r.pk: r for r in supplier_return_list()}

    assert (rows[older.pk].units_count, rows[older.pk].units_at_supplier) == (2, 1)
    assert rows[older.pk].oldest_at_supplier.year == older.created_at.year - 1
    assert (rows[newer.pk].units_at_supplier, rows[newer.pk].oldest_at_supplier) == (0, None)
    assert list(rows) == [newer.pk, older.pk]
