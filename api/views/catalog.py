"""Products and outlets."""

from django.db.models import QuerySet
from rest_framework import mixins, status
from rest_framework.response import Response

from api.filters.catalog import OutletFilter, ProductFilter
from api.serializers.catalog import OutletSerializer, ProductSerializer
from api.views.base import ByIdViewSet
from catalog import services as catalog_services
from catalog.models import Product
from catalog.selectors import product_list
from inventory.models import Outlet
from inventory.selectors.outlets import outlet_list


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Product]):
    """Catalog > Products. Managers add and change products, "Has serial numbers" included."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    action_permissions = {
        "list": "catalog.view_product",
        "retrieve": "catalog.view_product",
        "create": "catalog.add_product",
        "update": "catalog.change_product",
        "partial_update": "catalog.change_product",
    }

    def get_queryset(self) -> QuerySet[Product]:
        return product_list()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = catalog_services.product_create(**serializer.validated_data)
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        return self._change(request, partial=False)

    def partial_update(self, request, pk=None):
        return self._change(request, partial=True)

    def _change(self, request, *, partial: bool) -> Response:
        product = self.get_object()
        serializer = self.get_serializer(product, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        product = catalog_services.product_update(product=product, **serializer.validated_data)
        return Response(self.get_serializer(product).data)


class OutletViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Outlet]):
    """Inventory > Outlets (read only: outlets are set up on their page)."""

    serializer_class = OutletSerializer
    filterset_class = OutletFilter
    action_permissions = {"list": "inventory.view_outlet", "retrieve": "inventory.view_outlet"}

    def get_queryset(self) -> QuerySet[Outlet]:
        return outlet_list()
