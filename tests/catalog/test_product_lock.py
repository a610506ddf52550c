"""The product row lock between turning serial numbers off and adding serials.

A manager's edit and a clerk's batch lock the same product, so they are served
one after the other. Each test holds one side's transaction open with the lock
taken, starts the other side, checks that it waits, then lets the first finish.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Product
from catalog.services import product_update
from inventory.models import SerialRecord
from inventory.services import serials_add
from tests.concurrency import postgresql_only, run_in_thread, waits_for_a_lock
from tests.factories import OutletFactory, ProductFactory, UserFactory

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def product():
    return ProductFactory(name="Barista Pro", has_serial_numbers=True)


def turn_serials_off(product):
    return lambda: product_update(
        product=Product.objects.get(pk=product.pk), has_serial_numbers=False
    )


def add_serials(product):
    outlet, clerk = OutletFactory(name="Main Street"), UserFactory(username="sam")
    return lambda: serials_add(
        product=Product.objects.get(pk=product.pk),
        outlet=outlet,
        entries=["BP-1", "BP-2"],
        user=clerk,
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
        assert second_thread.is_alive()
    finally:
        release.set()
        first_thread.join(timeout=30)
        second_thread.join(timeout=30)
    assert not first_thread.is_alive() and not second_thread.is_alive()
    [first_result], [second_result] = first_results, second_results
    return first_result, second_result


def test_a_batch_being_added_makes_the_turn_off_wait_and_then_refuses_it(product):
    recorded, refused = first_then_second(add_serials(product), turn_serials_off(product))
    assert recorded.count == 2
    assert isinstance(refused, ValidationError), refused
    [error] = refused.error_dict["has_serial_numbers"]
    assert error.code == "serials_in_stock"
    assert "2 serial numbers of this product are In stock" in error.messages[0]
    product.refresh_from_db()
    assert product.has_serial_numbers
    assert SerialRecord.objects.filter(product=product).count() == 2


def test_a_turn_off_in_progress_makes_the_batch_wait_and_then_refuses_it(product):
    updated, refused = first_then_second(turn_serials_off(product), add_serials(product))
    assert updated.has_serial_numbers is False
    assert isinstance(refused, ValidationError), refused
    assert refused.code == "product_not_serialised"
    assert refused.messages == ["Barista Pro does not have serial numbers enabled."]
    product.refresh_from_db()
    assert not product.has_serial_numbers
    assert not SerialRecord.objects.exists()
