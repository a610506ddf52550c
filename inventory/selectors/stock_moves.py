"""Stock history reads: a product's stock moves, newest first, a page at a time."""

from dataclasses import dataclass

from django.db.models import Q

from catalog.models import Product
from inventory.models import StockMove

# Moves the product page shows at once; older ones are an "Older" link away.
STOCK_MOVES_PAGE_SIZE = 50


@dataclass(frozen=True)
class StockMovePage:
    """Some of a product's stock moves, newest first.

    `older_than` is the id of the last move shown, to ask for the next (older)
    page with; None when no older move is left.
    """

    moves: list[StockMove]
    older_than: int | None
    is_newest: bool


def product_stock_moves(
    *, product: Product, older_than: int | None = None, size: int = STOCK_MOVES_PAGE_SIZE
) -> StockMovePage:
    """`size` of the product's stock moves at every outlet, newest first, after `older_than`.

    Pages follow (created_at, id), so moves sharing a timestamp are neither
    skipped nor repeated. Each move comes with its outlet, user and document
    (one query per kind of document on the page). Raises StockMove.DoesNotExist
    when `older_than` is not one of this product's moves.
    """
    rows = StockMove.objects.filter(product=product).order_by("-created_at", "-id")
    if older_than is not None:
        at, pk = rows.values_list("created_at", "pk").get(pk=older_than)
        rows = rows.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    moves = list(rows.select_related("outlet", "user").prefetch_related("document")[: size + 1])
    more = len(moves) > size
    moves = moves[:size]
    return StockMovePage(
        moves=moves,
        older_than=moves[-1].pk if more else None,
        is_newest=older_than is None,
    )
