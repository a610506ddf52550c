"""Two users saving at once: one supplier name, one supplier code per supplier (PostgreSQL).

A supplier code has no unique index (it is the service's rule), so the service
locks the supplier's row: a second product saved with the same code for that
supplier waits for the first, then sees its code and is refused.
"""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog import selectors
from catalog.models import Product, Supplier
from catalog.services import product_create, supplier_create
from tests.concurrency import (
    hold_after,
    postgresql_only,
    run_both,
    run_in_thread,
    waits_for_a_lock,
)
from tests.factories import SupplierFactory

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def create_with_code(supplier: Supplier, sku: str):
    return lambda: product_create(
        name=f"Grinder {sku}",
        sku=sku,
        retail_price=Decimal("10"),
        supplier=supplier,
        supplier_code="CG-77",
    )


def test_a_second_product_with_the_same_supplier_code_waits_and_is_refused():
    supplier = SupplierFactory(name="Coffee Gear")
    first_results: list = []
    second_results: list = []
    held, release = threading.Event(), threading.Event()

    def first_holding_its_lock():
        with transaction.atomic():
            result = create_with_code(supplier, "G-1")()
            held.set()
            assert release.wait(timeout=10)
        return result

    first = run_in_thread(first_holding_its_lock, first_results)
    assert held.wait(timeout=10)
    second = run_in_thread(create_with_code(supplier, "G-2"), second_results)
    try:
        assert waits_for_a_lock(), "the second save did not wait for the supplier's lock"
    finally:
        release.set()
        first.join(timeout=10)
        second.join(timeout=10)
    assert isinstance(first_results[0], Product)
    [refused] = second_results
    assert isinstance(refused, ValidationError)
    assert [e.code for e in refused.error_dict["supplier_code"]] == ["supplier_code_taken"]
    assert list(Product.objects.values_list("sku", flat=True)) == ["G-1"]


def test_two_suppliers_added_at_once_with_one_name_make_one(monkeypatch):
    # Both pass the "name taken" check before either saves: the unique index decides.
    hold_after(monkeypatch, selectors, "supplier_name_taken")
    results = run_both(
        [lambda: supplier_create(name="Coffee Gear"), lambda: supplier_create(name="COFFEE GEAR")]
    )
    saved = [result for result in results if isinstance(result, Supplier)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(saved) == 1 and len(refused) == 1
    assert [e.code for e in refused[0].error_dict["name"]] == ["supplier_name_taken"]
    assert Supplier.objects.count() == 1
