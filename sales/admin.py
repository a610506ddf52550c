from django.contrib import admin

from inventory.admin import ReadOnlyAdmin, SerialRecordAdmin, serial_key_prefix
from inventory.models import SerialRecord
from sales import services
from sales.models import Customer, Sale, SaleLine, SaleLineSerial


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "updated_at"]
    search_fields = ["name", "email", "phone"]
    fields = ["name", "email", "phone"]

    def save_model(self, request, obj, form, change):
        # Through the services, like the Customers pages.
        data = {name: form.cleaned_data[name] for name in ("name", "email", "phone")}
        if change:
            services.customer_update(customer=obj, **data)
        else:
            obj.pk = services.customer_create(**data).pk
            obj.refresh_from_db()


class SaleLineInline(admin.TabularInline):
    model = SaleLine
    fields = readonly_fields = ("position", "product", "quantity", "unit_price")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each line shows its product: one query for all of them, not one per line.
        return super().get_queryset(request).select_related("product")


@admin.register(Sale)
class SaleAdmin(ReadOnlyAdmin):
    """Sales are made only on the New sale page, which checks and records every unit."""

    list_display = ["__str__", "created_at", "outlet", "customer", "clerk", "total"]
    list_filter = ["outlet"]
    list_select_related = ["outlet", "customer", "clerk"]
    search_fields = ["customer__name", "customer__email", "customer__phone"]
    date_hierarchy = "created_at"
    inlines = [SaleLineInline]


@admin.register(SaleLineSerial)
class SaleLineSerialAdmin(ReadOnlyAdmin):
    list_display = ["serial", "line", "returned_at"]
    list_select_related = ["serial", "line__product", "line__sale"]
    search_fields = ["serial__serial_normalised"]
    search_help_text = SerialRecordAdmin.search_help_text
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # As the serial search: the beginning of the key, which an index serves.
        key = SerialRecord.normalise(search_term)
        if not key:
            return queryset, False
        return queryset.filter(serial_key_prefix(key, field="serial__serial_normalised")), False
