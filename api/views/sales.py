"""Sales, returns, warranty claims and customers.

Each action calls the service its page calls, with the permission its page
needs; a refusal raises and api.errors answers it with the service's codes.
Every POST that makes something honours an Idempotency-Key: a retry after a
timeout gets the first answer instead of a second sale, return or claim.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.filters.sales import ClaimApiFilter, ReturnApiFilter, SaleApiFilter
from api.idempotency import HEADER, idempotent
from api.serializers.sales import (
    ClaimCreateSerializer,
    ClaimDetailSerializer,
    ClaimSerializer,
    ClaimStatusSerializer,
    CustomerSerializer,
    ReturnCreateSerializer,
    ReturnSerializer,
    SaleCreateSerializer,
    SaleListSerializer,
    SaleSerializer,
)
from api.views.base import ByIdViewSet, valid_data
from sales import selectors, services
from sales.filters import CustomerFilter
from sales.models import ClaimUpdate, Customer, Return, Sale, WarrantyClaim

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Send the same key again to retry: the first answer comes back, nothing twice.",
)


class SaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Sale]):
    """Sales: the list, a sale's page, and New sale."""

    filterset_class = SaleApiFilter
    action_permissions = {
        "list": "sales.view_sale",
        "retrieve": "sales.view_sale",
        "create": "sales.add_sale",
    }

    def get_queryset(self) -> QuerySet[Sale]:
        return selectors.sale_list() if self.action == "list" else selectors.sale_detail_queryset()

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return SaleListSerializer if self.action == "list" else SaleSerializer

    @extend_schema(
        request=SaleCreateSerializer,
        responses={201: SaleSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request: Request) -> Response:
        """Sell at an outlet, attaching each unit by its serial number; all or nothing."""
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(SaleCreateSerializer, request.data)
        sale = services.sale_create(
            outlet=data["outlet"],
            customer=data["customer"],
            lines=[services.LineInput(**line) for line in data["lines"]],
            clerk=request.user,
            record_new=data["record_new"],
            sell_here=data["sell_here"],
            format_confirmed=data["format_confirmed"],
        )
        sale = selectors.sale_detail_queryset().get(pk=sale.pk)
        return Response(SaleSerializer(sale).data, status=status.HTTP_201_CREATED)


class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Return]):
    """Sales > Returns, a return's page, and Return on a sold unit."""

    serializer_class = ReturnSerializer
    filterset_class = ReturnApiFilter
    action_permissions = {
        "list": "sales.view_return",
        "retrieve": "sales.view_return",
        "create": "sales.add_return",
    }

    def get_queryset(self) -> QuerySet[Return]:
        return Return.objects.select_related(
            "sale", "serial__product", "customer", "outlet", "clerk"
        )

    @extend_schema(
        request=ReturnCreateSerializer,
        responses={201: ReturnSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request: Request) -> Response:
        """Take a sold unit back: restock puts it In stock at `outlet`, faulty makes it Faulty."""
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(ReturnCreateSerializer, request.data)
        returned = services.return_create(**data, clerk=request.user)
        returned = self.get_queryset().get(pk=returned.pk)
        return Response(ReturnSerializer(returned).data, status=status.HTTP_201_CREATED)


class WarrantyClaimViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[WarrantyClaim]
):
    """Sales > Warranty claims, a claim's page, Open warranty claim and Update claim."""

    filterset_class = ClaimApiFilter
    action_permissions = {
        "list": "sales.view_warrantyclaim",
        "retrieve": "sales.view_warrantyclaim",
        "create": "sales.add_warrantyclaim",
        # As on the claim's page, whose form posts to the page itself.
        "change_status": ("sales.view_warrantyclaim", "sales.change_warrantyclaim"),
    }

    def get_queryset(self) -> QuerySet[WarrantyClaim]:
        if self.action == "list":
            return selectors.claim_list_queryset()
        updates = ClaimUpdate.objects.select_related("user").order_by("-created_at", "-id")
        updated = Prefetch("updates", queryset=updates)
        return selectors.claim_detail_queryset().prefetch_related(updated)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    def _detail(self, pk: int) -> dict[str, Any]:
        return ClaimDetailSerializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(
        request=ClaimCreateSerializer,
        responses={201: ClaimDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def create(self, request: Request) -> Response:
        """Open a claim on a sold unit, for its customer."""
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(ClaimCreateSerializer, request.data)
        claim = services.claim_open(**data, user=request.user)
        return Response(self._detail(claim.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ClaimStatusSerializer,
        responses=ClaimDetailSerializer,
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"], url_path="status", url_name="status")
    def change_status(self, request: Request, pk: str | None = None) -> Response:
        """Move the claim on, with a note; resolved_replaced sells the replacement at no charge."""
        return idempotent(request, lambda: self._change_status(request))

    def _change_status(self, request: Request) -> Response:
        claim = self.get_object()
        data = valid_data(ClaimStatusSerializer, request.data)
        services.claim_update(
            claim=claim,
            status=data["status"],
            note=data["note"],
            user=request.user,
            # The page's rule for the typed text: a unit of the claim's product, In stock.
            replacement_serial=services.claim_replacement_find(
                claim=claim, status=data["status"], text=data["replacement_serial"] or ""
            ),
        )
        return Response(self._detail(claim.pk))


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Customer]):
    """Sales > Customers: find, add and edit customers."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_permissions = {
        "list": "sales.view_customer",
        "retrieve": "sales.view_customer",
        "create": "sales.add_customer",
        "partial_update": "sales.change_customer",
    }

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customer_list()

    @extend_schema(parameters=[IDEMPOTENCY_KEY], responses={201: CustomerSerializer})
    def create(self, request: Request) -> Response:
        """Add a customer; only the name is required."""
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = valid_data(CustomerSerializer, request.data)
        customer = services.customer_create(**data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a customer's name, email or phone; the fields left out stay."""
        customer = self.get_object()
        serializer = CustomerSerializer(customer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = services.customer_update(
            customer=customer,
            name=data.get("name", customer.name),
            email=data.get("email", customer.email),
            phone=data.get("phone", customer.phone),
        )
        return Response(CustomerSerializer(customer).data)
