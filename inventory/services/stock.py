import logging
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from inventory.models import Outlet, SerialStatus, StockLevel
from inventory.services.tally import serial_tally_count

logger = logging.getLogger(__name__)


def _negative_stock() -> ValidationError:
    return ValidationError(_("Stock on hand cannot be negative."), code="negative_stock")


@transaction.atomic
def stock_set(*, product: Product, outlet: Outlet, on_hand: int, user: User | None) -> StockLevel:
    """Set the units on hand of a product at an outlet (a stock count)."""
    if on_hand < 0:
        raise _negative_stock()
    level, _created = StockLevel.objects.get_or_create(product=product, outlet=outlet)
    # Locked, so a sale's stock_adjust waits for the count instead of interleaving.
    level = StockLevel.objects.select_for_update().get(pk=level.pk)
    previous = level.on_hand
    level.on_hand = on_hand
    level.save(update_fields=["on_hand", "updated_at"])
    # No stock history model yet: the log keeps who counted what.
    logger.info(
        "Stock of product %s at outlet %s set from %s to %s by %s",
        product.pk,
        outlet.pk,
        previous,
        on_hand,
        getattr(user, "pk", None),
    )
    return level


@transaction.atomic
def stock_adjust(*, product: Product, outlet: Outlet, delta: int) -> StockLevel:
    """Add `delta` (negative to take away) to the units on hand; never below zero."""
    level, _created = StockLevel.objects.get_or_create(product=product, outlet=outlet)
    try:
        # One UPDATE computed by the database: two sales at once both count,
        # and the check constraint refuses the one that would go below zero.
        with transaction.atomic():
            StockLevel.objects.filter(pk=level.pk).update(
                on_hand=F("on_hand") + delta, updated_at=timezone.now()
            )
    except IntegrityError as error:
        raise _negative_stock() from error
    level.refresh_from_db()
    return level


class StockMove(NamedTuple):
    """A change of one product's units on hand at one outlet, caused by its units moving."""

    product_id: int
    outlet_id: int
    delta: int


class UnrecordedLeave(StockMove):
    """Units first recorded as they left the shelf (a sale's Record as new); `delta` < 0.

    They may have stood among the units counted without a serial (stock from
    before serial numbers), or never have been counted at all; so they come off
    only what the outlet counts beyond its In stock serials.
    """

    __slots__ = ()


@transaction.atomic
def stock_follow_units(*, moves: Iterable[tuple[int, int, int]]) -> None:
    """Apply the stock changes caused by serialised units moving, once per product and outlet.

    A transfer or write-off of an In stock unit is a physical unit leaving one
    shelf (and arriving on another), so the counts follow. A count already
    lower than the serials say stays at zero rather than refusing the move of a
    real unit; the serial coverage report shows such mismatches. Units recorded
    as they left (`UnrecordedLeave`) come off only the units counted without a
    serial, so they never take on hand below the In stock serials.
    """
    totals: Counter[tuple[int, int]] = Counter()
    unrecorded: Counter[tuple[int, int]] = Counter()
    for move in moves:
        product_id, outlet_id, delta = move
        if isinstance(move, UnrecordedLeave):
            unrecorded[(product_id, outlet_id)] -= delta
        else:
            totals[(product_id, outlet_id)] += delta
    now = timezone.now()
    # Rows are updated in (product, outlet) order so two transfers in opposite
    # directions lock them in the same order and cannot deadlock.
    for product_id, outlet_id in sorted(totals.keys() | unrecorded.keys()):
        delta, leaving = totals[(product_id, outlet_id)], unrecorded[(product_id, outlet_id)]
        if delta == 0 and leaving == 0:
            continue
        StockLevel.objects.get_or_create(product_id=product_id, outlet_id=outlet_id)
        rows = StockLevel.objects.filter(product_id=product_id, outlet_id=outlet_id)
        if not leaving:
            rows.update(on_hand=Greatest(F("on_hand") + delta, Value(0)), updated_at=now)
            continue
        # Locked first, so the In stock count read next is the one this row
        # goes with: every change of In stock units updates this row first.
        level = rows.select_for_update().get()
        after = max(level.on_hand + delta, 0)
        counted_without_serial = after - serial_tally_count(
            key=(product_id, outlet_id, SerialStatus.IN_STOCK)
        )
        after -= min(leaving, max(counted_without_serial, 0))
        rows.update(on_hand=after, updated_at=now)
