"""New sale, the sale's page and its receipt, and the New sale page's fragments."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from catalog.models import Product
from config.ids import parse_id
from config.mixins import signed_in_user
from inventory.models import Outlet, SerialRecord, SerialStatus
from inventory.services import serials_parse
from inventory.services.serials import serial_text_problem
from sales import selectors
from sales.forms_sale import (
    SaleForm,
    SaleLineFormSet,
    product_exact_match,
    sellable_products,
)
from sales.services import SaleCheck, SaleRefused, sale_check, sale_create

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
        filled = [i for i, line in enumerate(lines.forms) if line.cleaned_data]
        sale_input = {
            "outlet": data["outlet"],
            "customer": data["customer"],
            "lines": [lines.forms[i].line_input() for i in filled],
        }
        confirmed = {"record_new": data["record_new"], "sell_here": data["sell_here"]}
        reviewed = data["review"] or None
        if data["edit"] or (any(confirmed.values()) and not reviewed):
            check = sale_check(**sale_input)
            if data["edit"] or check.has_errors or _to_confirm(check, **confirmed):
                return self._form_page(form, lines, check=check, filled=filled, **confirmed)
            if check.not_recorded or check.elsewhere:
                return self._review_page(check, form=form, lines=lines, filled=filled, **confirmed)
            # Nothing left to confirm (the serials were retyped): it sells as typed.
            confirmed = {"record_new": False, "sell_here": False}
        try:
            sale = sale_create(
                **sale_input, clerk=signed_in_user(request), reviewed=reviewed, **confirmed
            )
        except SaleRefused as refused:
            if refused.check.stale_review:
                # What was confirmed is not what the sale is now: confirm again.
                confirmed = {"record_new": False, "sell_here": False}
            return self._form_page(form, lines, check=refused.check, filled=filled, **confirmed)
        except ValidationError as error:
            form.add_error(None, error)
            return self._form_page(form, lines)
        messages.success(request, _("Sale %(number)s completed.") % {"number": sale.number})
        return redirect(sale)

    def _form_page(
        self,
        form: SaleForm,
        lines,
        *,
        check: SaleCheck | None = None,
        filled: list[int] | None = None,
        record_new: bool = False,
        sell_here: bool = False,
    ) -> HttpResponse:
        context = {"form": form, "lines": lines, "total": _typed_total(lines)}
        if check is not None:
            context.update(_refusal_context(check, lines=lines, filled=filled or []))
            context.update(record_new=record_new, sell_here=sell_here)
            context.update(
                to_confirm=_to_confirm(check, record_new=record_new, sell_here=sell_here)
            )
        return self.render_to_response(self.get_context_data(**context))

    def _review_page(
        self,
        check: SaleCheck,
        *,
        form: SaleForm,
        lines,
        filled: list[int],
        record_new: bool,
        sell_here: bool,
    ) -> HttpResponse:
        context = {
            "outlet": form.cleaned_data["outlet"],
            "customer": form.cleaned_data["customer"],
            "review_lines": _review_lines(check, lines=lines, filled=filled),
            "total": check.total,
            "fingerprint": check.fingerprint,
            "record_new": record_new,
            "sell_here": sell_here,
            "carried": _carried(self.request.POST),
        }
        return render(self.request, "sales/sale_review.html", self.get_context_data(**context))


def _to_confirm(check: SaleCheck, *, record_new: bool, sell_here: bool) -> bool:
    """Whether some serials still wait for Record as new or Sell it here."""
    return bool((check.not_recorded and not record_new) or (check.elsewhere and not sell_here))


def _typed_total(lines) -> Decimal:
    """The sale's total as far as it was typed, as the running total adds it up.

    Quantity x Unit price of each line that has both; a blank Unit price is the
    product's retail price.
    """
    total = Decimal(0)
    for line in lines.forms:
        data = getattr(line, "cleaned_data", None) or {}
        product, quantity, price = (
            data.get("product"),
            data.get("quantity"),
            data.get("unit_price"),
        )
        if price is None and product is not None:
            price = product.retail_price
        if quantity is not None and price is not None:
            total += quantity * price
    return total


@dataclass(frozen=True)
class ReviewSerial:
    text: str
    # What completing the sale does with the unit: "new" (Record as new), "moved"
    # (Sell it here, from `from_outlet`), "" (sold from this outlet's stock).
    decision: str = ""
    from_outlet: str = ""


@dataclass(frozen=True)
class ReviewLine:
    product: Product
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    serials: list[ReviewSerial]


def _review_lines(check: SaleCheck, *, lines, filled: list[int]) -> list[ReviewLine]:
    """Each line as the sale will be, with what happens to each of its serials."""
    new = {(index, SerialRecord.normalise(text)) for index, text in check.not_recorded}
    moved = {
        (index, SerialRecord.normalise(text)): outlet for index, text, outlet in check.elsewhere
    }
    review = []
    for index, form_index in enumerate(filled):
        data = lines.forms[form_index].cleaned_data
        serials = []
        for text in data["serial_numbers"]:
            key = (index, SerialRecord.normalise(text))
            if key in new:
                serials.append(ReviewSerial(text=text, decision="new"))
            elif key in moved:
                serials.append(ReviewSerial(text=text, decision="moved", from_outlet=moved[key]))
            else:
                serials.append(ReviewSerial(text=text))
        price = check.prices[index]
        review.append(
            ReviewLine(
                product=data["product"],
                quantity=data["quantity"],
                unit_price=price,
                line_total=data["quantity"] * price,
                serials=serials,
            )
        )
    return review


# What the review carries back, unchanged, to Complete sale or to Change the sale.
_CARRIED = re.compile(
    r"outlet|customer|customer_search|lines-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS"
    r"|lines-\d{1,3}-(product|product_search|quantity|unit_price|serial_numbers)"
)


def _carried(data: QueryDict) -> list[tuple[str, str]]:
    """The New sale fields as typed, for the review's hidden inputs."""
    return [(name, str(data.get(name, ""))) for name in data if _CARRIED.fullmatch(name)]


def _refusal_context(check: SaleCheck, *, lines, filled: list[int]) -> dict:
    """What the page shows of a refusal, each point put back on the form line it is about."""
    for index, problems in check.line_errors.items():
        form = lines.forms[filled[index]]
        for problem in problems:
            form.add_error(None, ValidationError(problem.message, code=problem.code))

    def product(index: int) -> Product:
        return lines.forms[filled[index]].cleaned_data["product"]

    return {
        "check": check,
        "not_recorded": [(product(i), text) for i, text in check.not_recorded],
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

    The product the text names exactly (`product_exact_match`) comes first, marked,
    so Enter in Product (a scanner's, after the code) can pick it.
    """
    query = request.GET.get("q", "").strip()
    exact = product_exact_match(query)
    others = sellable_products().search(query).order_by("name", "id")
    if exact:
        others = others.exclude(pk=exact.pk)
    products = ([exact] if exact else []) + list(others[: 10 - bool(exact)])
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
    """The look-up keys of the serials typed on the sale (usable ones, at most TYPED_LIMIT)."""
    texts = serials_parse(text[: TYPED_LIMIT * 101])[:TYPED_LIMIT]
    return sorted({SerialRecord.normalise(t) for t in texts if not serial_text_problem(t)})
