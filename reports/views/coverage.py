"""Reports > Serial coverage: the report, its threshold, Enable serial numbers, exports."""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.models import Product
from catalog.services import product_serial_numbers_enable
from catalog.templatetags.money import money
from inventory.models import Outlet
from lib.csvfile import Cell, csv_text
from lib.mixins import signed_in_user
from reports import selectors, services
from reports.forms import CoverageFilterForm, HighValueThresholdForm

# Rows each section shows on the page, enough to act on at a glance; its Export
# CSV has them all. Rendering costs about 0.3 ms a row (make bench).
SECTION_ROWS_SHOWN = 50


def _outlet_filter(request: HttpRequest) -> tuple[CoverageFilterForm, bool, Outlet | None]:
    form = CoverageFilterForm(request.GET)
    if not form.is_valid():
        return form, False, None
    return form, True, form.cleaned_data["outlet"]


def _report_url(request: HttpRequest, anchor: str = "") -> str:
    """The report as the user had it: the outlet filter they chose, at `anchor`."""
    outlet = request.GET.get("outlet", "")
    query = f"?{urlencode({'outlet': outlet})}" if outlet else ""
    return f"{reverse('reports:coverage')}{query}{anchor}"


def _section(rows: list) -> dict:
    return {"rows": rows[:SECTION_ROWS_SHOWN], "count": len(rows)}


def _coverage_page(
    request: HttpRequest, threshold_form: HighValueThresholdForm | None = None
) -> HttpResponse:
    filter_form, valid, outlet = _outlet_filter(request)
    threshold = selectors.high_value_threshold_state()
    report = None
    if valid:
        report = selectors.coverage_report(threshold=threshold.amount, outlet=outlet)
    if threshold_form is None:
        threshold_form = HighValueThresholdForm(initial={"amount": threshold.amount})
    context = {
        # The shape includes/_filter_bar.html reads (a FilterSet's `form`).
        "filter": {"form": filter_form},
        "filter_query": urlencode({"outlet": outlet.pk}) if outlet else "",
        "outlet": outlet,
        # An outlet that is not in the list shows the filter's error and no rows.
        "filter_valid": valid,
        "threshold": threshold,
        "threshold_form": threshold_form,
        # Reversed once, not once a row.
        "serial_add_url": reverse("inventory:serial_create"),
        "serial_list_url": reverse("inventory:serial_list"),
    }
    if report is not None:
        context |= {
            "high_value": _section(report.high_value_without_serials),
            "stock_without_serials": _section(report.stock_without_serials),
            "serials_without_stock": _section(report.serials_without_stock),
        }
    return render(request, "reports/coverage.html", context)


@require_GET
@permission_required("reports.view_coverage", raise_exception=True)
def coverage(request: HttpRequest) -> HttpResponse:
    return _coverage_page(request)


@require_POST
@permission_required("reports.add_highvaluethreshold", raise_exception=True)
def threshold_set(request: HttpRequest) -> HttpResponse:
    form = HighValueThresholdForm(request.POST)
    if form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            change = services.high_value_threshold_set(amount=amount, user=signed_in_user(request))
        except ValidationError as error:
            form.add_error("amount", error)
        else:
            text = {"amount": money(amount)}
            if change is None:
                messages.info(request, _("The high-value threshold is already %(amount)s.") % text)
            else:
                messages.success(request, _("High-value threshold set to %(amount)s.") % text)
            return redirect(_report_url(request))
    return _coverage_page(request, threshold_form=form)


@require_POST
@permission_required("catalog.change_product", raise_exception=True)
def product_serial_numbers_enable_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    text = {"product": product.name}
    if product_serial_numbers_enable(product=product, user=signed_in_user(request)):
        messages.success(request, _("Serial numbers enabled for %(product)s.") % text)
    else:
        messages.info(request, _("Serial numbers were already enabled for %(product)s.") % text)
    return redirect(_report_url(request, "#high-value"))


def _csv_response(name: str, header: list[str], rows: Iterable[Iterable[Cell]]) -> HttpResponse:
    # Text cells are made formula-safe; numbers are written as numbers.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="serial-coverage-{name}-{stamp}.csv"'
    return response


@require_GET
@permission_required("reports.view_coverage", raise_exception=True)
def high_value_export(request: HttpRequest) -> HttpResponse:
    """Section 1 as CSV, with the page's outlet filter (an invalid one: the header only)."""
    _form, valid, outlet = _outlet_filter(request)
    products = (
        selectors.high_value_products_without_serials(
            threshold=selectors.high_value_threshold(), outlet=outlet
        )
        if valid
        else Product.objects.none()
    )
    header = [_("Product"), _("SKU"), _("Brand"), _("Retail price")]
    rows = ([p.name, p.sku, p.brand, p.retail_price] for p in products)
    return _csv_response("high-value", header, rows)


def _gaps_export(request: HttpRequest, *, name: str, stock_without_serials: bool) -> HttpResponse:
    _form, valid, outlet = _outlet_filter(request)
    gaps = selectors.stock_serial_gaps(outlet=outlet) if valid else []
    header = [
        _("Product"),
        _("SKU"),
        _("Outlet"),
        _("On hand"),
        _("In stock serials"),
        _("Difference"),
    ]
    rows = (
        [gap.product.name, gap.product.sku, gap.outlet.name]
        + [gap.on_hand, gap.in_stock, gap.difference]
        for gap in gaps
        if gap.is_stock_without_serials == stock_without_serials
        and gap.product is not None
        and gap.outlet is not None
    )
    return _csv_response(name, header, rows)


@require_GET
@permission_required("reports.view_coverage", raise_exception=True)
def stock_without_serials_export(request: HttpRequest) -> HttpResponse:
    """Section 2 as CSV, with the page's outlet filter."""
    return _gaps_export(request, name="stock-without-serials", stock_without_serials=True)


@require_GET
@permission_required("reports.view_coverage", raise_exception=True)
def serials_without_stock_export(request: HttpRequest) -> HttpResponse:
    """Section 3 as CSV, with the page's outlet filter."""
    return _gaps_export(request, name="serials-without-stock", stock_without_serials=False)
