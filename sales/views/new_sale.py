"""New sale, the sale's page and its receipt, and the New sale page's fragments."""

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
from config.mixins import signed_in_user
from inventory.models import Outlet, SerialRecord, SerialStatus
from sales import selectors
from sales.forms_sale import SaleForm, SaleLineFormSet
from sales.services import SaleCheck, SaleRefused, sale_create

# Enough to pick from on a counter; more than this means typing or scanning.
SERIAL_OPTIONS_LIMIT = 60


class SaleCreateView(PermissionRequiredMixin, TemplateView):
    """Sales > New sale: the form, and on POST `sale_create` or the reasons it refused."""

    permission_required = "sales.add_sale"
    raise_exception = True
    template_name = "sales/sale_form.html"
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.get_context_data(form=SaleForm(), lines=SaleLineFormSet(prefix="lines"))
        )

    def post(self, request, *args, **kwargs):
        form = SaleForm(request.POST)
        lines = SaleLineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and lines.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        # The service numbers the lines it was given; the page, the forms they came from.
        filled = [i for i, line in enumerate(lines.forms) if line.cleaned_data]
        try:
            sale = sale_create(
                outlet=form.cleaned_data["outlet"],
                customer=form.cleaned_data["customer"],
                lines=[lines.forms[i].line_input() for i in filled],
                clerk=signed_in_user(request),
                record_new=form.cleaned_data["record_new"],
                sell_here=form.cleaned_data["sell_here"],
            )
        except SaleRefused as refused:
            context = _refusal_context(refused.check, lines=lines, filled=filled)
            context.update(record_new=form.cleaned_data["record_new"])
            context.update(sell_here=form.cleaned_data["sell_here"])
            return self.render_to_response(
                self.get_context_data(form=form, lines=lines, **context)
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        messages.success(request, _("Sale %(number)s completed.") % {"number": sale.number})
        return redirect(sale)


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
    """Type-ahead matches for a line's Product: active products, each with its retail price."""
    query = request.GET.get("q", "").strip()
    products = Product.objects.filter(is_active=True).search(query).order_by("name", "id")[:10]
    context = {"products": products, "query": query}
    return render(request, "sales/includes/_product_options.html", context)


@require_GET
@permission_required("sales.add_sale", raise_exception=True)
def customer_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for Customer, by name, email or phone."""
    query = request.GET.get("q", "").strip()
    customers = selectors.customer_options(query=query) if "\x00" not in query else []
    context = {"customers": customers, "query": query}
    return render(request, "sales/includes/_customer_options.html", context)


def _pk(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 19 else None


@require_GET
@permission_required("sales.add_sale", raise_exception=True)
def serial_options(request: HttpRequest) -> HttpResponse:
    """A line's "Pick from stock": the product's serials In stock at the chosen outlet."""
    product_pk = _pk(request.GET.get("product", "").strip())
    outlet_pk = _pk(request.GET.get("outlet", "").strip())
    product = Product.objects.filter(pk=product_pk).first() if product_pk else None
    outlet = Outlet.objects.filter(pk=outlet_pk).first() if outlet_pk else None
    serials: list[SerialRecord] = []
    if product and outlet:
        in_stock = SerialRecord.objects.filter(
            product=product, outlet=outlet, status=SerialStatus.IN_STOCK
        ).order_by("serial_normalised", "id")
        serials = list(in_stock[: SERIAL_OPTIONS_LIMIT + 1])
    context = {
        "product": product,
        "outlet": outlet,
        "serials": serials[:SERIAL_OPTIONS_LIMIT],
        "more": len(serials) > SERIAL_OPTIONS_LIMIT,
    }
    return render(request, "sales/includes/_serial_options.html", context)
