from django.urls import path

from inventory.views import jobs, labels, outlets, serial_changes, serials, stock

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
]
