from django.urls import path

from sales.views import claims, customers, new_sale, returns, sales

app_name = "sales"

urlpatterns = [
    path("claims/", claims.ClaimListView.as_view(), name="claim_list"),
    path("claims/new/<int:serial_pk>/", claims.ClaimCreateView.as_view(), name="claim_create"),
    path("claims/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim_detail"),
    path(
        "claims/<int:pk>/replacement-options/",
        claims.claim_replacement_options_view,
        name="claim_replacement_options",
    ),
    path("returns/", returns.ReturnListView.as_view(), name="return_list"),
    path("returns/<int:pk>/", returns.ReturnDetailView.as_view(), name="return_detail"),
    path("returns/new/<int:serial_pk>/", returns.ReturnCreateView.as_view(), name="return_create"),
    path("", sales.SaleListView.as_view(), name="sale_list"),
    path("export.csv", sales.sale_export, name="sale_export"),
    path("new/", new_sale.SaleCreateView.as_view(), name="sale_create"),
    path("<int:pk>/", new_sale.SaleDetailView.as_view(), name="sale_detail"),
    path("<int:pk>/receipt/", new_sale.sale_receipt, name="sale_receipt"),
    path("product-options/", new_sale.product_options, name="product_options"),
    path("serial-options/", new_sale.serial_options, name="serial_options"),
    path("customers/", customers.CustomerListView.as_view(), name="customer_list"),
    path("customers/add/", customers.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/options/", new_sale.customer_options, name="customer_options"),
    path("customers/<int:pk>/", customers.CustomerDetailView.as_view(), name="customer_detail"),
    path(
        "customers/<int:pk>/edit/",
        customers.CustomerUpdateView.as_view(),
        name="customer_update",
    ),
]
