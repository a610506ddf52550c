from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from inventory.models import Outlet, StockLevel, StockMove, StockMoveReason
from inventory.services.stock_moves import move_cause
from inventory.sql import MoveCause


def _negative_stock() -> ValidationError:
    return ValidationError(_("Stock on hand cannot be negative."), code="negative_stock")


@transaction.atomic
def stock_set(
    *, product: Product, outlet: Outlet, on_hand: int, user: User | None, note: str = ""
) -> StockLevel:
    """Set the units on hand of a product at an outlet (a stock count), kept as a stock move.

    A count that changes on hand writes a Set by hand `StockMove` (the change,
    on hand after, who, and `note`); one that finds what was there writes none.
    """
    if on_hand < 0:
        raise _negative_stock()
    level, _created = StockLevel.objects.get_or_create(product=product, outlet=outlet)
    # Locked, so a sale's stock change waits for the count instead of interleaving.
    level = StockLevel.objects.select_for_update().get(pk=level.pk)
    previous = level.on_hand
    level.on_hand = on_hand
    level.save(update_fields=["on_hand", "updated_at"])
    _move_write(
        level=level,
        change=on_hand - previous,
        cause=move_cause(reason=StockMoveReason.SET_BY_HAND, user=user, note=note),
    )
    return level


@transaction.atomic
def stock_adjust(
    *,
    product: Product,
    outlet: Outlet,
    delta: int,
    reason: StockMoveReason,
    user: User | None,
    document: models.Model | None = None,
    note: str = "",
) -> StockLevel:
    """Add `delta` (negative to take away) to the units on hand; never below zero.

    The change is a `StockMove` saying `reason`, `user`, `document` and `note`.
    """
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
    _move_write(
        level=level,
        change=delta,
        cause=move_cause(reason=reason, user=user, document=document, note=note),
    )
    return level


def _move_write(*, level: StockLevel, change: int, cause: MoveCause) -> None:
    """The stock move of a change to one stock row made here rather than in `stock_apply`."""
    if not change:
        return
    StockMove.objects.create(
        product_id=level.product_id,
        outlet_id=level.outlet_id,
        change=change,
        on_hand=level.on_hand,
        reason=cause.reason,
        note=cause.note,
        user_id=cause.user_id,
        created_at=level.updated_at,
        document_type_id=cause.document_type_id,
        document_id=cause.document_id,
    )
