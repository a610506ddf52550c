from django.contrib import admin

from inventory import services
from inventory.models import Outlet, StockLevel


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["product", "outlet", "on_hand", "updated_at"]
    list_filter = ["outlet", "product__has_serial_numbers"]
    list_select_related = ["product", "outlet"]
    search_fields = ["product__name", "product__sku", "outlet__name"]
    autocomplete_fields = ["product"]

    def get_readonly_fields(self, request, obj=None):
        return ["product", "outlet", "updated_at"] if obj is not None else ["updated_at"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the row is locked like any other stock change.
        level = services.stock_set(
            product=obj.product, outlet=obj.outlet, on_hand=obj.on_hand, user=request.user
        )
        obj.pk = level.pk
        obj.refresh_from_db()
