"""Supplier returns: read them, Send (create) and a unit's outcome (resolve)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import error
from api.idempotency import idempotent
from api.serializers.supplier_returns import (
    SupplierReturnCreateSerializer,
    SupplierReturnResolveSerializer,
    SupplierReturnSerializer,
)
from api.views.base import ByIdViewSet, valid_data
from inventory.models import SupplierReturn
from inventory.selectors.supplier_returns import supplier_return_list
from inventory.services.supplier_returns import (
    supplier_return_check,
    supplier_return_resolve,
    supplier_return_send,
)


def _queryset() -> QuerySet[SupplierReturn]:
    return supplier_return_list().prefetch_related(
        "units__serial__product", "units__replacement__product"
    )


class SupplierReturnViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[SupplierReturn]
):
    """Inventory > Stock control: supplier returns. Managers send and resolve; Staff read."""

    serializer_class = SupplierReturnSerializer
    action_permissions = {
        "list": "inventory.view_supplierreturn",
        "retrieve": "inventory.view_supplierreturn",
        "create": "inventory.add_supplierreturn",
        "resolve": "inventory.change_supplierreturn",
    }

    def get_queryset(self) -> QuerySet[SupplierReturn]:
        return _queryset()

    @extend_schema(
        request=SupplierReturnCreateSerializer,
        responses={201: SupplierReturnSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def create(self, request: Request) -> Response:
        """Return stock: Send the units to the supplier (Managers); all of them, or none."""
        return idempotent(request, lambda: self._send(request))

    def _send(self, request: Request) -> Response:
        data = valid_data(SupplierReturnCreateSerializer, request.data)
        check = supplier_return_check(outlet=data["outlet"], text="\n".join(data["serials"]))
        # As on the page: a unit scanned twice is sent once; any other problem refuses all.
        if check.problems:
            errors = [
                error(e.code, e.reason, field="serials", entry=e.position, serial=e.serial)
                for e in check.problems
            ]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        sent = supplier_return_send(
            supplier=data["supplier"],
            outlet=data["outlet"],
            serials=check.units,
            reason=data["reason"],
            supplier_reference=data["supplier_reference"],
            note=data["note"],
            user=request.user,
        )
        body = SupplierReturnSerializer(_queryset().get(pk=sent.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SupplierReturnResolveSerializer,
        responses={200: SupplierReturnSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """The supplier's outcome for one unit still at the supplier (Managers)."""
        supplier_return = self.get_object()
        return idempotent(request, lambda: self._resolve(request, supplier_return))

    def _resolve(self, request: Request, supplier_return: SupplierReturn) -> Response:
        data = valid_data(SupplierReturnResolveSerializer, request.data)
        supplier_return_resolve(
            supplier_return=supplier_return,
            unit_id=data["unit"],
            outcome=data["outcome"],
            credit_amount=data["credit_amount"],
            replacement_serial=data["replacement_serial"],
            note=data["note"],
            user=request.user,
        )
        body = SupplierReturnSerializer(_queryset().get(pk=supplier_return.pk)).data
        return Response(body, status=status.HTTP_200_OK)
