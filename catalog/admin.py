from django.contrib import admin

from catalog import services
from catalog.models import Product, Supplier
from catalog.services import ProductFields, SupplierFields


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "sku",
        "barcode",
        "brand",
        "supplier",
        "retail_price",
        "warranty_months",
        "has_serial_numbers",
        "is_active",
    ]
    list_filter = ["has_serial_numbers", "serial_format", "is_active", "supplier", "brand"]
    list_select_related = ["supplier"]
    search_fields = ["name", "sku", "barcode", "brand", "supplier_code"]
    readonly_fields = ["gtin", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Turning serial numbers off has a rule (no units In stock) that the
        # Edit product page explains on the form; the admin could only fail.
        if obj is not None:
            return [*self.readonly_fields, "has_serial_numbers"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        fields = {k: v for k, v in form.cleaned_data.items() if k in ProductFields.__annotations__}
        if change:
            services.product_update(product=obj, **fields)
        else:
            obj.pk = services.product_create(**fields).pk
            obj.refresh_from_db()


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "email", "phone"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        fields = {
            k: v for k, v in form.cleaned_data.items() if k in SupplierFields.__annotations__
        }
        if change:
            services.supplier_update(supplier=obj, **fields)
        else:
            obj.pk = services.supplier_create(**fields).pk
            obj.refresh_from_db()
