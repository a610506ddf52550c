from django.urls import path

from reports.views import coverage

app_name = "reports"

urlpatterns = [
    path("coverage/", coverage.coverage, name="coverage"),
    path("coverage/threshold/", coverage.threshold_set, name="threshold_set"),
    path(
        "coverage/products/<int:pk>/enable-serial-numbers/",
        coverage.product_serial_numbers_enable_view,
        name="product_serial_numbers_enable",
    ),
    path("coverage/high-value.csv", coverage.high_value_export, name="high_value_export"),
    path(
        "coverage/stock-without-serials.csv",
        coverage.stock_without_serials_export,
        name="stock_without_serials_export",
    ),
    path(
        "coverage/serials-without-stock.csv",
        coverage.serials_without_stock_export,
        name="serials_without_stock_export",
    ),
]
