"""Stock orders: read them, and Receive on one (Idempotency-Key makes a retry safe)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import error
from api.idempotency import idempotent
from api.serializers.stock_orders import (
    ReceiveResultSerializer,
    ReceiveSerializer,
    StockOrderCreateSerializer,
    StockOrderSerializer,
)
from api.views.base import ByIdViewSet, valid_data
from inventory.models import StockOrder
from inventory.services.receiving import (
    ReceiveEntry,
    ReceiveRejected,
    stock_order_receive,
)
from inventory.services.stock_orders import OrderLineInput, stock_order_create


def _entries(entries: list[ReceiveEntry]) -> list[dict[str, Any]]:
    return [
        {"entry": e.position, "serial": e.serial, "code": e.code, "message": e.reason}
        for e in entries
    ]


def _order(pk: int) -> StockOrder:
    return (
        StockOrder.objects.select_related("supplier", "outlet")
        .prefetch_related("lines__product")
        .get(pk=pk)
    )


class StockOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[StockOrder]):
    """Inventory > Stock control: stock orders. Managers order; Staff read and receive."""

    serializer_class = StockOrderSerializer
    action_permissions = {
        "list": "inventory.view_stockorder",
        "retrieve": "inventory.view_stockorder",
        "create": "inventory.add_stockorder",
        "receive": "inventory.receive_stockorder",
    }

    def get_queryset(self) -> QuerySet[StockOrder]:
        return StockOrder.objects.select_related("supplier", "outlet").prefetch_related(
            "lines__product"
        )

    @extend_schema(request=StockOrderCreateSerializer, responses={201: StockOrderSerializer})
    def create(self, request: Request) -> Response:
        """Order stock: an Open order from a supplier for an outlet (Managers)."""
        data = valid_data(StockOrderCreateSerializer, request.data)
        lines = [
            OrderLineInput(row["product"], row["quantity"], row["cost"]) for row in data["lines"]
        ]
        order = stock_order_create(
            supplier=data["supplier"],
            outlet=data["outlet"],
            reference=data["reference"],
            due=data["due"],
            note=data["note"],
            lines=lines,
            user=request.user,
        )
        body = StockOrderSerializer(_order(order.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ReceiveSerializer,
        responses={201: ReceiveResultSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str | None = None) -> Response:
        """Receive: the matched serials In stock at the order's outlet, quantities on hand."""
        order = self.get_object()
        return idempotent(request, lambda: self._receive(request, order))

    def _receive(self, request: Request, order: StockOrder) -> Response:
        data = valid_data(ReceiveSerializer, request.data)
        quantities: dict[int, int] = {}
        for item in data["quantities"]:
            quantities[item["line"]] = quantities.get(item["line"], 0) + item["quantity"]
        try:
            result = stock_order_receive(
                order=order,
                text="\n".join(data["serials"]),
                quantities=quantities,
                user=request.user,
                format_confirmed=data["format_confirmed"],
            )
        except ReceiveRejected as rejected:
            check = rejected.check
            errors = [error("nothing_to_receive", rejected.message)] + [
                error(e.code, e.reason, field="serials", entry=e.position, serial=e.serial)
                for e in (*check.not_on_order, *check.already_recorded, *check.problems)
            ]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        check = result.check
        body = {
            "order": _order(order.pk),
            "received": result.units,
            "quantity": result.quantity,
            "created_at": result.created_at,
            "not_on_order": _entries(check.not_on_order),
            "already_recorded": _entries(check.already_recorded),
            "scanned_twice": _entries(check.scanned_twice),
            "problems": _entries(check.problems),
        }
        return Response(ReceiveResultSerializer(body).data, status=status.HTTP_201_CREATED)
