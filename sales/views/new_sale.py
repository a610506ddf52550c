"""New sale, the sale's page and its receipt, and the New sale page's fragments."""

from collections.abc import Sequence

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from catalog.models import Product
from catalog.selectors import product_suggestions
from inventory.models import Outlet, SerialRecord, SerialStatus
from inventory.services import serials_parse
from inventory.services.serials import serial_text_problem
from lib.ids import parse_id
from lib.mixins import signed_in_user
from sales import selectors
from sales.forms import (
    SaleForm,
    SaleLineFormSet,
    sale_fields_as_typed,
    sellable_products,
)
from sales.services import (
    SaleCheck,
    SaleRefused,
    sale_check,
    sale_create,
    sale_review_lines,
)

# Enough to pick from on a counter; more than this means typing or scanning.
SERIAL_OPTIONS_LIMIT = 60


class SaleCreateView(PermissionRequiredMixin, TemplateView):
    """Sales > New sale: the form; on POST `sale_create`, the reasons it refused, or a review.

    A sale that needs **Record as new** or **Sell it here** is never completed by that
    button: once every decision is confirmed the clerk sees the whole sale (the review)
    and completes it from there. The review's fingerprint goes back with its Complete
    sale, and the service refuses a sale that is no longer the one reviewed.
    """

    permission_required = "sales.add_sale"
    raise_exception = True
    template_name = "sales/sale_form.html"
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(currency=settings.SERIALDESK_CURRENCY, **kwargs)

    def get(self, request, *args, **kwargs):
        lines = SaleLineFormSet(prefix="lines")
        return self.render_to_response(self.get_context_data(form=SaleForm(), lines=lines))

    def post(self, request, *args, **kwargs):
        form = SaleForm(request.POST)
        lines = SaleLineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and lines.is_valid()):
            return self._form_page(form, lines)
        data = form.cleaned_data
        # The service numbers the lines it was given; the page, the forms they came from.
        filled = lines.filled()
        sale_input = {
            "outlet": data["outlet"],
            "customer": data["customer"],
            "lines": [lines.forms[i].line_input() for i in filled],
        }
        confirmed = {
            # A Manager's Record as new of serials off their format confirms both.
            "record_new": data["record_new"] or data["format_confirmed"],
            "sell_here": data["sell_here"],
            "format_confirmed": data["format_confirmed"],
        }
        reviewed = data["review"] or None
        clerk = signed_in_user(request)
        if data["edit"] or (any(confirmed.values()) and not reviewed):
            check = sale_check(**sale_input, clerk=clerk, **confirmed)
            if data["edit"] or check.has_errors or check.to_confirm:
                return self._form_page(form, lines, check=check, filled=filled)
            if check.not_recorded or check.elsewhere:
                return self._review_page(check, form=form)
            # Nothing left to confirm (the serials were retyped): it sells as typed.
            confirmed = dict.fromkeys(confirmed, False)
        try:
            sale = sale_create(**sale_input, clerk=clerk, reviewed=reviewed, **confirmed)
        except SaleRefused as refused:
            return self._form_page(form, lines, check=refused.check, filled=filled)
        except ValidationError as error:
            form.add_error(None, error)
            return self._form_page(form, lines)
        messages.success(request, _("Sale %(number)s completed.") % {"number": sale.number})
        return redirect(sale)

    def _form_page(
        self, form: SaleForm, lines, *, check: SaleCheck | None = None, filled: Sequence[int] = ()
    ) -> HttpResponse:
        context = {"form": form, "lines": lines, "total": lines.typed_total()}
        if check is not None:
            context.update(_refusal_context(check, lines=lines, filled=filled))
        return self.render_to_response(self.get_context_data(**context))

    def _review_page(self, check: SaleCheck, *, form: SaleForm) -> HttpResponse:
        context = {
            "outlet": form.cleaned_data["outlet"],
            "customer": form.cleaned_data["customer"],
            "review_lines": sale_review_lines(check=check),
            "check": check,
            "carried": sale_fields_as_typed(self.request.POST),
        }
        return render(self.request, "sales/sale_review.html", self.get_context_data(**context))


def _refusal_context(check: SaleCheck, *, lines, filled: Sequence[int]) -> dict:
    """What the page shows of a refusal, each point put back on the form line it is about."""
    for index, problems in check.line_errors.items():
        form = lines.forms[filled[index]]
        for problem in problems:
            form.add_error(None, ValidationError(problem.message, code=problem.code))

    def product(index: int) -> Product:
        # As the sale read the line: picked, or named by the GTIN of its scans.
        return check.lines[index].product

    reasons = {(i, text): reason for i, text, reason in check.off_format}
    return {
        "check": check,
        "record_new": check.record_new,
        "sell_here": check.sell_here,
        "format_confirmed": check.format_confirmed,
        # Serials off their format wait for a Manager's Record as new, even after
        # Record as new was pressed for the others.
        "format_to_confirm": bool(check.off_format) and not check.format_confirmed,
        "to_confirm": check.to_confirm,
        "not_recorded": [
            (product(i), text, reasons.get((i, text), "")) for i, text in check.not_recorded
        ],
        "elsewhere": [(product(i), text, outlet) for i, text, outlet in check.elsewhere],
    }


class SaleDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "sales.view_sale"
    raise_exception = True
    template_name = "sales/sale_detail.html"
    context_object_name = "sale"

    def get_queryset(self):
        return selectors.sale_detail_queryset()


@require_GET
@permission_required("sales.view_sale", raise_exception=True)
def sale_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The print-ready receipt of a sale."""
    sale = get_object_or_404(selectors.sale_detail_queryset(), pk=pk)
    return render(request, "sales/sale_receipt.html", {"sale": sale})


@require_GET
@permission_required("sales.add_sale", raise_exception=True)
def product_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for a line's Product: active products, each with its retail price.

    The product the text names exactly comes first, marked, so Enter in Product (a
    scanner's, after the code) can pick it (`catalog.selectors.product_suggestions`).
    """
    query = request.GET.get("q", "").strip()
    products, exact = product_suggestions(sellable_products(), query)
    context = {"products": products, "query": query, "exact": exact}
    return render(request, "sales/includes/_product_options.html", context)


@require_GET
@permission_required("sales.add_sale", raise_exception=True)
def customer_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for Customer, by name, email or phone."""
    query = request.GET.get("q", "").strip()
    customers = selectors.customer_options(query=query) if "\x00" not in query else []
    context = {"customers": customers, "query": query}
    return render(request, "sales/includes/_customer_options.html", context)


@require_GET
@permission_required("sales.add_sale", raise_exception=True)
def serial_options(request: HttpRequest) -> HttpResponse:
    """A line's "Pick from stock": the product's serials In stock at the chosen outlet.

    `typed`: the serials already on the sale, which are not offered again.
    """
    product_pk = parse_id(request.GET.get("product", "").strip())
    outlet_pk = parse_id(request.GET.get("outlet", "").strip())
    product = Product.objects.filter(pk=product_pk).first() if product_pk else None
    outlet = Outlet.objects.filter(pk=outlet_pk).first() if outlet_pk else None
    serials: list[SerialRecord] = []
    all_typed = False
    if product and outlet:
        in_stock = SerialRecord.objects.filter(
            product=product, outlet=outlet, status=SerialStatus.IN_STOCK
        )
        typed = _typed_keys(request.GET.get("typed", ""))
        offered = in_stock.exclude(serial_normalised__in=typed).order_by("serial_normalised", "id")
        serials = list(offered[: SERIAL_OPTIONS_LIMIT + 1])
        all_typed = not serials and bool(typed) and in_stock.exists()
    context = {
        "product": product,
        "outlet": outlet,
        "serials": serials[:SERIAL_OPTIONS_LIMIT],
        "more": len(serials) > SERIAL_OPTIONS_LIMIT,
        "all_typed": all_typed,
    }
    return render(request, "sales/includes/_serial_options.html", context)


# The page sends the serials typed on lines of the same product; a GET stays short.
TYPED_LIMIT = 500


def _typed_keys(text: str) -> list[str]:
    """The look-up keys of the serials typed on the sale (usable ones, at most TYPED_LIMIT).

    A scan's serial (AI 21) is the one on the sale.
    """
    entries = serials_parse(text[: TYPED_LIMIT * 101])[:TYPED_LIMIT]
    texts = [selectors.scanned_serial(entry) for entry in entries]
    return sorted({SerialRecord.normalise(t) for t in texts if not serial_text_problem(t)})
