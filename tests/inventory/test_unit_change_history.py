"""What a unit's change leaves in the database: the unit itself and one history line.

Told through the services a clerk's pages call (transfer, mark faulty, reinstate,
write off), which all change units through `inventory.services.serial_state`.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inventory.models import (
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
)
from inventory.services import (
    serial_mark_faulty,
    serial_reinstate,
    serial_write_off,
    serials_transfer,
)
from sales.services import LineInput, sale_create
from tests.factories import OutletFactory, ProductFactory, SerialRecordFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    main, harbour = OutletFactory(name="Main Street"), OutletFactory(name="Harbour Mall")
    product = ProductFactory(name="Barista Pro")
    return main, harbour, product


@pytest.fixture
def clerk():
    return UserFactory(username="sam", password="!")


def counted(product, outlet, status) -> int:
    """The unit count the Stock page and the Dashboard read."""
    row = SerialTally.objects.filter(product=product, outlet=outlet, status=status).first()
    return row.count if row else 0


def history(unit) -> list[SerialEvent]:
    return list(SerialEvent.objects.filter(serial=unit).order_by("id"))


def test_a_transfer_moves_each_unit_and_writes_one_line_naming_both_outlets(shop, clerk):
    main, harbour, product = shop
    units = [SerialRecordFactory(product=product, outlet=main) for _ in range(2)]
    before = {u.pk: u.updated_at for u in units}

    moved = serials_transfer(serials=units, to_outlet=harbour, user=clerk, note="  For the sale ")

    assert moved == 2
    assert counted(product, harbour, SerialStatus.IN_STOCK) == 2
    assert counted(product, main, SerialStatus.IN_STOCK) == 0
    for unit in units:
        unit.refresh_from_db()
        assert (unit.outlet_id, unit.status) == (harbour.pk, SerialStatus.IN_STOCK)
        assert unit.updated_at > before[unit.pk]
        [line] = history(unit)
        assert line.kind == SerialEventKind.TRANSFERRED
        assert (line.from_outlet_id, line.to_outlet_id) == (main.pk, harbour.pk)
        assert (line.from_status, line.to_status) == ("", "")
        assert line.note == "For the sale"
        assert line.user_id == clerk.pk
        assert line.created_at == unit.updated_at
        assert (line.document_type_id, line.document_id) == (None, None)


def test_a_transfer_leaves_units_already_there_as_they_were(shop, clerk):
    main, harbour, product = shop
    here = SerialRecordFactory(product=product, outlet=harbour)
    there = SerialRecordFactory(product=product, outlet=main)
    unchanged_at = here.updated_at

    assert serials_transfer(serials=[here, there], to_outlet=harbour, user=clerk) == 1

    here.refresh_from_db()
    assert here.updated_at == unchanged_at
    assert history(here) == []
    assert SerialRecord.objects.get(pk=there.pk).outlet_id == harbour.pk


def test_marking_faulty_changes_the_status_only_and_says_so(shop, clerk):
    main, _harbour, product = shop
    unit = SerialRecordFactory(product=product, outlet=main)

    serial_mark_faulty(serial=unit, note=" Cracked case ", user=clerk)

    unit.refresh_from_db()
    assert (unit.status, unit.outlet_id) == (SerialStatus.FAULTY, main.pk)
    [line] = history(unit)
    assert line.kind == SerialEventKind.MARKED_FAULTY
    assert (line.from_status, line.to_status) == (SerialStatus.IN_STOCK, SerialStatus.FAULTY)
    assert (line.from_outlet_id, line.to_outlet_id) == (None, None)
    assert line.note == "Cracked case"
    assert line.created_at == unit.updated_at


def test_a_faulty_unit_reinstated_then_written_off_has_each_step_in_order(shop, clerk):
    main, _harbour, product = shop
    unit = SerialRecordFactory(product=product, outlet=main, status=SerialStatus.FAULTY)

    serial_reinstate(serial=unit, note="Repaired", user=clerk)
    serial_write_off(serial=unit, reason="Stolen", user=None)

    unit.refresh_from_db()
    assert unit.status == SerialStatus.WRITTEN_OFF
    assert [(e.kind, e.from_status, e.to_status, e.note, e.user_id) for e in history(unit)] == [
        (
            SerialEventKind.REINSTATED,
            SerialStatus.FAULTY,
            SerialStatus.IN_STOCK,
            "Repaired",
            clerk.pk,
        ),
        (
            SerialEventKind.WRITTEN_OFF,
            SerialStatus.IN_STOCK,
            SerialStatus.WRITTEN_OFF,
            "Stolen",
            None,
        ),
    ]


def test_a_written_off_unit_can_be_neither_reinstated_nor_marked_faulty(shop, clerk):
    main, _harbour, product = shop
    unit = SerialRecordFactory(
        product=product, outlet=main, serial="BP-9", status=SerialStatus.WRITTEN_OFF
    )

    with pytest.raises(ValidationError) as reinstating:
        serial_reinstate(serial=unit, note="Found it", user=clerk)
    with pytest.raises(ValidationError) as marking:
        serial_mark_faulty(serial=unit, note="Broken", user=clerk)

    assert "Written off" in reinstating.value.messages[0]
    assert "Written off" in marking.value.messages[0]
    unit.refresh_from_db()
    assert unit.status == SerialStatus.WRITTEN_OFF
    assert history(unit) == []


def test_a_unit_recorded_at_a_back_dated_sale_is_dated_and_signed_by_that_sale(shop, clerk):
    main, _harbour, product = shop
    sold_at = timezone.now() - timedelta(days=3)

    sale = sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=product, quantity=1, serials=[" bp-new-1 "])],
        clerk=clerk,
        record_new=True,
        at=sold_at,
    )

    unit = SerialRecord.objects.get()
    assert (unit.status, unit.outlet_id) == (SerialStatus.SOLD, main.pk)
    assert (unit.created_at, unit.created_by_id) == (sold_at, clerk.pk)
    assert unit.origin == SerialEventKind.RECORDED_AT_SALE
    [line] = history(unit)
    assert (line.kind, line.from_status, line.to_status) == (
        SerialEventKind.SOLD,
        "",
        SerialStatus.SOLD,
    )
    assert (line.created_at, line.user_id, line.document) == (sold_at, clerk.pk, sale)


def test_selling_a_unit_on_the_shelf_writes_a_sold_line_without_a_note(shop, clerk):
    main, _harbour, product = shop
    unit = SerialRecordFactory(product=product, outlet=main, serial="BP-1")

    sale = sale_create(
        outlet=main,
        customer=None,
        lines=[LineInput(product=product, quantity=1, serials=["BP-1"])],
        clerk=clerk,
    )

    [line] = history(unit)
    assert (line.kind, line.from_status, line.to_status, line.note) == (
        SerialEventKind.SOLD,
        SerialStatus.IN_STOCK,
        SerialStatus.SOLD,
        "",
    )
    assert (line.from_outlet_id, line.to_outlet_id, line.document) == (None, None, sale)
    assert counted(product, main, SerialStatus.SOLD) == 1
