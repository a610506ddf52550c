"""Receive on a stock order: the Scan serial numbers box, its live check, the Supplier list."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from inventory.models import StockOrder, StockOrderLine
from inventory.receiving_forms import ReceiveForm, SupplierListForm
from inventory.services.receiving import (
    ExpectedLoad,
    LineProgress,
    ReceiveCheck,
    ReceiveRejected,
    expected_counts,
    expected_serials,
    receivable_problem,
    receive_check,
    stock_order_expected_load,
    stock_order_receive,
)
from inventory.services.serials import FORMAT_OVERRIDE_PERMISSION
from lib.mixins import signed_in_user

PERMISSION = "inventory.receive_stockorder"


def _order(pk: int) -> StockOrder:
    return get_object_or_404(StockOrder.objects.select_related("supplier", "outlet"), pk=pk)


def _lines(order: StockOrder) -> list[StockOrderLine]:
    return list(order.lines.select_related("product").order_by("pk"))


def _page(
    request: HttpRequest,
    order: StockOrder,
    lines: list[StockOrderLine],
    form: ReceiveForm,
    check: ReceiveCheck | None = None,
    load: ExpectedLoad | None = None,
    upload: SupplierListForm | None = None,
    status: int = 200,
) -> HttpResponse:
    expected, waiting = expected_counts(order=order)
    received_at = parse_datetime(request.GET.get("received_at", "")[:40])
    labels_url = ""
    if received_at is not None and received_at.tzinfo is not None:
        # Every unit of one Receive shares its time: the labels page's batch filter.
        query = urlencode({"added_at": received_at.isoformat()})
        labels_url = f"{reverse('inventory:serial_labels')}?{query}"
    context = {
        "order": order,
        "form": form,
        "check": check,
        "progress": check.lines if check else [LineProgress(line) for line in lines],
        "receivable": receivable_problem(order) is None,
        "closed_reason": (receivable_problem(order) or ("", ""))[1],
        "load": load,
        "upload": upload or SupplierListForm(),
        "expected": expected,
        "expected_waiting": waiting,
        "labels_url": labels_url,
        "back_url": order.get_absolute_url(),
        "format_confirmable": _format_confirmable(request, form, check),
    }
    return render(request, "inventory/stockorder_receive.html", context, status=status)


def _format_confirmable(
    request: HttpRequest, form: ReceiveForm, check: ReceiveCheck | None
) -> bool:
    """Whether to offer "Add anyway": format problems (or the box ticked, which makes them
    Matched), and a user who may record them."""
    asked = bool(check and check.format_problems) or bool(form.data.get("format_confirmed"))
    return asked and request.user.has_perm(FORMAT_OVERRIDE_PERMISSION)


def _form(request: HttpRequest, order: StockOrder, lines, data=None, **kwargs) -> ReceiveForm:
    check_url = reverse("inventory:stock_order_receive_check", args=[order.pk])
    return ReceiveForm(data, lines=lines, check_url=check_url, **kwargs)


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def stock_order_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The Receive page; its buttons: Generate, Check scans, Receive."""
    order, user = _order(pk), signed_in_user(request)
    lines = _lines(order)
    if request.method == "GET":
        return _page(request, order, lines, _form(request, order, lines))
    if "fill_expected" in request.POST:
        data = request.POST.copy()
        data["serial_numbers"] = "\n".join(expected_serials(order=order))
        form = _form(request, order, lines, data)
        return _page(request, order, lines, form, _checked(form, order))
    generate = "generate" in request.POST
    form = _form(request, order, lines, request.POST, generate=generate)
    if generate:
        if form.is_valid():
            form = _form(request, order, lines, form.box_with_generated())
        return _page(request, order, lines, form, _checked(form, order))
    if "receive" not in request.POST or not form.is_valid():
        return _page(request, order, lines, form, _checked(form, order))
    try:
        result = stock_order_receive(
            order=order,
            text=form.cleaned_data["serial_numbers"],
            quantities=form.quantities(),
            user=user,
            format_confirmed=form.cleaned_data["format_confirmed"],
        )
    except ReceiveRejected as rejected:
        form.add_error(None, rejected)
        return _page(request, order, lines, form, rejected.check, status=400)
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, ValidationError(str(error.args[0]) if error.args else ""))
        return _page(request, order, lines, form, _checked(form, order), status=400)
    messages.success(request, _received_message(result.units, result.quantity, result.check))
    url = reverse("inventory:stock_order_receive", args=[order.pk])
    return redirect(f"{url}?{urlencode({'received_at': result.created_at.isoformat()})}")


def _checked(form: ReceiveForm, order: StockOrder) -> ReceiveCheck | None:
    """The live check of the box as submitted; None when the form cannot be read."""
    if not form.is_valid() and form.has_error("serial_numbers"):
        return None
    try:
        return receive_check(
            order=order,
            text=form.data.get("serial_numbers", ""),
            format_confirmed=bool(form.data.get("format_confirmed")),
        )
    except ValidationError as error:
        form.add_error("serial_numbers", error)
        return None


def _received_message(units: int, quantity: int, check: ReceiveCheck) -> str:
    parts = []
    if units:
        parts.append(
            ngettext(
                "Received %(count)s serial number.", "Received %(count)s serial numbers.", units
            )
            % {"count": units}
        )
    if quantity:
        parts.append(
            ngettext(
                "Received %(count)s unit by quantity.",
                "Received %(count)s units by quantity.",
                quantity,
            )
            % {"count": quantity}
        )
    left = len(check.not_on_order) + len(check.already_recorded) + len(check.problems)
    if left:
        parts.append(
            ngettext(
                "%(count)s entry was not received.", "%(count)s entries were not received.", left
            )
            % {"count": left}
        )
    return " ".join(parts)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def stock_order_receive_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The lists and the lines' N of M received for the box as typed so far (htmx)."""
    order = _order(pk)
    lines = _lines(order)
    form = _form(request, order, lines, request.POST)
    check = _checked(form, order)
    context = {
        "order": order,
        "check": check,
        "form": form,
        "progress": check.lines if check else [LineProgress(line) for line in lines],
        "format_confirmable": _format_confirmable(request, form, check),
    }
    return render(request, "inventory/stockorder_receive_check.html", context)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def stock_order_supplier_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Supplier list: the CSV of serials on their way, loaded as what the order expects."""
    order = _order(pk)
    lines = _lines(order)
    upload = SupplierListForm(request.POST, request.FILES)
    form = _form(request, order, lines)
    if not upload.is_valid():
        return _page(request, order, lines, form, upload=upload, status=400)
    try:
        load = stock_order_expected_load(order=order, csv_text=upload.cleaned_data["file"]["text"])
    except ValidationError as error:
        upload.add_error("file", error)
        return _page(request, order, lines, form, upload=upload, status=400)
    messages.success(
        request,
        ngettext(
            "The supplier list adds %(count)s expected serial number.",
            "The supplier list adds %(count)s expected serial numbers.",
            load.added,
        )
        % {"count": load.added},
    )
    if load.not_on_order or load.already_recorded or load.problems:
        return _page(request, order, lines, form, load=load)
    return redirect("inventory:stock_order_receive", pk=order.pk)
