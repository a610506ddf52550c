"""Inventory counts: read them, start one, scan into it, count quantities, Apply.

The same services and rules as Inventory > Inventory counts: Staff start and scan,
Managers apply (Idempotency-Key makes a retried Apply safe).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.idempotency import idempotent
from api.serializers.counts import (
    CountAppliedSerializer,
    CountApplySerializer,
    CountCreateSerializer,
    CountQuantityResultSerializer,
    CountQuantitySerializer,
    CountScansResultSerializer,
    CountScansSerializer,
    InventoryCountDetailSerializer,
    InventoryCountSerializer,
)
from api.views.base import ByIdViewSet, valid_data
from inventory.models import InventoryCount
from inventory.selectors.counts import count_lists
from inventory.services.counts import (
    count_apply,
    count_create,
    count_quantity_set,
    count_scan,
)


def _totals(count: InventoryCount) -> dict[str, int]:
    lists = count_lists(count, cap=0)
    return {
        "counted": lists.counted.total,
        "expected": lists.expected.total,
        "elsewhere": lists.elsewhere.total,
        "not_recorded": lists.not_recorded.total,
        "scanned_twice": lists.scanned_twice.total,
    }


def _detail(count: InventoryCount) -> dict[str, Any]:
    body = InventoryCountSerializer(count).data
    return {**body, "lists": _totals(count)}


class InventoryCountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[InventoryCount]
):
    """Inventory > Inventory counts. Staff start counts and scan; Managers apply them."""

    serializer_class = InventoryCountSerializer
    action_permissions = {
        "list": "inventory.view_inventorycount",
        "retrieve": "inventory.view_inventorycount",
        "create": "inventory.add_inventorycount",
        "scans": "inventory.count_inventorycount",
        "quantities": "inventory.count_inventorycount",
        "apply": "inventory.apply_inventorycount",
    }

    def get_queryset(self) -> QuerySet[InventoryCount]:
        return InventoryCount.objects.select_related(
            "outlet", "product", "created_by", "applied_by"
        ).order_by("-created_at", "-id")

    @extend_schema(responses={200: InventoryCountDetailSerializer})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        """One count, with how many each of its running lists holds."""
        return Response(_detail(self.get_object()))

    @extend_schema(request=CountCreateSerializer, responses={201: InventoryCountDetailSerializer})
    def create(self, request: Request) -> Response:
        """New count at an outlet: of a product, of a brand, or of everything."""
        data = valid_data(CountCreateSerializer, request.data)
        count = count_create(
            outlet=data["outlet"],
            name=data["name"],
            product=data["product"],
            brand=data["brand"],
            user=request.user,
        )
        return Response(_detail(self.get_queryset().get(pk=count.pk)), status=201)

    @extend_schema(request=CountScansSerializer, responses={200: CountScansResultSerializer})
    @action(detail=True, methods=["post"])
    def scans(self, request: Request, pk: str | None = None) -> Response:
        """Scan serials into the count: what became of each, and the lists' totals."""
        count = self.get_object()
        data = valid_data(CountScansSerializer, request.data)
        results = count_scan(count=count, entries=data["serials"], user=request.user)
        body = {
            "results": [
                {"entry": n, "serial": r.serial, "verdict": r.verdict, "message": r.message}
                for n, r in enumerate(results, start=1)
            ],
            "lists": _totals(count),
        }
        return Response(CountScansResultSerializer(body).data)

    @extend_schema(request=CountQuantitySerializer, responses={200: CountQuantityResultSerializer})
    @action(detail=True, methods=["post"])
    def quantities(self, request: Request, pk: str | None = None) -> Response:
        """How many units of a product without serial numbers were counted (last wins)."""
        count = self.get_object()
        data = valid_data(CountQuantitySerializer, request.data)
        saved = count_quantity_set(
            count=count, product=data["product"], counted=data["counted"], user=request.user
        )
        body = {"product": saved.product, "counted": saved.counted}
        return Response(CountQuantityResultSerializer(body).data)

    @extend_schema(
        request=CountApplySerializer,
        responses={200: CountAppliedSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        """Apply: write off, transfer here and record as chosen; on hand set from the count."""
        count = self.get_object()
        return idempotent(request, lambda: self._apply(request, count))

    def _apply(self, request: Request, count: InventoryCount) -> Response:
        data = valid_data(CountApplySerializer, request.data)
        result = count_apply(
            count=count,
            user=request.user,
            write_off=data["write_off"],
            write_off_all=data["write_off_all"],
            transfer=data["transfer"],
            record={
                row["scan"].pk: row["product"].pk if row["product"] else None
                for row in data["record"]
            },
        )
        body = {
            "count": self.get_queryset().get(pk=count.pk),
            "written_off": result.written_off,
            "transferred": result.transferred,
            "recorded": result.recorded,
            "stock_changes": result.stock_changes,
            "left": result.left_count,
        }
        return Response(CountAppliedSerializer(body).data, status=status.HTTP_200_OK)
