"""Reads of Inventory > Stock control and of the order page."""

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Coalesce

from inventory.models import StockOrder, StockOrderLine


def stock_order_list() -> QuerySet[StockOrder]:
    """Every stock order, newest first, with its supplier, outlet and line totals.

    One query per page whatever the number of orders: the totals are aggregates
    over the one join to the lines.
    """
    return (
        StockOrder.objects.select_related("supplier", "outlet")
        .annotate(
            line_count=Count("lines"),
            units_ordered=Coalesce(Sum("lines__quantity"), 0),
            units_received=Coalesce(Sum("lines__received"), 0),
        )
        .order_by("-created_at", "-id")
    )


def stock_order_detail(pk: int) -> StockOrder:
    """One order with its supplier, outlet and who ordered it (the order page)."""
    return StockOrder.objects.select_related("supplier", "outlet", "created_by").get(pk=pk)


def stock_order_lines(order: StockOrder) -> QuerySet[StockOrderLine]:
    """The order's lines in the order they were typed, each with its product and line total."""
    line_total = ExpressionWrapper(
        F("quantity") * F("cost"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    return (
        StockOrderLine.objects.filter(order=order)
        .select_related("product")
        .annotate(total=line_total)
        .order_by("id")
    )


def stock_order_total(lines: list[StockOrderLine]) -> Decimal:
    """What the order costs: Quantity x Cost over its lines."""
    return sum((line.quantity * line.cost for line in lines), Decimal("0.00"))
