"""Two devices receive the same scans at once: one unit each, counted once (PostgreSQL)."""

import threading

import pytest
from django.db import transaction

from inventory.models import SerialRecord, StockLevel, StockOrder
from inventory.services.receiving import ReceiveRejected, stock_order_receive
from tests.concurrency import postgresql_only, run_both, run_in_thread, waits_for_a_lock
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.receive_helpers import line_of, order_with

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def receive(order, text, user):
    return lambda: stock_order_receive(
        order=StockOrder.objects.get(pk=order.pk), text=text, quantities={}, user=user
    )


def first_then_second(first, second):
    """Run `first` and hold its transaction open until `second` waits; the results of each."""
    first_results, second_results = [], []
    held, release = threading.Event(), threading.Event()

    def first_holding_its_lock():
        with transaction.atomic():
            result = first()
            held.set()
            assert release.wait(timeout=10)
        return result

    first_thread = run_in_thread(first_holding_its_lock, first_results)
    assert held.wait(timeout=10)
    second_thread = run_in_thread(second, second_results)
    try:
        assert waits_for_a_lock(), "the second did not wait for the first's lock"
    finally:
        release.set()
        first_thread.join(timeout=30)
        second_thread.join(timeout=30)
    [first_result], [second_result] = first_results, second_results
    return first_result, second_result


@pytest.fixture
def shop(roles):
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    outlet = OutletFactory(name="Main Street")
    return product, outlet, UserFactory(username="sam"), UserFactory(username="kim")


def test_the_second_device_waits_for_the_first_and_records_nothing_twice(shop):
    product, outlet, sam, kim = shop
    order = order_with(outlet=outlet, lines=[(product, 5)])

    first, second = first_then_second(
        receive(order, "S-1\nS-2", sam), receive(order, "S-2\nS-1", kim)
    )

    assert first.units == 2
    assert isinstance(second, ReceiveRejected), second
    assert [e.code for e in second.check.already_recorded] == ["received", "received"]
    assert SerialRecord.objects.count() == 2
    assert StockLevel.objects.get(product=product, outlet=outlet).on_hand == 2
    assert line_of(order, product).received == 2


def test_two_orders_of_one_product_receiving_one_serial_record_it_once(shop):
    product, outlet, sam, kim = shop
    one = order_with(outlet=outlet, lines=[(product, 5)])
    other = order_with(outlet=outlet, lines=[(product, 5)])

    results = run_both([receive(one, "S-1\nA-1", sam), receive(other, "S-1\nB-1", kim)])

    received = [r for r in results if not isinstance(r, Exception)]
    assert len(received) == 2
    assert sorted(r.units for r in received) == [1, 2]
    assert SerialRecord.objects.filter(serial="S-1").count() == 1
    assert SerialRecord.objects.count() == 3
    assert StockLevel.objects.get(product=product, outlet=outlet).on_hand == 3
    assert line_of(one, product).received + line_of(other, product).received == 3
