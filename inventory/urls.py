from django.urls import path

from inventory.views import counts as count_views
from inventory.views import (
    jobs,
    labels,
    outlets,
    receiving,
    serial_changes,
    serials,
    stock,
    stock_orders,
    supplier_returns,
)
from inventory.views import transfers as transfer_views

app_name = "inventory"

urlpatterns = [
    path("outlets/", outlets.OutletListView.as_view(), name="outlet_list"),
    path("outlets/add/", outlets.OutletCreateView.as_view(), name="outlet_create"),
    path("outlets/<int:pk>/edit/", outlets.OutletUpdateView.as_view(), name="outlet_update"),
    path("outlets/<int:pk>/active/", outlets.outlet_set_active, name="outlet_set_active"),
    path("serials/", serials.SerialListView.as_view(), name="serial_list"),
    path("serials/add/", serials.SerialCreateView.as_view(), name="serial_create"),
    path("serials/import/", serials.SerialImportView.as_view(), name="serial_import"),
    path(
        "serials/<str:batch>/problems.csv",
        serials.serial_batch_problems,
        name="serial_batch_problems",
    ),
    path(
        "serials/import/template.csv",
        serials.serial_import_template,
        name="serial_import_template",
    ),
    path("serials/export.csv", serials.serial_export, name="serial_export"),
    path("serials/labels/", labels.serial_labels, name="serial_labels"),
    path("serials/product-options/", serials.product_options, name="product_options"),
    path(
        "serials/product-filter-options/",
        serials.product_filter_options,
        name="product_filter_options",
    ),
    path(
        "serials/<int:pk>/edit/", serial_changes.SerialUpdateView.as_view(), name="serial_update"
    ),
    path("serials/transfer/", serial_changes.SerialTransferView.as_view(), name="serial_transfer"),
    path(
        "serials/<int:pk>/write-off/",
        serial_changes.SerialWriteOffView.as_view(),
        name="serial_write_off",
    ),
    path(
        "serials/<int:pk>/mark-faulty/",
        serial_changes.SerialMarkFaultyView.as_view(),
        name="serial_mark_faulty",
    ),
    path(
        "serials/<int:pk>/reinstate/",
        serial_changes.SerialReinstateView.as_view(),
        name="serial_reinstate",
    ),
    path("jobs/", jobs.JobListView.as_view(), name="job_list"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/status/", jobs.job_status, name="job_status"),
    path("jobs/<int:pk>/resume/", jobs.job_resume, name="job_resume"),
    path("jobs/export/", jobs.export_job_start, name="serial_export_job"),
    path(
        "jobs/<int:pk>/<str:which>.csv",
        jobs.job_download,
        name="job_download",
    ),
    path("stock/", stock.StockLevelListView.as_view(), name="stock_list"),
    path("stock/<int:product_pk>/set/", stock.stock_set, name="stock_set"),
    path("stock-control/", stock_orders.StockControlListView.as_view(), name="stock_control"),
    path("stock-orders/add/", stock_orders.stock_order_create, name="stock_order_create"),
    path(
        "stock-orders/product-options/",
        stock_orders.stock_order_product_options,
        name="stock_order_product_options",
    ),
    path(
        "stock-orders/<int:pk>/", stock_orders.stock_order_detail_view, name="stock_order_detail"
    ),
    path(
        "stock-orders/<int:pk>/edit/", stock_orders.stock_order_update, name="stock_order_update"
    ),
    path("stock-orders/<int:pk>/send/", stock_orders.stock_order_send, name="stock_order_send"),
    path(
        "stock-orders/<int:pk>/cancel/", stock_orders.stock_order_cancel, name="stock_order_cancel"
    ),
    path(
        "stock-orders/<int:pk>/receive/",
        receiving.stock_order_receive_view,
        name="stock_order_receive",
    ),
    path(
        "stock-orders/<int:pk>/receive/check/",
        receiving.stock_order_receive_check,
        name="stock_order_receive_check",
    ),
    path(
        "stock-orders/<int:pk>/receive/supplier-list/",
        receiving.stock_order_supplier_list,
        name="stock_order_supplier_list",
    ),
    path(
        "supplier-returns/add/",
        supplier_returns.supplier_return_create,
        name="supplier_return_create",
    ),
    path(
        "supplier-returns/add/check/",
        supplier_returns.supplier_return_check_view,
        name="supplier_return_check",
    ),
    path(
        "supplier-returns/<int:pk>/",
        supplier_returns.supplier_return_detail_view,
        name="supplier_return_detail",
    ),
    path(
        "supplier-returns/<int:pk>/resolve/",
        supplier_returns.supplier_return_resolve_view,
        name="supplier_return_resolve",
    ),
]

# Transfers in transit (issue 21): Transfer stock, the transfer page, Receive.
urlpatterns += [
    path("transfers/add/", transfer_views.transfer_create, name="transfer_create"),
    path(
        "transfers/product-options/",
        transfer_views.transfer_product_options,
        name="transfer_product_options",
    ),
    path(
        "transfers/serial-options/",
        transfer_views.transfer_serial_options,
        name="transfer_serial_options",
    ),
    path("transfers/<int:pk>/", transfer_views.transfer_detail_view, name="transfer_detail"),
    path("transfers/<int:pk>/close/", transfer_views.transfer_close_view, name="transfer_close"),
    path(
        "transfers/<int:pk>/receive/",
        transfer_views.transfer_receive_view,
        name="transfer_receive",
    ),
    path(
        "transfers/<int:pk>/receive/check/",
        transfer_views.transfer_receive_check,
        name="transfer_receive_check",
    ),
]

# Inventory counts (issue 21): the list, New count, scans, Complete count and Apply.
urlpatterns += [
    path("counts/", count_views.CountListView.as_view(), name="count_list"),
    path("counts/new/", count_views.count_create, name="count_create"),
    path("counts/<int:pk>/", count_views.count_detail, name="count_detail"),
    path("counts/<int:pk>/scan/", count_views.count_scan, name="count_scan"),
    path("counts/<int:pk>/lists/", count_views.count_lists_view, name="count_lists"),
    path("counts/<int:pk>/quantity/", count_views.count_quantity, name="count_quantity"),
    path(
        "counts/<int:pk>/quantity/product-options/",
        count_views.count_quantity_options,
        name="count_quantity_options",
    ),
    path(
        "counts/<int:pk>/record/product-options/",
        count_views.count_record_options,
        name="count_record_options",
    ),
    path("counts/<int:pk>/complete/", count_views.count_complete, name="count_complete"),
    path("counts/<int:pk>/cancel/", count_views.count_cancel, name="count_cancel"),
]
