"""Inventory > Inventory counts: the list, New count, the count page, Complete count."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView

from catalog.selectors import product_suggestions
from inventory.forms_counts import (
    CountCompleteForm,
    CountCreateForm,
    CountQuantityForm,
    CountScanForm,
    quantity_products,
    record_products,
)
from inventory.models import InventoryCount, InventoryCountStatus, SerialEvent, StockMove
from inventory.selectors.counts import (
    CountLists,
    count_get,
    count_list,
    count_lists,
    count_sort,
    scans_listed,
    stock_preview,
    units_listed,
)
from inventory.services import counts as services
from inventory.services.serials import serials_parse
from lib.mixins import ListPageMixin, signed_in_user

# Rows of each list of differences on Complete count; "Write off all" covers the rest.
COMPLETE_CAP = 500


class CountListView(ListPageMixin, ListView):
    permission_required = "inventory.view_inventorycount"
    template_name = "inventory/inventorycount_list.html"

    def get_queryset(self):
        return count_list()


def _count_or_404(pk: int) -> InventoryCount:
    try:
        return count_get(pk)
    except InventoryCount.DoesNotExist as error:
        raise Http404 from error


def _quantity_form(count: InventoryCount, data=None) -> CountQuantityForm:
    url = reverse("inventory:count_quantity_options", args=[count.pk])
    return CountQuantityForm(data, count=count, options_url=url)


def _detail(
    request: HttpRequest,
    count: InventoryCount,
    *,
    scan_form: CountScanForm | None = None,
    quantity_form: CountQuantityForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_open = count.status == InventoryCountStatus.OPEN
    context = {
        "count": count,
        "lists": count_lists(count),
        "is_open": is_open,
        "can_scan": is_open and user.has_perm("inventory.count_inventorycount"),
        "can_complete": is_open and user.has_perm("inventory.apply_inventorycount"),
        "can_cancel": is_open and user.has_perm("inventory.change_inventorycount"),
        "scan_form": scan_form or CountScanForm(),
        "quantity_form": quantity_form or _quantity_form(count),
        # The form is there when the scope has such products, or to show its errors.
        "has_quantity_products": is_open
        and (quantity_form is not None or quantity_products(count).exists()),
        "applied": _applied_summary(count)
        if count.status == InventoryCountStatus.APPLIED
        else None,
    }
    return render(request, "inventory/inventorycount_detail.html", context, status=status)


def _applied_summary(count: InventoryCount) -> dict[str, int]:
    """What Apply did, read back from the history rows naming the count."""
    kind = ContentType.objects.get_for_model(InventoryCount)
    events = SerialEvent.objects.filter(document_type=kind, document_id=count.pk)
    return {
        "written_off": events.filter(to_status="written_off").count(),
        "transferred": events.filter(to_outlet__isnull=False).count(),
        "recorded": events.filter(to_status="", to_outlet__isnull=True).count(),
        "stock_changes": StockMove.objects.filter(
            document_type=kind, document_id=count.pk
        ).count(),
    }


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_inventorycount", raise_exception=True)
def count_create(request: HttpRequest) -> HttpResponse:
    """New count: Outlet, Product or Brand, Name; Start count."""
    form = CountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.count_create(
                outlet=data["outlet"],
                name=data["name"],
                product=data["product"],
                brand=data["brand"],
                user=signed_in_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Count “%(name)s” started.") % {"name": count.name})
            return redirect(count)
    status = 400 if request.method == "POST" else 200
    return render(request, "inventory/inventorycount_form.html", {"form": form}, status=status)


@require_GET
@permission_required("inventory.view_inventorycount", raise_exception=True)
def count_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _count_or_404(pk))


@require_GET
@permission_required("inventory.view_inventorycount", raise_exception=True)
def count_lists_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The running lists alone: refreshed after each scan and every few seconds (htmx)."""
    count = _count_or_404(pk)
    context = {"count": count, "lists": count_lists(count)}
    return render(request, "inventory/includes/_count_lists.html", context)


@require_POST
@permission_required("inventory.count_inventorycount", raise_exception=True)
def count_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """One scan (or a typed list): into the count, and what became of each entry."""
    count = _count_or_404(pk)
    form = CountScanForm(request.POST)
    results: list[services.ScanResult] = []
    if form.is_valid():
        entries = serials_parse(form.cleaned_data["serial_numbers"])
        try:
            results = services.count_scan(
                count=count, entries=entries, user=signed_in_user(request)
            )
        except ValidationError as error:
            form.add_error("serial_numbers", error)
        else:
            if not entries:
                form.add_error("serial_numbers", _("Scan or type a serial number."))
    if request.headers.get("HX-Request") == "true":
        context = {"results": results, "errors": form.errors.get("serial_numbers", [])}
        response = render(
            request,
            "inventory/includes/_count_scan_result.html",
            context,
            status=400 if form.errors else 200,
        )
        # The lists follow the scan at once (they also poll for other devices' scans).
        response["HX-Trigger"] = "count-changed"
        return response
    if form.errors:
        return _detail(request, count, scan_form=form, status=400)
    messages.success(request, _scan_message(results))
    return redirect(count)


def _scan_message(results: list[services.ScanResult]) -> str:
    counted = sum(1 for r in results if r.verdict != "problem")
    parts = [
        ngettext("%(count)s serial number scanned.", "%(count)s serial numbers scanned.", counted)
        % {"count": counted}
    ]
    problems = len(results) - counted
    if problems:
        parts.append(
            ngettext(
                "%(count)s entry is not a serial number.",
                "%(count)s entries are not serial numbers.",
                problems,
            )
            % {"count": problems}
        )
    return " ".join(parts)


@require_POST
@permission_required("inventory.count_inventorycount", raise_exception=True)
def count_quantity(request: HttpRequest, pk: int) -> HttpResponse:
    """A product without serial numbers and how many were counted (the last value wins)."""
    count = _count_or_404(pk)
    form = _quantity_form(count, request.POST)
    if form.is_valid():
        try:
            saved = services.count_quantity_set(
                count=count,
                product=form.cleaned_data["product"],
                counted=form.cleaned_data["counted"],
                user=signed_in_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(product)s: %(counted)s counted.")
                % {"product": saved.product.name, "counted": saved.counted},
            )
            return redirect(count)
    return _detail(request, count, quantity_form=form, status=400)


def _complete_form(count: InventoryCount, data=None) -> CountCompleteForm:
    sort = count_sort(count)
    moving = [pk for pk in sort.elsewhere if pk in sort.transferable]
    missing = units_listed(sort.expected[:COMPLETE_CAP])
    elsewhere = units_listed(moving[:COMPLETE_CAP])
    unrecorded = scans_listed(sort.not_recorded[:COMPLETE_CAP])
    initial = {"as_of": timezone.now().isoformat()}
    return CountCompleteForm(
        data,
        initial=initial,
        count=count,
        missing=missing,
        elsewhere=elsewhere,
        unrecorded=unrecorded,
        record_options_url=reverse("inventory:count_record_options", args=[count.pk]),
    )


def _complete_page(
    request: HttpRequest, count: InventoryCount, form: CountCompleteForm, status: int = 200
) -> HttpResponse:
    lists: CountLists = count_lists(count, cap=0)
    context = {
        "count": count,
        "form": form,
        "lists": lists,
        "stock": stock_preview(count),
        "missing_more": lists.expected.total - len(form.missing),
    }
    return render(request, "inventory/inventorycount_complete.html", context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.apply_inventorycount", raise_exception=True)
def count_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete count: each difference with its choice; Apply."""
    count = _count_or_404(pk)
    if count.status != InventoryCountStatus.OPEN:
        messages.error(
            request,
            _("This count is %(status)s: it can no longer change.")
            % {"status": count.get_status_display().lower()},
        )
        return redirect(count)
    if request.method == "GET":
        return _complete_page(request, count, _complete_form(count))
    form = _complete_form(count, request.POST)
    if not form.is_valid():
        return _complete_page(request, count, form, status=400)
    try:
        result = services.count_apply(count=count, user=signed_in_user(request), **form.choices())
    except ValidationError as error:
        form.add_error(None, error)
        return _complete_page(request, count, form, status=400)
    messages.success(request, _applied_message(result))
    if result.left_count:
        messages.warning(
            request,
            ngettext(
                "%(count)s unit changed since the Complete count page and was left as it is.",
                "%(count)s units changed since the Complete count page and were left as they are.",
                result.left_count,
            )
            % {"count": result.left_count},
        )
    return redirect(count)


def _applied_message(result: services.CountApplied) -> str:
    return _(
        "Count “%(name)s” applied: %(off)s written off, %(moved)s transferred here, "
        "%(recorded)s recorded, %(stock)s stock changes."
    ) % {
        "name": result.count.name,
        "off": result.written_off,
        "moved": result.transferred,
        "recorded": result.recorded,
        "stock": result.stock_changes,
    }


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_inventorycount", raise_exception=True)
def count_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm; POST: cancel the count."""
    count = _count_or_404(pk)
    if request.method == "GET":
        return render(request, "inventory/inventorycount_cancel.html", {"count": count})
    try:
        services.count_cancel(count=count, user=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Count “%(name)s” cancelled.") % {"name": count.name})
    return redirect(count)


def _options(request: HttpRequest, products) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found, exact = product_suggestions(products, query)
    context = {"products": found, "query": query, "exact": exact}
    return render(request, "inventory/includes/_product_filter_options.html", context)


@require_GET
@permission_required("inventory.count_inventorycount", raise_exception=True)
def count_quantity_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Type-ahead for the quantity form: active products of the scope without serials."""
    return _options(request, quantity_products(_count_or_404(pk)))


@require_GET
@permission_required("inventory.apply_inventorycount", raise_exception=True)
def count_record_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Type-ahead for Record: active products of the scope with serial numbers."""
    return _options(request, record_products(_count_or_404(pk)))
