"""Inventory > Stock control, Order stock and the order page ("Stock order N")."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters.views import FilterView

from catalog.selectors import product_suggestions
from inventory.filters_stock import StockControlFilter
from inventory.forms_stock import StockOrderForm, orderable_products, stock_order_lines_formset
from inventory.models import StockOrder, StockOrderStatus
from inventory.selectors.stock_control import (
    VIEW_PERMISSIONS,
    stock_control_rows,
    stock_documents,
)
from inventory.selectors.stock_orders import (
    stock_order_detail,
    stock_order_lines,
    stock_order_total,
)
from inventory.services import stock_orders as services
from lib.mixins import ListPageMixin, signed_in_user


class StockControlListView(ListPageMixin, FilterView):
    """Stock orders, transfers and supplier returns together, newest first.

    Each user sees the kinds of document they may view; the page needs one of them.
    """

    filterset_class = StockControlFilter
    template_name = "inventory/stockorder_list.html"

    def viewable_kinds(self) -> list[str]:
        user = self.request.user
        return [kind for kind, perm in VIEW_PERMISSIONS.items() if user.has_perm(perm)]

    def has_permission(self) -> bool:
        return bool(self.viewable_kinds())

    def get_queryset(self):
        return stock_documents(kinds=self.viewable_kinds())

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "kinds": self.viewable_kinds()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The page's (kind, number) entries, read as the rows the table shows.
        context["documents"] = stock_control_rows(context["object_list"])
        return context


def _order_or_404(pk: int) -> StockOrder:
    try:
        return stock_order_detail(pk)
    except StockOrder.DoesNotExist as error:
        raise Http404 from error


def _errors_to_form(form: StockOrderForm, error: ValidationError) -> None:
    """A service refusal on the page: each message on its field, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _seen(order: StockOrder | None) -> str:
    return order.updated_at.isoformat() if order is not None else ""


def _order_form_page(request: HttpRequest, order: StockOrder | None) -> HttpResponse:
    """Order stock (order None) or its Edit: the order's fields and lines, Save order."""
    if request.method == "POST":
        form = StockOrderForm(request.POST, order=order)
        formset = stock_order_lines_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            fields = {k: data[k] for k in ("supplier", "outlet", "reference", "due", "note")}
            user = signed_in_user(request)
            try:
                if order is None:
                    saved = services.stock_order_create(
                        **fields, lines=formset.line_inputs(), user=user
                    )
                else:
                    seen = datetime.fromisoformat(data["seen"]) if data["seen"] else None
                    saved = services.stock_order_update(
                        order=order,
                        **fields,
                        lines=formset.line_inputs(),
                        user=user,
                        seen_updated_at=seen,
                    )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                if order is None:
                    text = _("Stock order %(number)s saved as Open.")
                else:
                    text = _("Stock order %(number)s saved.")
                messages.success(request, text % {"number": saved.pk})
                return redirect(saved)
    elif order is None:
        form = StockOrderForm()
        formset = stock_order_lines_formset()
    else:
        initial = {
            "supplier": order.supplier_id,
            "outlet": order.outlet_id,
            "reference": order.reference,
            "due": order.due,
            "note": order.note,
            "seen": _seen(order),
        }
        form = StockOrderForm(initial=initial, order=order)
        lines = [
            {"product": line.product, "quantity": line.quantity, "cost": line.cost}
            for line in stock_order_lines(order)
        ]
        formset = stock_order_lines_formset(initial=lines)
    context = {"form": form, "lines": formset, "order": order}
    return render(request, "inventory/stockorder_form.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_stockorder", raise_exception=True)
def stock_order_create(request: HttpRequest) -> HttpResponse:
    return _order_form_page(request, None)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_stockorder", raise_exception=True)
def stock_order_update(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(pk)
    if order.status not in services.EDITABLE:
        messages.error(
            request,
            _("Stock order %(number)s is %(status)s, so it can no longer be edited.")
            % {"number": order.pk, "status": order.get_status_display().lower()},
        )
        return redirect(order)
    return _order_form_page(request, order)


@require_GET
@permission_required("inventory.view_stockorder", raise_exception=True)
def stock_order_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(pk)
    lines = list(stock_order_lines(order))
    user = request.user
    received_any = any(line.received for line in lines)
    status = order.status
    context = {
        "order": order,
        "lines": lines,
        "total": stock_order_total(lines),
        "can_edit": status in services.EDITABLE and user.has_perm("inventory.change_stockorder"),
        "can_send": status in services.SENDABLE and user.has_perm("inventory.change_stockorder"),
        "can_cancel": status in services.CANCELLABLE
        and not received_any
        and user.has_perm("inventory.change_stockorder"),
        "can_receive": status in services.RECEIVABLE
        and user.has_perm("inventory.receive_stockorder"),
        "partly": status == StockOrderStatus.PARTLY_RECEIVED,
    }
    return render(request, "inventory/stockorder_detail.html", context)


@require_POST
@permission_required("inventory.change_stockorder", raise_exception=True)
def stock_order_send(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(pk)
    try:
        services.stock_order_send(order=order, user=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Stock order %(number)s marked as sent.") % {"number": pk})
    return redirect(order)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_stockorder", raise_exception=True)
def stock_order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm; POST: cancel the order."""
    order = _order_or_404(pk)
    if request.method == "GET":
        return render(request, "inventory/stockorder_cancel.html", {"order": order})
    try:
        services.stock_order_cancel(order=order, user=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Stock order %(number)s cancelled.") % {"number": pk})
    return redirect(order)


@require_GET
def stock_order_product_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for a line's Product: active products; an exact match first."""
    user = request.user
    if not (
        user.has_perm("inventory.add_stockorder") or user.has_perm("inventory.change_stockorder")
    ):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    products, exact = product_suggestions(orderable_products(), query)
    context = {"products": products, "query": query, "exact": exact}
    return render(request, "inventory/includes/_stockorder_product_options.html", context)
