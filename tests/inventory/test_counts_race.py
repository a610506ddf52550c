"""Devices scanning one count at once, and a scan during Apply (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.models import InventoryCount, InventoryCountStatus
from inventory.services.counts import count_apply, count_scan
from tests.concurrency import postgresql_only, run_in_thread, waits_for_a_lock
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.test_counts_helpers import count_at, units

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(roles):
    outlet = OutletFactory(name="Main Street")
    product = ProductFactory(name="Rancilio Silvia", sku="RS-1")
    units(product, outlet, *(f"SN-{n:03d}" for n in range(60)))
    return outlet, product


def scan(count, serials, user):
    return lambda: count_scan(
        count=InventoryCount.objects.get(pk=count.pk), entries=serials, user=user
    )


def test_two_devices_scanning_the_same_serials_at_once_count_each_once(shop):
    outlet, _product = shop
    count = count_at(outlet)
    sam, kim = UserFactory(username="sam"), UserFactory(username="kim")
    serials = [f"SN-{n:03d}" for n in range(60)]
    start = threading.Event()
    results: list = []
    threads = [
        run_in_thread(scan(count, serials, sam), results, start),
        run_in_thread(scan(count, list(reversed(serials)), kim), results, start),
    ]
    start.set()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 2, results
    assert not [r for r in results if isinstance(r, ValidationError)]
    rows = list(count.scans.values_list("serial", "repeats"))
    assert len(rows) == 60
    assert {repeats for _serial, repeats in rows} == {1}
    # Each serial was new to exactly one of the two devices.
    counted = [sum(1 for r in result if r.verdict == "counted") for result in results]
    assert sum(counted) == 60


def test_a_scan_during_apply_waits_and_is_then_refused(shop):
    outlet, _product = shop
    count = count_at(outlet)
    count_scan(count=count, entries=["SN-000"], user=None)
    mia = UserFactory(username="mia", groups=["Managers"])
    held, release = threading.Event(), threading.Event()
    applied: list = []
    scanned: list = []

    def apply_holding_the_lock():
        with transaction.atomic():
            result = count_apply(count=InventoryCount.objects.get(pk=count.pk), user=mia)
            held.set()
            assert release.wait(timeout=10)
        return result

    first = run_in_thread(apply_holding_the_lock, applied)
    assert held.wait(timeout=10)
    second = run_in_thread(scan(count, ["SN-001"], None), scanned)
    try:
        assert waits_for_a_lock(), "the scan did not wait for Apply's lock on the count"
    finally:
        release.set()
        first.join(timeout=30)
        second.join(timeout=30)

    [refused] = scanned
    assert isinstance(refused, ValidationError)
    assert refused.code == "count_closed"
    assert list(count.scans.values_list("serial", flat=True)) == ["SN-000"]
    count.refresh_from_db()
    assert count.status == InventoryCountStatus.APPLIED
