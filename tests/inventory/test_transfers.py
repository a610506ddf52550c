"""Transfers in transit: Send from one outlet, Receive at another (the services)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import (
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMove,
    StockMoveReason,
    Transfer,
    TransferLine,
    TransferStatus,
    TransferUnit,
)
from inventory.selectors.transfers import transfers_overdue
from inventory.services import serial_write_off
from inventory.services.transfers import (
    TransferQuantity,
    TransferReceiveRejected,
    TransferRefused,
    transfer_close_short,
    transfer_receive,
    transfer_receive_check,
    transfer_send,
)
from tests.factories import ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db

SILVIA_GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"


@pytest.fixture
def sam():
    return UserFactory(username="sam", groups=["Staff"])


@pytest.fixture
def cable():
    return ProductFactory(name="Cable", sku="CB-1", has_serial_numbers=False)


def stock(product, outlet) -> int:
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0


def units_at(product, outlet, *serials):
    """Units In stock at `outlet`, counted on hand as a service would count them."""
    units = [SerialRecordFactory(product=product, outlet=outlet, serial=s) for s in serials]
    level, _ = StockLevel.objects.get_or_create(product=product, outlet=outlet)
    level.on_hand += len(serials)
    level.save()
    return units


def statuses():
    return dict(SerialRecord.objects.values_list("serial", "status"))


def send(sam, main_street, harbour, text="", **kwargs):
    return transfer_send(
        from_outlet=main_street, to_outlet=harbour, text=text, user=sam, **kwargs
    ).transfer


# Send -----------------------------------------------------------------------------


def test_send_puts_the_units_in_transit_and_takes_them_off_the_senders_stock(
    sam, product, main_street, harbour
):
    units_at(product, main_street, "S-1", "S-2", "S-3")

    result = transfer_send(
        from_outlet=main_street,
        to_outlet=harbour,
        text="S-1\nS-2\n",
        note="For the weekend",
        user=sam,
    )

    transfer = result.transfer
    assert (result.units, result.quantity) == (2, 0)
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert (transfer.from_outlet, transfer.to_outlet, transfer.created_by) == (
        main_street,
        harbour,
        sam,
    )
    assert statuses() == {
        "S-1": SerialStatus.IN_TRANSIT,
        "S-2": SerialStatus.IN_TRANSIT,
        "S-3": SerialStatus.IN_STOCK,
    }
    # In transit, the units are still the sender's: they have not arrived anywhere.
    assert set(SerialRecord.objects.values_list("outlet", flat=True)) == {main_street.pk}
    assert stock(product, main_street) == 1
    assert stock(product, harbour) == 0
    move = StockMove.objects.get()
    assert (move.product, move.outlet, move.change, move.on_hand) == (
        product,
        main_street,
        -2,
        1,
    )
    assert (move.reason, move.user, move.document) == (StockMoveReason.TRANSFERRED, sam, transfer)
    line = TransferLine.objects.get()
    assert (line.transfer, line.product, line.quantity, line.received) == (
        transfer,
        product,
        2,
        0,
    )
    assert sorted(TransferUnit.objects.values_list("serial__serial", flat=True)) == ["S-1", "S-2"]
    events = SerialEvent.objects.order_by("serial__serial")
    assert [(e.serial.serial, e.kind, e.from_status, e.to_status) for e in events] == [
        ("S-1", SerialEventKind.TRANSFER_SENT, SerialStatus.IN_STOCK, SerialStatus.IN_TRANSIT),
        ("S-2", SerialEventKind.TRANSFER_SENT, SerialStatus.IN_STOCK, SerialStatus.IN_TRANSIT),
    ]
    assert {(e.user, e.document, e.note) for e in events} == {(sam, transfer, "For the weekend")}
    tally = dict(SerialTally.objects.filter(outlet=main_street).values_list("status", "count"))
    assert tally == {SerialStatus.IN_STOCK: 1, SerialStatus.IN_TRANSIT: 2}


def test_send_takes_quantities_off_the_senders_on_hand(sam, product, cable, main_street, harbour):
    StockLevel.objects.create(product=cable, outlet=main_street, on_hand=5)
    units_at(product, main_street, "S-1")

    result = transfer_send(
        from_outlet=main_street,
        to_outlet=harbour,
        text="S-1",
        quantities=[TransferQuantity(cable, 3)],
        user=sam,
    )

    assert (result.units, result.quantity) == (1, 3)
    assert stock(cable, main_street) == 2
    lines = {line.product: line.quantity for line in result.transfer.lines.all()}
    assert lines == {product: 1, cable: 3}
    move = StockMove.objects.get(product=cable)
    assert (move.outlet, move.change, move.reason, move.document) == (
        main_street,
        -3,
        StockMoveReason.TRANSFERRED,
        result.transfer,
    )


def test_a_unit_entered_twice_is_sent_once(sam, product, main_street, harbour):
    units_at(product, main_street, "S-1")

    result = transfer_send(
        from_outlet=main_street, to_outlet=harbour, text="S-1\ns-1\nS-1", user=sam
    )

    assert (result.units, result.repeated) == (1, 2)
    assert TransferUnit.objects.count() == 1
    assert stock(product, main_street) == 0


def test_a_gs1_scan_names_its_serial_and_checks_its_product(sam, main_street, harbour):
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=SILVIA_GTIN)
    ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)
    units_at(silvia, main_street, "S-1", "S-2")

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, f"(01){KETTLE_GTIN}(21)S-2")
    assert refused.value.messages == [
        "Entry 1: The scan is of Bosch Kettle (BK-1), not Rancilio Silvia (RS-1)."
    ]

    transfer = send(sam, main_street, harbour, f"(01){SILVIA_GTIN}(21)S-1")
    assert list(transfer.units.values_list("serial__serial", flat=True)) == ["S-1"]


def test_a_serial_of_two_products_at_from_asks_for_the_product(sam, main_street, harbour):
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=SILVIA_GTIN)
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)
    units_at(silvia, main_street, "AB-100")
    units_at(kettle, main_street, "AB-100")

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, "AB-100")

    assert refused.value.messages == [
        "Entry 1: “AB-100” is a serial number of Bosch Kettle (BK-1) and Rancilio Silvia "
        "(RS-1): scan the product's barcode before it, or scan its GS1 label."
    ]
    assert Transfer.objects.count() == 0
    # The product's barcode before it says which.
    transfer = send(sam, main_street, harbour, f"{KETTLE_GTIN}\nAB-100")
    sent = transfer.units.get().serial
    assert (sent.product, sent.status) == (kettle, SerialStatus.IN_TRANSIT)


def test_a_serial_of_two_products_only_one_of_them_at_from_sends_that_one(
    sam, main_street, harbour
):
    silvia = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    kettle = ProductFactory(name="Bosch Kettle", sku="BK-1")
    units_at(silvia, main_street, "AB-100")
    units_at(kettle, harbour, "AB-100")

    transfer = send(sam, main_street, harbour, "AB-100")

    assert transfer.units.get().serial.product == silvia


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("harbour", "“S-9” (Barista Pro) is In stock at Harbour Mall, not at Main Street."),
        ("sold", "“S-9” (Barista Pro) is Sold at Main Street, so it cannot be sent."),
        ("faulty", "“S-9” (Barista Pro) is Faulty at Main Street, so it cannot be sent."),
        ("unknown", "“S-9” is not recorded."),
    ],
)
def test_a_unit_not_in_stock_at_from_refuses_the_whole_send(
    sam, product, main_street, harbour, where, message
):
    units_at(product, main_street, "S-1")
    if where == "harbour":
        units_at(product, harbour, "S-9")
    elif where in ("sold", "faulty"):
        status = SerialStatus.SOLD if where == "sold" else SerialStatus.FAULTY
        SerialRecordFactory(product=product, outlet=main_street, serial="S-9", status=status)
    before = statuses()

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, "S-1\nS-9")

    assert refused.value.messages == [f"Entry 2: {message}"]
    assert refused.value.error_dict["serial_numbers"][0].code in (
        "not_in_stock_here",
        "not_recorded",
    )
    assert [p.serial for p in refused.value.problems] == ["S-9"]
    assert statuses() == before
    assert Transfer.objects.count() == 0
    assert StockMove.objects.count() == 0
    assert SerialEvent.objects.count() == 0
    assert stock(product, main_street) == 1


def test_a_unit_in_transit_is_refused_naming_its_transfer(sam, product, main_street, harbour):
    units_at(product, main_street, "S-1")
    first = send(sam, main_street, harbour, "S-1")

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, "S-1")

    assert refused.value.messages == [
        f"Entry 1: “S-1” (Barista Pro) is In transit on Transfer {first.pk} "
        "(Main Street to Harbour Mall), so it cannot be sent."
    ]
    assert Transfer.objects.count() == 1


def test_from_and_to_must_differ(sam, product, main_street):
    units_at(product, main_street, "S-1")

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, main_street, "S-1")

    assert refused.value.error_dict["to_outlet"][0].code == "same_outlet"
    assert "From and To must be different outlets." in refused.value.messages
    assert Transfer.objects.count() == 0
    assert statuses() == {"S-1": SerialStatus.IN_STOCK}


def test_an_inactive_destination_is_refused(sam, product, main_street, harbour):
    units_at(product, main_street, "S-1")
    harbour.is_active = False
    harbour.save()

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, "S-1")

    assert refused.value.error_dict["to_outlet"][0].code == "outlet_inactive"
    assert Transfer.objects.count() == 0


def test_more_than_on_hand_is_refused_and_nothing_moves(sam, cable, main_street, harbour):
    StockLevel.objects.create(product=cable, outlet=main_street, on_hand=2)

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, quantities=[TransferQuantity(cable, 3)])

    assert refused.value.messages == [
        "Cable (CB-1): 3 to send, but Main Street has only 2 on hand."
    ]
    assert refused.value.error_dict["lines"][0].code == "over_on_hand"
    assert stock(cable, main_street) == 2
    assert Transfer.objects.count() == 0
    assert StockMove.objects.count() == 0


def test_a_serialised_product_cannot_go_by_quantity(sam, product, main_street, harbour):
    units_at(product, main_street, "S-1")

    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, quantities=[TransferQuantity(product, 1)])

    assert refused.value.error_dict["lines"][0].code == "serialised_by_quantity"
    assert statuses() == {"S-1": SerialStatus.IN_STOCK}


def test_nothing_to_send_is_refused(sam, main_street, harbour):
    with pytest.raises(TransferRefused) as refused:
        send(sam, main_street, harbour, "  \n ")

    assert refused.value.error_dict["serial_numbers"][0].code == "nothing_to_send"
    assert Transfer.objects.count() == 0


# Receive ---------------------------------------------------------------------------


@pytest.fixture
def sent(sam, product, main_street, harbour):
    """Transfer of S-1, S-2, S-3 from Main Street to Harbour Mall (S-4 stays at Main Street)."""
    units_at(product, main_street, "S-1", "S-2", "S-3", "S-4")
    return send(sam, main_street, harbour, "S-1\nS-2\nS-3")


def test_the_check_lists_matched_missing_unexpected_and_scanned_twice(sent, product):
    check = transfer_receive_check(transfer=sent, text="S-1\nS-4\nNOPE\ns-1")

    assert [e.serial for e in check.matched] == ["S-1"]
    assert [e.serial for e in check.missing] == ["S-2", "S-3"]
    assert [(e.serial, e.reason) for e in check.unexpected] == [
        ("S-4", "Not on this transfer: Barista Pro (BP-1), In stock at Main Street."),
        ("NOPE", "“NOPE” is not recorded."),
    ]
    assert [(e.serial, e.reason) for e in check.scanned_twice] == [
        ("s-1", "Scanned before (entry 1).")
    ]
    assert [(p.line.product, p.received, p.line.quantity) for p in check.lines] == [
        (product, 1, 3)
    ]
    # The check saves nothing.
    assert TransferUnit.objects.filter(received_at__isnull=False).count() == 0


def test_receive_puts_matched_units_in_stock_at_to_and_leaves_missing_in_transit(
    sent, sam, product, main_street, harbour
):
    result = transfer_receive(transfer=sent, text="S-1\nS-2\nS-4", user=sam)

    assert result.units == 2
    assert [e.serial for e in result.check.unexpected] == ["S-4"]
    units = {u.serial: (u.status, u.outlet) for u in SerialRecord.objects.all()}
    assert units == {
        "S-1": (SerialStatus.IN_STOCK, harbour),
        "S-2": (SerialStatus.IN_STOCK, harbour),
        "S-3": (SerialStatus.IN_TRANSIT, main_street),
        "S-4": (SerialStatus.IN_STOCK, main_street),
    }
    assert stock(product, harbour) == 2
    assert stock(product, main_street) == 1
    move = StockMove.objects.get(outlet=harbour)
    assert (move.change, move.on_hand, move.reason, move.document, move.user) == (
        2,
        2,
        StockMoveReason.TRANSFERRED,
        sent,
        sam,
    )
    received = TransferUnit.objects.filter(received_at__isnull=False)
    assert sorted(received.values_list("serial__serial", flat=True)) == ["S-1", "S-2"]
    assert TransferLine.objects.get().received == 2
    sent.refresh_from_db()
    assert (sent.status, sent.received_at) == (TransferStatus.PARTLY_RECEIVED, None)
    event = SerialEvent.objects.get(serial__serial="S-1", kind=SerialEventKind.TRANSFER_RECEIVED)
    assert (event.from_outlet, event.to_outlet, event.from_status, event.to_status) == (
        main_street,
        harbour,
        SerialStatus.IN_TRANSIT,
        SerialStatus.IN_STOCK,
    )
    assert (event.document_type, event.document_id) == (
        ContentType.objects.get_for_model(Transfer),
        sent.pk,
    )

    # A later Receive takes the missing one.
    transfer_receive(transfer=sent, text="S-3", user=sam)

    sent.refresh_from_db()
    assert sent.status == TransferStatus.RECEIVED
    assert sent.received_at is not None
    assert stock(product, harbour) == 3
    assert statuses()["S-3"] == SerialStatus.IN_STOCK


def test_quantities_arrive_on_the_destinations_on_hand(sam, cable, main_street, harbour):
    StockLevel.objects.create(product=cable, outlet=main_street, on_hand=5)
    transfer = send(sam, main_street, harbour, quantities=[TransferQuantity(cable, 4)])
    line = transfer.lines.get()

    transfer_receive(transfer=transfer, quantities={line.pk: 3}, user=sam)

    assert stock(cable, harbour) == 3
    line.refresh_from_db()
    transfer.refresh_from_db()
    assert (line.received, transfer.status) == (3, TransferStatus.PARTLY_RECEIVED)
    with pytest.raises(ValidationError) as over:
        transfer_receive(transfer=transfer, quantities={line.pk: 2}, user=sam)
    assert over.value.code == "over_sent"

    transfer_receive(transfer=transfer, quantities={line.pk: 1}, user=sam)

    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.RECEIVED
    assert stock(cable, harbour) == 4


def test_receiving_nothing_is_refused_and_changes_nothing(sent, sam):
    with pytest.raises(TransferReceiveRejected) as rejected:
        transfer_receive(transfer=sent, text="S-4\nNOPE", user=sam)

    assert rejected.value.code == "nothing_to_receive"
    assert [e.serial for e in rejected.value.check.unexpected] == ["S-4", "NOPE"]
    assert TransferUnit.objects.filter(received_at__isnull=False).count() == 0
    assert SerialRecord.objects.filter(status=SerialStatus.IN_TRANSIT).count() == 3
    sent.refresh_from_db()
    assert sent.status == TransferStatus.IN_TRANSIT


def test_a_unit_received_already_is_unexpected_and_a_received_transfer_takes_nothing(sent, sam):
    transfer_receive(transfer=sent, text="S-1", user=sam)

    check = transfer_receive_check(transfer=sent, text="S-1")
    assert [(e.serial, e.reason) for e in check.unexpected] == [
        ("S-1", "Received on this transfer already.")
    ]
    transfer_receive(transfer=sent, text="S-2\nS-3", user=sam)
    with pytest.raises(ValidationError) as closed:
        transfer_receive(transfer=sent, text="S-1", user=sam)
    assert closed.value.code == "transfer_received"


def test_a_manager_writes_off_a_missing_unit_and_the_transfer_is_settled(sent, sam, harbour):
    mia = UserFactory(username="mia", groups=["Managers"])
    transfer_receive(transfer=sent, text="S-1\nS-2", user=sam)
    missing = SerialRecord.objects.get(serial="S-3")

    serial_write_off(serial=missing, reason="Lost by the courier", user=mia)

    missing.refresh_from_db()
    assert missing.status == SerialStatus.WRITTEN_OFF
    sent.refresh_from_db()
    assert sent.status == TransferStatus.RECEIVED
    # Stock left the sender when it was sent: writing it off moves no stock.
    assert StockMove.objects.filter(reason=StockMoveReason.UNITS_CHANGED).count() == 0
    check = transfer_receive_check(transfer=sent, text="S-3")
    assert check.missing == []


# Overdue ---------------------------------------------------------------------------


def test_a_transfer_not_fully_received_after_the_set_days_is_overdue(sent, sam, settings):
    settings.SERIALDESK_TRANSFER_OVERDUE_DAYS = 3
    assert list(transfers_overdue()) == []

    Transfer.objects.filter(pk=sent.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert list(transfers_overdue()) == [sent]

    transfer_receive(transfer=sent, text="S-1", user=sam)
    assert list(transfers_overdue()) == [sent]  # Partly received is still overdue

    transfer_receive(transfer=sent, text="S-2\nS-3", user=sam)
    assert list(transfers_overdue()) == []


# Close short -------------------------------------------------------------------------


def test_close_short_writes_off_units_still_in_transit_and_keeps_quantities_never_arrived(
    sam, product, cable, main_street, harbour
):
    mia = UserFactory(username="mia", groups=["Managers"])
    units_at(product, main_street, "S-1", "S-2", "S-3")
    StockLevel.objects.create(product=cable, outlet=main_street, on_hand=10)
    transfer = send(
        sam, main_street, harbour, "S-1\nS-2\nS-3", quantities=[TransferQuantity(cable, 4)]
    )
    cable_line = TransferLine.objects.get(transfer=transfer, product=cable)
    transfer_receive(transfer=transfer, text="S-1", quantities={cable_line.pk: 1}, user=sam)
    moves_before = StockMove.objects.count()

    result = transfer_close_short(transfer=transfer, reason="  Lost by the courier ", user=mia)

    assert (result.units, result.quantity) == (2, 3)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CLOSED_SHORT
    assert (transfer.closed_by, transfer.closed_reason) == (mia, "Lost by the courier")
    assert transfer.closed_at is not None
    assert statuses() == {
        "S-1": SerialStatus.IN_STOCK,
        "S-2": SerialStatus.WRITTEN_OFF,
        "S-3": SerialStatus.WRITTEN_OFF,
    }
    event = SerialEvent.objects.filter(serial__serial="S-2").latest("id")
    assert (event.kind, event.note, event.document) == (
        SerialEventKind.WRITTEN_OFF,
        "Lost by the courier",
        transfer,
    )
    cable_line.refresh_from_db()
    assert (cable_line.received, cable_line.never_arrived) == (1, 3)
    # It all left Main Street at Send and never reached Harbour Mall: no stock moves.
    assert StockMove.objects.count() == moves_before
    assert (stock(product, main_street), stock(product, harbour)) == (0, 1)
    assert (stock(cable, main_street), stock(cable, harbour)) == (6, 1)
    written_off = SerialTally.objects.get(
        product=product, outlet=main_street, status=SerialStatus.WRITTEN_OFF
    )
    assert written_off.count == 2
    assert not SerialTally.objects.filter(status=SerialStatus.IN_TRANSIT, count__gt=0).exists()


def test_a_transfer_closed_short_receives_nothing_more_and_cannot_be_closed_again(sent, sam):
    mia = UserFactory(username="mia", groups=["Managers"])
    transfer_close_short(transfer=sent, reason="Lost", user=mia)

    with pytest.raises(ValidationError) as refused:
        transfer_receive(transfer=sent, text="S-1", user=sam)
    assert refused.value.code == "transfer_closed"
    assert "was closed short: nothing more can be received on it." in refused.value.messages[0]
    with pytest.raises(ValidationError) as again:
        transfer_close_short(transfer=sent, reason="Lost", user=mia)
    assert again.value.code == "transfer_closed"
    assert SerialRecord.objects.get(serial="S-4").status == SerialStatus.IN_STOCK


def test_close_short_needs_a_reason_and_a_received_transfer_cannot_be_closed(sent, sam):
    mia = UserFactory(username="mia", groups=["Managers"])
    with pytest.raises(ValidationError) as blank:
        transfer_close_short(transfer=sent, reason="   ", user=mia)
    assert blank.value.error_dict["reason"][0].code == "required"
    sent.refresh_from_db()
    assert sent.status == TransferStatus.IN_TRANSIT
    assert statuses()["S-1"] == SerialStatus.IN_TRANSIT

    transfer_receive(transfer=sent, text="S-1\nS-2\nS-3", user=sam)
    with pytest.raises(ValidationError) as received:
        transfer_close_short(transfer=sent, reason="Lost", user=mia)
    assert received.value.code == "transfer_received"
