"""Products, suppliers and outlets."""

from django.db.models import QuerySet
from rest_framework import mixins, status
from rest_framework.response import Response

from api.filters.catalog import OutletFilter, ProductFilter, SupplierFilter
from api.serializers.catalog import OutletSerializer, ProductSerializer, SupplierSerializer
from api.views.base import ByIdViewSet
from catalog import services as catalog_services
from catalog.models import Product, Supplier
from catalog.selectors import product_list, supplier_list
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


class SupplierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Supplier]):
    """Catalog > Suppliers. Managers add and change suppliers; Staff read them."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilter
    action_permissions = {
        "list": "catalog.view_supplier",
        "retrieve": "catalog.view_supplier",
        "create": "catalog.add_supplier",
        "update": "catalog.change_supplier",
        "partial_update": "catalog.change_supplier",
    }

    def get_queryset(self) -> QuerySet[Supplier]:
        return supplier_list()

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supplier = catalog_services.supplier_create(**serializer.validated_data)
        return Response(self.get_serializer(supplier).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None):
        return self._change(request, partial=False)

    def partial_update(self, request, pk=None):
        return self._change(request, partial=True)

    def _change(self, request, *, partial: bool) -> Response:
        supplier = self.get_object()
        serializer = self.get_serializer(supplier, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        supplier = catalog_services.supplier_update(supplier=supplier, **serializer.validated_data)
        return Response(self.get_serializer(supplier).data)


class OutletViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ByIdViewSet[Outlet]):
    """Inventory > Outlets (read only: outlets are set up on their page)."""

    serializer_class = OutletSerializer
    filterset_class = OutletFilter
    action_permissions = {"list": "inventory.view_outlet", "retrieve": "inventory.view_outlet"}

    def get_queryset(self) -> QuerySet[Outlet]:
        return outlet_list()
