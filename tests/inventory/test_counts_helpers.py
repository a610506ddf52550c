"""Inventory counts in tests (helpers, no tests): a count started and scanned via the services."""

from inventory.models import InventoryCount, StockLevel
from inventory.services.counts import count_create, count_scan
from tests.factories import SerialRecordFactory


def count_at(outlet, *, user=None, **scope) -> InventoryCount:
    return count_create(outlet=outlet, name=scope.pop("name", "Shelf count"), user=user, **scope)


def scanned(count, *serials, user=None):
    return count_scan(count=count, entries=list(serials), user=user)


def units(product, outlet, *serials, **fields):
    """Units In stock (or `status`) at `outlet`, on hand counting the In stock ones."""
    made = [
        SerialRecordFactory(product=product, outlet=outlet, serial=s, **fields) for s in serials
    ]
    if fields.get("status", "in_stock") == "in_stock":
        level, _ = StockLevel.objects.get_or_create(product=product, outlet=outlet)
        StockLevel.objects.filter(pk=level.pk).update(on_hand=level.on_hand + len(made))
    return made


def on_hand(product, outlet) -> int:
    level = StockLevel.objects.filter(product=product, outlet=outlet).first()
    return level.on_hand if level else 0
