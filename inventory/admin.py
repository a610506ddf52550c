from django.contrib import admin

from inventory import services
from inventory.models import Outlet, SerialEvent, SerialRecord, StockLevel


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

    def get_changeform_initial_data(self, request):
        # "Add" takes initial values from the query string; the product's
        # autocomplete widget looks its value up as an id and would crash on
        # anything else, so only a plain id within range is kept.
        initial = super().get_changeform_initial_data(request)
        for name in ("product", "outlet"):
            value = str(initial.get(name, ""))
            if not (value.isascii() and value.isdigit() and int(value) < 2**63):
                initial.pop(name, None)
        return initial

    def save_model(self, request, obj, form, change):
        # Through the service, so the row is locked like any other stock change.
        level = services.stock_set(
            product=obj.product, outlet=obj.outlet, on_hand=obj.on_hand, user=request.user
        )
        obj.pk = level.pk
        obj.refresh_from_db()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Serials change only through the app's pages, which apply the rules and write history."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SerialEventInline(admin.TabularInline):
    model = SerialEvent
    fields = readonly_fields = (
        "created_at",
        "kind",
        "user",
        "from_outlet",
        "to_outlet",
        "to_status",
        "note",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SerialRecord)
class SerialRecordAdmin(ReadOnlyAdmin):
    list_display = ["serial", "product", "outlet", "status", "created_at"]
    list_filter = ["status", "outlet"]
    list_select_related = ["product", "outlet"]
    search_fields = ["serial_normalised", "product__name", "product__sku"]
    inlines = [SerialEventInline]

    def get_search_results(self, request, queryset, search_term):
        # Serials are compared by their key (NFKC, case-folded), so the typed
        # text is turned into a key too: "ＦＵＬＬ-1" finds "full-1".
        found, duplicates = super().get_search_results(request, queryset, search_term)
        key = SerialRecord.normalise(search_term)
        if key:
            found |= queryset.filter(serial_normalised__contains=key)
        return found, duplicates
