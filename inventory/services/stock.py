import logging

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from inventory.models import Outlet, StockLevel

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
