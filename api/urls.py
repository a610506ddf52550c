"""/api/v1/: the REST API, its OpenAPI schema and its docs page."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required, permission_required
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import routers

from api.permissions import API_READ
from api.views.base import ApiViewMixin
from api.views.catalog import OutletViewSet, ProductViewSet, SupplierViewSet
from api.views.counts import InventoryCountViewSet
from api.views.sales import (
    CustomerViewSet,
    ReturnViewSet,
    SaleViewSet,
    WarrantyClaimViewSet,
)
from api.views.serials import SerialLookupView, SerialViewSet
from api.views.stock_orders import StockOrderViewSet
from api.views.supplier_returns import SupplierReturnViewSet
from api.views.transfers import TransferViewSet

# The docs page's template (drf-spectacular's swagger_ui.html) holds one inline
# <style> of three rules; the app's policy allows no inline style, so this page
# allows that one by its hash, and nothing else. The split view already serves
# its script from a URL, so no script needs an exception. An upgrade that changes
# the style is caught by tests/api/test_schema.py (the hash must match the page).
SWAGGER_UI_STYLE = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"


class ApiRootView(ApiViewMixin, routers.APIRootView):
    """Serialdesk's API: follow a link to a resource."""

    action_permissions = {"get": API_READ}


class ApiDocsView(SpectacularSwaggerSplitView):
    """The docs page; `permission_required` names its permission on the 403 page."""

    permission_required = API_READ


class Router(routers.DefaultRouter):
    APIRootView = ApiRootView
    # No /products.json/ or /serial-numbers/1.json/: an answer's format comes from
    # Accept or ?format=, so every endpoint has one address (docs/decisions.md).
    include_format_suffixes = False


router = Router()
router.register("products", ProductViewSet, basename="product")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("outlets", OutletViewSet, basename="outlet")
router.register("serial-numbers", SerialViewSet, basename="serial")
router.register("sales", SaleViewSet, basename="sale")
router.register("returns", ReturnViewSet, basename="return")
router.register("warranty-claims", WarrantyClaimViewSet, basename="claim")
router.register("customers", CustomerViewSet, basename="customer")
router.register("stock-orders", StockOrderViewSet, basename="stockorder")
router.register("inventory-counts", InventoryCountViewSet, basename="inventorycount")
router.register("supplier-returns", SupplierReturnViewSet, basename="supplierreturn")
router.register("transfers", TransferViewSet, basename="transfer")

urlpatterns = [
    path("", include(router.urls)),
    path("lookup/", SerialLookupView.as_view(), name="lookup"),
    # A script may fetch the schema with its token; an anonymous call gets 401 JSON,
    # a user in no group 403 (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]).
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    # The docs page is a page like the others: a signed-in user, or the login page
    # (DRF exempts its views from the login-required middleware); without the role,
    # the 403 page.
    path(
        "docs/",
        csp_update({"style-src": [SWAGGER_UI_STYLE]})(
            login_required(
                permission_required(API_READ, raise_exception=True)(
                    ApiDocsView.as_view(url_name="api:schema")
                )
            )
        ),
        name="docs",
    ),
]
