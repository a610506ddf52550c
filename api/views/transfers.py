"""Transfers: read them, Send one (create), Receive on one (Idempotency-Key makes a
retry safe), and close one short."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import error
from api.idempotency import idempotent
from api.serializers.transfers import (
    TransferCloseSerializer,
    TransferCreateSerializer,
    TransferReceiveResultSerializer,
    TransferReceiveSerializer,
    TransferSerializer,
)
from api.views.base import ByIdViewSet, valid_data
from inventory.models import Transfer, TransferLine, TransferUnit
from inventory.services.transfers import (
    TransferEntry,
    TransferQuantity,
    TransferReceiveRejected,
    TransferRefused,
    transfer_close_short,
    transfer_receive,
    transfer_send,
)

# The service's field names, as this API names them.
_FIELDS = {"serial_numbers": "serials", "lines": "lines", "to_outlet": "to_outlet", "note": "note"}


def _entries(entries: list[TransferEntry]) -> list[dict[str, Any]]:
    return [
        {"entry": e.position or 0, "serial": e.serial, "code": e.code, "message": e.reason}
        for e in entries
    ]


def _transfers() -> QuerySet[Transfer]:
    return Transfer.objects.select_related(
        "from_outlet", "to_outlet", "created_by", "closed_by"
    ).prefetch_related(
        Prefetch("lines", queryset=TransferLine.objects.select_related("product").order_by("id")),
        Prefetch("units", queryset=TransferUnit.objects.select_related("serial").order_by("id")),
    )


class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Transfer]):
    """Inventory > Stock control: transfers between outlets. Staff send and receive them."""

    serializer_class = TransferSerializer
    action_permissions = {
        "list": "inventory.view_transfer",
        "retrieve": "inventory.view_transfer",
        "create": "inventory.add_transfer",
        "receive": "inventory.receive_transfer",
        "close": "inventory.close_transfer",
    }

    def get_queryset(self) -> QuerySet[Transfer]:
        return _transfers().order_by("-created_at", "-id")

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer})
    def create(self, request: Request) -> Response:
        """Send: the units In transit from From, the quantities off its on hand."""
        data = valid_data(TransferCreateSerializer, request.data)
        try:
            result = transfer_send(
                from_outlet=data["from_outlet"],
                to_outlet=data["to_outlet"],
                text="\n".join(data["serials"]),
                quantities=[
                    TransferQuantity(row["product"], row["quantity"]) for row in data["lines"]
                ],
                note=data["note"],
                user=request.user,
            )
        except TransferRefused as refused:
            return Response({"errors": _refusal(refused)}, status=status.HTTP_400_BAD_REQUEST)
        body = TransferSerializer(_transfers().get(pk=result.transfer.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=TransferReceiveSerializer,
        responses={201: TransferReceiveResultSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: str | None = None) -> Response:
        """Receive: matched units In stock at To, quantities on its on hand."""
        transfer = self.get_object()
        return idempotent(request, lambda: self._receive(request, transfer))

    def _receive(self, request: Request, transfer: Transfer) -> Response:
        data = valid_data(TransferReceiveSerializer, request.data)
        quantities: dict[int, int] = {}
        for item in data["quantities"]:
            quantities[item["line"]] = quantities.get(item["line"], 0) + item["quantity"]
        try:
            result = transfer_receive(
                transfer=transfer,
                text="\n".join(data["serials"]),
                quantities=quantities,
                user=request.user,
            )
        except TransferReceiveRejected as rejected:
            errors = [error("nothing_to_receive", rejected.message)] + [
                error(e.code, e.reason, field="serials", entry=e.position, serial=e.serial)
                for e in rejected.check.unexpected
            ]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        check = result.check
        body = {
            "transfer": _transfers().get(pk=transfer.pk),
            "received": result.units,
            "quantity": result.quantity,
            "missing": [
                {"serial_number": e.unit_id, "serial": e.serial, "product": e.product}
                for e in check.missing
            ],
            "unexpected": _entries(check.unexpected),
            "scanned_twice": _entries(check.scanned_twice),
        }
        return Response(TransferReceiveResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferCloseSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close short: units still In transit written off, quantities kept as never arrived."""
        transfer = self.get_object()
        data = valid_data(TransferCloseSerializer, request.data)
        transfer_close_short(transfer=transfer, reason=data["reason"], user=request.user)
        return Response(TransferSerializer(_transfers().get(pk=transfer.pk)).data)


def _refusal(refused: TransferRefused) -> list[dict[str, Any]]:
    """Every problem of a refused Send: each refused entry with its position, then the rest."""
    found = [
        error(e.code, e.reason, field="serials", entry=e.position, serial=e.serial)
        for e in refused.problems
    ]
    for name, errors in refused.error_dict.items():
        if name == "serial_numbers" and refused.problems:
            continue
        for item in errors:
            for message in item.messages:
                found.append(error(item.code or "invalid", message, field=_FIELDS.get(name, name)))
    return found
