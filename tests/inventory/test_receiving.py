"""Receive on a stock order: matching scans to lines, the lists, and recording the units."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Supplier
from catalog.serial_formats import SerialFormat
from inventory.models import (
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockOrderExpected,
    StockOrderStatus,
)
from inventory.services.receiving import (
    ReceiveRejected,
    receive_check,
    stock_order_expected_load,
    stock_order_receive,
)
from inventory.services.serials import SerialsRecordedMeanwhile
from tests.factories import ProductFactory, SerialRecordFactory, UserFactory
from tests.inventory.receive_helpers import line_of, order_with

SILVIA_GTIN = "09506000134352"
KETTLE_GTIN = "09520123456788"

pytestmark = pytest.mark.django_db


@pytest.fixture
def silvia():
    return ProductFactory(name="Rancilio Silvia", sku="RS-1", barcode=SILVIA_GTIN)


@pytest.fixture
def kettle():
    return ProductFactory(name="Bosch Kettle", sku="BK-1", barcode=KETTLE_GTIN)


@pytest.fixture
def filters():
    return ProductFactory(name="Paper filters", sku="PF-1", has_serial_numbers=False)


@pytest.fixture
def staff():
    return UserFactory(username="sam", groups=["Staff"])


def serials(check_list):
    return [entry.serial for entry in check_list]


def test_plain_serials_go_to_the_only_serialised_line(silvia, filters, outlet):
    order = order_with(outlet=outlet, lines=[(silvia, 5), (filters, 10)])

    check = receive_check(order=order, text="A-1, A-2\nA-3")

    assert serials(check.matched) == ["A-1", "A-2", "A-3"]
    assert [(p.line.product.sku, p.received) for p in check.lines] == [("RS-1", 3), ("PF-1", 0)]
    assert not SerialRecord.objects.exists()


def test_plain_serials_on_an_order_of_two_products_need_a_barcode_first(silvia, kettle, outlet):
    order = order_with(outlet=outlet, lines=[(silvia, 5), (kettle, 5)])

    check = receive_check(order=order, text=f"A-1\n{KETTLE_GTIN}\nK-1\nK-2\n{SILVIA_GTIN}\nS-1")

    assert serials(check.not_on_order) == ["A-1"]
    assert check.not_on_order[0].code == "no_product"
    assert "scan the product's barcode first" in check.not_on_order[0].reason
    kettle_line, silvia_line = line_of(order, kettle), line_of(order, silvia)
    assert [(e.serial, e.line_id) for e in check.matched] == [
        ("K-1", kettle_line.pk),
        ("K-2", kettle_line.pk),
        ("S-1", silvia_line.pk),
    ]


def test_a_gs1_scan_names_its_product_and_one_of_another_product_is_not_on_this_order(
    silvia, kettle, outlet
):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])

    check = receive_check(order=order, text=f"(01){SILVIA_GTIN}(21)S-1\n(01){KETTLE_GTIN}(21)K-1")

    assert serials(check.matched) == ["S-1"]
    assert serials(check.not_on_order) == ["K-1"]
    assert "Bosch Kettle (BK-1), which is not on this order" in check.not_on_order[0].reason


def test_serials_after_the_barcode_of_a_product_not_on_the_order_are_not_on_it(
    silvia, kettle, outlet
):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])

    check = receive_check(order=order, text=f"{KETTLE_GTIN}\nK-1\nK-2")

    assert serials(check.not_on_order) == ["K-1", "K-2"]
    assert check.not_on_order[0].reason == "Bosch Kettle (BK-1) is not on this order."
    assert check.matched == []


def test_the_supplier_list_tells_which_line_a_plain_serial_is_on(silvia, kettle, outlet):
    order = order_with(outlet=outlet, lines=[(silvia, 5), (kettle, 5)])
    load = stock_order_expected_load(
        order=order, csv_text="serial,sku\nK-1,BK-1\nS-1,rs-1\nS-2,09506000134352\n"
    )
    assert load.added == 2  # S-2's "SKU" is a barcode, in the SKU column: not a product
    stock_order_expected_load(order=order, csv_text="serial,barcode\nS-2,09506000134352\n")

    check = receive_check(order=order, text="S-2\nK-1\nS-1")

    assert [(e.serial, e.line_id) for e in check.matched] == [
        ("S-2", line_of(order, silvia).pk),
        ("K-1", line_of(order, kettle).pk),
        ("S-1", line_of(order, silvia).pk),
    ]


def test_a_supplier_list_lists_products_not_on_the_order_and_serials_already_recorded(
    silvia, kettle, outlet
):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    SerialRecordFactory(product=silvia, serial="S-OLD")

    load = stock_order_expected_load(
        order=order, csv_text="Serial number,SKU\nS-1,RS-1\nK-1,BK-1\nS-OLD,RS-1\nS-1,RS-1\n"
    )

    assert load.added == 1
    assert load.rows == 4
    assert [(e.serial, e.reason) for e in load.not_on_order] == [
        ("K-1", "“BK-1” is not on this order.")
    ]
    assert serials(load.already_recorded) == ["S-OLD"]
    assert list(StockOrderExpected.objects.values_list("serial", flat=True)) == ["S-1"]


def test_a_supplier_list_without_the_columns_is_refused(silvia, outlet):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])

    with pytest.raises(ValidationError) as raised:
        stock_order_expected_load(order=order, csv_text="number,thing\n1,2\n")

    assert raised.value.code == "bad_header"
    assert not StockOrderExpected.objects.exists()


@pytest.mark.parametrize(
    "text,code",
    [
        ("S-\x00NUL", "unprintable"),
        ("S-\x07BELL", "unprintable"),
        ("S-" + "x" * 100, "too_long"),
        ("(01)1(21)X", "scan_invalid"),
    ],
)
def test_hostile_entries_are_problems_and_never_received(silvia, outlet, staff, text, code):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])

    check = receive_check(order=order, text=text)

    assert [problem.code for problem in check.problems] == [code]
    with pytest.raises(ReceiveRejected):
        stock_order_receive(order=order, text=text, quantities={}, user=staff)
    assert not SerialRecord.objects.exists()


def test_unicode_serials_are_received_as_typed(silvia, outlet, staff):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])

    stock_order_receive(order=order, text="ＦＵＬＬ－１\nсерия-2", quantities={}, user=staff)

    assert list(SerialRecord.objects.order_by("id").values_list("serial", flat=True)) == [
        "ＦＵＬＬ－１",
        "серия-2",
    ]


def test_each_list_names_its_entries(silvia, outlet, main_street, harbour):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    SerialRecordFactory(product=silvia, serial="S-OLD", outlet=harbour)

    check = receive_check(order=order, text="S-1\ns-1\nS-OLD\nS-2")

    assert serials(check.matched) == ["S-1", "S-2"]
    assert serials(check.scanned_twice) == ["s-1"]
    assert check.scanned_twice[0].reason == "Scanned before (entry 1)."
    assert serials(check.already_recorded) == ["S-OLD"]
    assert check.already_recorded[0].reason == (
        "Already recorded for this product at Harbour Mall (In stock)."
    )


def test_receive_records_the_units_in_stock_raises_stock_and_follows_the_order(
    silvia, outlet, staff
):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])

    result = stock_order_receive(order=order, text="S-1\nS-2\nS-2\nS-3", quantities={}, user=staff)

    assert result.units == 3
    units = SerialRecord.objects.order_by("id")
    assert [(u.serial, u.status, u.outlet_id, u.origin, u.arrival_order_id) for u in units] == [
        (s, SerialStatus.IN_STOCK, outlet.pk, SerialEventKind.RECEIVED, order.pk)
        for s in ("S-1", "S-2", "S-3")
    ]
    assert StockLevel.objects.get(product=silvia, outlet=outlet).on_hand == 3
    assert SerialTally.objects.get(product=silvia, outlet=outlet, status="in_stock").count == 3
    order.refresh_from_db()
    assert order.status == StockOrderStatus.PARTLY_RECEIVED
    assert line_of(order, silvia).received == 3


def test_a_part_delivery_leaves_the_rest_open_and_the_last_part_closes_the_order(
    silvia, filters, outlet, staff
):
    order = order_with(outlet=outlet, lines=[(silvia, 2), (filters, 10)])
    filters_line = line_of(order, filters)

    stock_order_receive(order=order, text="S-1", quantities={filters_line.pk: 4}, user=staff)
    order.refresh_from_db()
    assert order.status == StockOrderStatus.PARTLY_RECEIVED
    assert StockLevel.objects.get(product=filters, outlet=outlet).on_hand == 4

    stock_order_receive(order=order, text="S-2", quantities={filters_line.pk: 6}, user=staff)

    order.refresh_from_db()
    assert order.status == StockOrderStatus.RECEIVED
    assert [line.received for line in order.lines.order_by("pk")] == [2, 10]
    assert StockLevel.objects.get(product=filters, outlet=outlet).on_hand == 10
    assert StockLevel.objects.get(product=silvia, outlet=outlet).on_hand == 2
    with pytest.raises(ValidationError) as raised:
        stock_order_receive(order=order, text="S-3", quantities={}, user=staff)
    assert raised.value.code == "order_closed"


def test_more_units_than_ordered_are_refused_for_that_line(silvia, outlet, staff):
    order = order_with(outlet=outlet, lines=[(silvia, 2)])
    stock_order_receive(order=order, text="S-1", quantities={}, user=staff)

    check = receive_check(order=order, text="S-2\nS-3")
    assert serials(check.matched) == ["S-2"]
    assert [(e.serial, e.reason) for e in check.not_on_order] == [
        ("S-3", "All 2 ordered are matched above.")
    ]

    stock_order_receive(order=order, text="S-2\nS-3", quantities={}, user=staff)
    check = receive_check(order=order, text="S-4")
    assert [(e.serial, e.code, e.reason) for e in check.not_on_order] == [
        ("S-4", "over_ordered", "All 2 already received.")
    ]
    assert sorted(SerialRecord.objects.values_list("serial", flat=True)) == ["S-1", "S-2"]


def test_a_quantity_over_what_is_left_is_refused_and_nothing_saved(filters, outlet, staff):
    order = order_with(outlet=outlet, lines=[(filters, 3)])

    with pytest.raises(ValidationError) as raised:
        stock_order_receive(
            order=order, text="", quantities={line_of(order, filters).pk: 4}, user=staff
        )

    assert raised.value.code == "over_ordered"
    assert not StockLevel.objects.filter(product=filters).exists()
    assert line_of(order, filters).received == 0


def test_receiving_the_same_scans_twice_records_each_unit_once(silvia, outlet, staff):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    stock_order_receive(order=order, text="S-1\nS-2", quantities={}, user=staff)

    with pytest.raises(ReceiveRejected) as raised:
        stock_order_receive(order=order, text="S-1\nS-2", quantities={}, user=staff)

    assert raised.value.code == "nothing_to_receive"
    assert [e.reason for e in raised.value.check.already_recorded] == [
        "Received on this order already.",
        "Received on this order already.",
    ]
    assert SerialRecord.objects.count() == 2
    assert StockLevel.objects.get(product=silvia, outlet=outlet).on_hand == 2
    assert line_of(order, silvia).received == 2


def test_a_unit_recorded_between_the_check_and_the_insert_saves_nothing(
    silvia, outlet, staff, monkeypatch
):
    from inventory.services import receiving

    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    real = receiving._recorded

    def blind(**kwargs):
        # The check sees nothing recorded, as when another device inserts just after it.
        real(**kwargs)
        return {}

    SerialRecordFactory(product=silvia, serial="S-2", outlet=outlet)
    monkeypatch.setattr(receiving, "_recorded", blind)

    with pytest.raises(SerialsRecordedMeanwhile):
        stock_order_receive(order=order, text="S-1\nS-2", quantities={}, user=staff)

    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["S-2"]
    assert line_of(order, silvia).received == 0
    order.refresh_from_db()
    assert order.status == StockOrderStatus.SENT


def test_receive_marks_the_supplier_lists_serials_received(silvia, outlet, staff):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    stock_order_expected_load(order=order, csv_text="serial,sku\nS-1,RS-1\nS-2,RS-1\n")

    stock_order_receive(order=order, text="S-1", quantities={}, user=staff)

    assert dict(StockOrderExpected.objects.values_list("serial", "received")) == {
        "S-1": True,
        "S-2": False,
    }


def test_format_problems_are_listed_and_a_manager_may_receive_them_anyway(outlet, staff):
    phone = ProductFactory(name="Phone", sku="PH-1", serial_format=SerialFormat.IMEI)
    manager = UserFactory(username="mia", groups=["Managers"])
    order = order_with(outlet=outlet, lines=[(phone, 5)])

    check = receive_check(order=order, text="490154203237518\nNOT-AN-IMEI")
    assert serials(check.matched) == ["490154203237518"]
    assert [(e.serial, e.code) for e in check.problems] == [("NOT-AN-IMEI", "format")]

    with pytest.raises(PermissionDenied):
        stock_order_receive(
            order=order, text="NOT-AN-IMEI", quantities={}, user=staff, format_confirmed=True
        )
    stock_order_receive(
        order=order, text="NOT-AN-IMEI", quantities={}, user=manager, format_confirmed=True
    )
    assert list(SerialRecord.objects.values_list("serial", flat=True)) == ["NOT-AN-IMEI"]


def test_a_cancelled_order_receives_nothing(silvia, outlet, staff):
    order = order_with(outlet=outlet, lines=[(silvia, 5)], status=StockOrderStatus.CANCELLED)

    with pytest.raises(ValidationError) as raised:
        stock_order_receive(order=order, text="S-1", quantities={}, user=staff)

    assert raised.value.code == "order_closed"
    assert not SerialRecord.objects.exists()


def test_the_check_and_the_receive_cost_the_same_queries_whatever_the_size(
    silvia, kettle, outlet, staff
):
    order = order_with(outlet=outlet, lines=[(silvia, 500), (kettle, 500)])

    def queries(call):
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured)

    small = f"{SILVIA_GTIN}\nA-1\n{KETTLE_GTIN}\nB-1"
    big = f"{SILVIA_GTIN}\n" + "\n".join(f"A-{n}" for n in range(2, 300))
    big += f"\n{KETTLE_GTIN}\n" + "\n".join(f"B-{n}" for n in range(2, 300))
    assert queries(lambda: receive_check(order=order, text=small)) == queries(
        lambda: receive_check(order=order, text=big)
    )
    few = queries(lambda: stock_order_receive(order=order, text=small, quantities={}, user=staff))
    many = queries(lambda: stock_order_receive(order=order, text=big, quantities={}, user=staff))
    assert few == many
    assert SerialRecord.objects.count() == 2 * 299


def test_the_stock_moves_say_received_by_whom_on_which_order(silvia, filters, outlet, staff):
    from django.contrib.contenttypes.models import ContentType

    from inventory.models import StockMove, StockMoveReason, StockOrder

    order = order_with(outlet=outlet, lines=[(silvia, 5), (filters, 10)])

    stock_order_receive(
        order=order, text="S-1\nS-2", quantities={line_of(order, filters).pk: 7}, user=staff
    )

    moves = StockMove.objects.order_by("product_id")
    assert [(m.product_id, m.change, m.on_hand) for m in moves] == [
        (silvia.pk, 2, 2),
        (filters.pk, 7, 7),
    ]
    assert {(m.reason, m.user_id, m.document_type_id, m.document_id) for m in moves} == {
        (
            StockMoveReason.RECEIVED,
            staff.pk,
            ContentType.objects.get_for_model(StockOrder).pk,
            order.pk,
        )
    }


def test_a_supplier_list_names_products_by_supplier_code_and_lists_broken_serials(silvia, outlet):
    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    silvia.supplier, silvia.supplier_code = order.supplier, "ACME-77"
    silvia.save()

    load = stock_order_expected_load(
        order=order,
        csv_text="serial,supplier code\nS-1,acme-77\nS-\x07,ACME-77\n" + "x" * 101 + ",ACME-77\n",
    )

    assert load.added == 1
    assert [problem.code for problem in load.problems] == ["unprintable", "too_long"]
    assert list(StockOrderExpected.objects.values_list("serial", flat=True)) == ["S-1"]


def test_a_supplier_list_does_not_take_another_suppliers_code(silvia, outlet):
    """A product's supplier code is its own supplier's name for it, not this order's."""
    order = order_with(outlet=outlet, lines=[(silvia, 5)])
    silvia.supplier = Supplier.objects.create(name="Other Supply")
    silvia.supplier_code = "ACME-77"
    silvia.save()

    load = stock_order_expected_load(order=order, csv_text="serial,supplier code\nS-1,ACME-77\n")

    assert load.added == 0
    assert [(item.code, item.reason) for item in load.not_on_order] == [
        ("other_product", "“ACME-77” is not on this order.")
    ]
    assert not StockOrderExpected.objects.exists()
