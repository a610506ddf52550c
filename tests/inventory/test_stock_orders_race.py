"""Two Managers act on one stock order at once from pages showing it Open (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.models import StockOrder, StockOrderStatus
from inventory.services.receiving import stock_order_receive
from inventory.services.stock_orders import (
    OrderLineInput,
    stock_order_cancel,
    stock_order_create,
    stock_order_send,
)
from tests.concurrency import postgresql_only, run_in_thread, waits_for_a_lock
from tests.factories import OutletFactory, ProductFactory, SupplierFactory

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def first_then_second(first, second):
    """Run `first` holding its transaction until `second` waits for its lock; both results."""
    first_results: list = []
    second_results: list = []
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
def order(roles):
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    return stock_order_create(
        supplier=SupplierFactory(name="Acme"),
        outlet=OutletFactory(name="Main Street"),
        lines=[OrderLineInput(product=product, quantity=3, cost=Decimal("1"))],
        user=None,
    )


def stale(order):
    """The order as a page opened before either action read it (Open)."""
    return StockOrder.objects.get(pk=order.pk)


def test_mark_as_sent_waits_for_a_cancel_and_is_refused(order):
    shown_a, shown_b = stale(order), stale(order)
    cancelled, sent = first_then_second(
        lambda: stock_order_cancel(order=shown_a, user=None),
        lambda: stock_order_send(order=shown_b, user=None),
    )
    assert cancelled.status == StockOrderStatus.CANCELLED
    assert isinstance(sent, ValidationError) and sent.code == "status_changed"
    assert StockOrder.objects.get().status == StockOrderStatus.CANCELLED


def test_cancel_waits_for_a_receive_and_is_refused(order):
    shown = stale(order)
    received, cancelled = first_then_second(
        lambda: stock_order_receive(order=stale(order), text="S-1", quantities={}, user=None),
        lambda: stock_order_cancel(order=shown, user=None),
    )
    assert not isinstance(received, ValidationError)
    assert isinstance(cancelled, ValidationError) and cancelled.code == "status_changed"
    assert StockOrder.objects.get().status == StockOrderStatus.PARTLY_RECEIVED
