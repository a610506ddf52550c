from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from inventory.views.products import ProductDetailView
from reports.views import dashboard
from sales.views.serials import SerialDeleteView, SerialDetailView, serial_lookup

urlpatterns = [
    # The Dashboard reads every app, so it lives in the highest, reports.
    path("", dashboard.dashboard, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-tokens/", include("api.urls_tokens")),
    path("catalog/", include("catalog.urls")),
    # Catalog data with stock and serials: an inventory view (catalog <- inventory).
    path("catalog/products/<int:pk>/", ProductDetailView.as_view(), name="product_detail"),
    # A unit with its sale, customer and warranty: sales views (inventory <- sales).
    path("inventory/serials/lookup/", serial_lookup, name="serial_lookup"),
    path("inventory/serials/<int:pk>/", SerialDetailView.as_view(), name="serial_detail"),
    path("inventory/serials/<int:pk>/delete/", SerialDeleteView.as_view(), name="serial_delete"),
    path("inventory/", include("inventory.urls")),
    path("sales/", include("sales.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include(("api.urls", "api"))),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
