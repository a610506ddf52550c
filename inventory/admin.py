from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inventory import services
from inventory.models import (
    InventoryCount,
    Outlet,
    SerialEvent,
    SerialRecord,
    StockLevel,
    StockOrder,
    StockOrderLine,
    SupplierReturn,
    SupplierReturnUnit,
)
from lib.ids import parse_id


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
            if parse_id(value) is None:
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


def serial_key_prefix(key: str, *, field: str = "serial_normalised") -> Q:
    """Units whose key (`field`) starts with `key`, written so each database's index serves it."""
    if connection.vendor == "postgresql":
        # LIKE 'key%'. The btree on the key follows the database's collation and
        # serves LIKE only under the C collation; the trigram index on the key
        # (migration 0008_list_indexes) serves it under any collation.
        return Q(**{f"{field}__startswith": key})
    # SQLite's LIKE ignores ASCII case, so a plain (binary) index cannot serve it;
    # the same units as a range of the binary order can: key <= k < key'.
    following = ord(key[-1]) + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters
        following = 0xE000
    if following > 0x10FFFF:
        return Q(**{f"{field}__startswith": key})
    return Q(**{f"{field}__gte": key, f"{field}__lt": key[:-1] + chr(following)})


@admin.register(SerialRecord)
class SerialRecordAdmin(ReadOnlyAdmin):
    list_display = ["serial", "product", "outlet", "status", "created_at"]
    list_filter = ["status", "outlet"]
    list_select_related = ["product", "outlet"]
    # Searched by the key only (get_search_results): any other field, or a
    # substring, would read the whole table at a million units. A product's
    # units are the Serial numbers page's Product filter.
    search_fields = ["serial_normalised"]
    search_help_text = _(
        "A serial number or its first characters; case and full-width forms do not matter."
    )
    # Counting the whole table again beside every search's count costs as much
    # as the search at a million units.
    show_full_result_count = False
    # Should a page here ever become editable: no <select> of every product,
    # outlet or user.
    raw_id_fields = ["product", "outlet", "created_by"]
    readonly_fields = ["history"]

    def get_queryset(self, request):
        # The change page shows the product, the outlet and who added the unit.
        return super().get_queryset(request).select_related("product", "outlet", "created_by")

    def get_search_results(self, request, queryset, search_term):
        # Serials are compared by their key (NFKC, case-folded), so the typed
        # text is turned into a key too: "ＦＵＬＬ-1" finds "full-1" and "FULL-10".
        key = SerialRecord.normalise(search_term)
        if not key:
            return queryset, False
        return queryset.filter(serial_key_prefix(key)), False

    @admin.display(description=_("History"))
    def history(self, obj: SerialRecord) -> str:
        # A link, not an inline: a unit with 1,000 events made this page run
        # 4,011 queries, three per event for its user and outlets.
        count = obj.events.count()
        url = reverse("admin:inventory_serialevent_changelist")
        label = ngettext("%(count)s event", "%(count)s events", count) % {"count": intcomma(count)}
        return format_html(
            '<a href="{}?{}">{}</a>', url, urlencode({"serial__id__exact": obj.pk}), label
        )


@admin.register(SerialEvent)
class SerialEventAdmin(ReadOnlyAdmin):
    """Units' histories; a unit's change page links here filtered by that unit."""

    list_display = [
        "created_at",
        "serial",
        "kind",
        "user",
        "from_outlet",
        "to_outlet",
        "from_status",
        "to_status",
        "note",
        "document_link",
    ]
    list_filter = ["kind"]
    list_select_related = ["serial", "user", "from_outlet", "to_outlet"]
    show_full_result_count = False
    raw_id_fields = ["serial", "user", "from_outlet", "to_outlet"]

    def get_queryset(self, request):
        # The sale, return or claim of each event on the page: one query per kind.
        return super().get_queryset(request).prefetch_related("document")

    def get_ordering(self, request):
        # One unit's events in its history's order, which the (serial, created_at)
        # index reads; all units' events newest written first, which the primary
        # key reads: sorting 300,000 events by time for each page took 0.3-1.1 s.
        if "serial__id__exact" in request.GET:
            return ["-created_at", "-id"]
        return ["-id"]

    @admin.display(description=_("Document"))
    def document_link(self, obj: SerialEvent) -> str:
        document = obj.document
        if document is None:
            return ""
        url = getattr(document, "get_absolute_url", None)
        return format_html('<a href="{}">{}</a>', url(), document) if url else str(document)


class StockOrderLineInline(admin.TabularInline):
    model = StockOrderLine
    fields = ["product", "quantity", "cost", "received"]
    readonly_fields = ["product", "quantity", "cost", "received"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StockOrder)
class StockOrderAdmin(ReadOnlyAdmin):
    """Orders change only on their pages (Order stock, Edit, Mark as sent, Cancel order, Receive),
    which lock the order and keep its lines and status in step."""

    list_display = ["__str__", "supplier", "outlet", "reference", "due", "status", "created_at"]
    list_filter = ["status", "outlet", "supplier"]
    list_select_related = ["supplier", "outlet"]
    search_fields = ["reference"]
    raw_id_fields = ["supplier", "outlet", "created_by"]
    inlines = [StockOrderLineInline]


class SupplierReturnUnitInline(admin.TabularInline):
    model = SupplierReturnUnit
    fields = ("serial", "from_status", "outcome", "credit_amount", "replacement", "resolved_at")
    readonly_fields = fields
    raw_id_fields = ["serial", "replacement"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SupplierReturn)
class SupplierReturnAdmin(ReadOnlyAdmin):
    """Returns change only on their pages (Return stock, a unit's outcome), which move the
    units through the one state-change primitive and keep stock and history in step."""

    list_display = ["__str__", "supplier", "outlet", "reason", "supplier_reference", "status"]
    list_filter = ["status", "reason", "outlet", "supplier"]
    list_select_related = ["supplier", "outlet"]
    search_fields = ["supplier_reference"]
    raw_id_fields = ["supplier", "outlet", "created_by"]
    inlines = [SupplierReturnUnitInline]


@admin.register(InventoryCount)
class InventoryCountAdmin(ReadOnlyAdmin):
    """Counts change only on their pages (scans, Complete count, Apply, Cancel count), which
    lock the count and write history and stock rows of it."""

    list_display = ["name", "outlet", "product", "brand", "status", "created_at", "applied_at"]
    list_filter = ["status", "outlet"]
    list_select_related = ["outlet", "product"]
    search_fields = ["name"]
    raw_id_fields = ["outlet", "product", "created_by", "applied_by"]
