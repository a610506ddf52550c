"""Transfer stock (Send), the transfer page ("Transfer N") and its Receive."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import product_suggestions
from inventory.forms_transfers import (
    TransferCloseForm,
    TransferForm,
    TransferLines,
    TransferReceiveForm,
    quantity_products,
    transfer_lines_formset,
)
from inventory.models import Outlet, SerialRecord, SerialStatus, Transfer, TransferLine
from inventory.selectors.transfers import (
    UNITS_SHOWN,
    transfer_age_days,
    transfer_detail,
    transfer_is_overdue,
    transfer_lines,
    transfer_units,
)
from inventory.services import transfers as services
from inventory.services.transfers import (
    LineProgress,
    TransferReceiveCheck,
    TransferReceiveRejected,
)
from lib.ids import parse_id
from lib.mixins import signed_in_user

# The pick list's rows: enough to tick 100 units at once; more means a narrower search.
PICK_LIMIT = 200


def _transfer_or_404(pk: int) -> Transfer:
    try:
        return transfer_detail(pk)
    except Transfer.DoesNotExist as error:
        raise Http404 from error


def _errors_to_form(form: TransferForm, lines: TransferLines, error: ValidationError) -> None:
    """A service refusal on the page: each message on its field, the lines' above the lines."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name == "lines":
            lines.line_errors.extend(errors)
        else:
            form.add_error(name if name in form.fields else None, errors)


def _sent_message(result: services.SendResult) -> str:
    parts = [_("%(transfer)s sent.") % {"transfer": result.transfer}]
    if result.units:
        parts.append(
            ngettext(
                "%(count)s serial number is In transit.",
                "%(count)s serial numbers are In transit.",
                result.units,
            )
            % {"count": result.units}
        )
    if result.quantity:
        parts.append(
            ngettext(
                "%(count)s unit by quantity left the stock of %(outlet)s.",
                "%(count)s units by quantity left the stock of %(outlet)s.",
                result.quantity,
            )
            % {"count": result.quantity, "outlet": result.transfer.from_outlet.name}
        )
    if result.repeated:
        parts.append(
            ngettext(
                "%(count)s entry named a unit already entered; it was sent once.",
                "%(count)s entries named units already entered; each was sent once.",
                result.repeated,
            )
            % {"count": result.repeated}
        )
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_transfer", raise_exception=True)
def transfer_create(request: HttpRequest) -> HttpResponse:
    """Transfer stock: From, To, the serial numbers, lines of quantities, Note; Send."""
    if request.method == "POST":
        form = TransferForm(request.POST)
        lines = transfer_lines_formset(request.POST)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                result = services.transfer_send(
                    from_outlet=data["from_outlet"],
                    to_outlet=data["to_outlet"],
                    text=data["serial_numbers"],
                    quantities=lines.quantities(),
                    note=data["note"],
                    user=signed_in_user(request),
                )
            except ValidationError as error:
                _errors_to_form(form, lines, error)
            else:
                messages.success(request, _sent_message(result))
                return redirect(result.transfer)
        status = 400
    else:
        form = TransferForm()
        lines = transfer_lines_formset()
        status = 200
    context = {
        "form": form,
        "lines": lines,
        "line_errors": lines.line_errors,
        "pick_url": reverse("inventory:transfer_serial_options"),
    }
    return render(request, "inventory/transfer_form.html", context, status=status)


@require_GET
@permission_required("inventory.add_transfer", raise_exception=True)
def transfer_product_options(request: HttpRequest) -> HttpResponse:
    """Type-ahead matches for a line's Product: active products without serial numbers."""
    query = request.GET.get("q", "").strip()[:200]
    products, exact = product_suggestions(quantity_products(), query)
    context = {"products": products, "query": query, "exact": exact}
    return render(request, "inventory/includes/_stockorder_product_options.html", context)


@require_GET
@permission_required("inventory.add_transfer", raise_exception=True)
def transfer_serial_options(request: HttpRequest) -> HttpResponse:
    """The pick list: units In stock at From, by product, whose serial, product or SKU
    contains the search text (htmx)."""
    pk = parse_id(request.GET.get("from_outlet", ""))
    outlet = Outlet.objects.filter(pk=pk).first() if pk is not None else None
    query = request.GET.get("pick_q", "").strip()[:100].replace("\x00", "")
    units: list[SerialRecord] = []
    more = False
    if outlet is not None:
        found = SerialRecord.objects.filter(outlet=outlet, status=SerialStatus.IN_STOCK)
        if query:
            key = SerialRecord.normalise(query)
            found = found.filter(
                Q(serial_normalised__contains=key)
                | Q(product__name__icontains=query)
                | Q(product__sku__icontains=query)
            )
        rows = list(
            found.select_related("product").order_by("product__name", "product_id", "serial")[
                : PICK_LIMIT + 1
            ]
        )
        units, more = rows[:PICK_LIMIT], len(rows) > PICK_LIMIT
    context = {"outlet": outlet, "units": units, "more": more, "query": query}
    return render(request, "inventory/includes/_transfer_pick.html", context)


@require_GET
@permission_required("inventory.view_transfer", raise_exception=True)
def transfer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer_or_404(pk)
    lines = list(transfer_lines(transfer))
    units = transfer_units(transfer)
    sent_units = sum(line.quantity for line in lines if line.product.has_serial_numbers)
    context = {
        "transfer": transfer,
        "lines": lines,
        "units": units,
        "units_more": max(sent_units - len(units), 0) if len(units) >= UNITS_SHOWN else 0,
        "age_days": transfer_age_days(transfer),
        "overdue": transfer_is_overdue(transfer),
        "can_receive": services.receivable_problem(transfer) is None
        and request.user.has_perm("inventory.receive_transfer"),
        "can_close": services.receivable_problem(transfer) is None
        and request.user.has_perm("inventory.close_transfer"),
        "never_arrived": any(line.never_arrived for line in lines),
    }
    return render(request, "inventory/transfer_detail.html", context)


# Receive ---------------------------------------------------------------------------


def _receive_form(transfer: Transfer, lines: list[TransferLine], data=None) -> TransferReceiveForm:
    check_url = reverse("inventory:transfer_receive_check", args=[transfer.pk])
    return TransferReceiveForm(data, lines=lines, check_url=check_url)


def _checked(form: TransferReceiveForm, transfer: Transfer) -> TransferReceiveCheck | None:
    """The live check of the box as submitted; None when the form cannot be read."""
    if not form.is_valid() and form.has_error("serial_numbers"):
        return None
    try:
        return services.transfer_receive_check(
            transfer=transfer, text=form.data.get("serial_numbers", "")
        )
    except ValidationError as error:
        form.add_error("serial_numbers", error)
        return None


def _receive_page(
    request: HttpRequest,
    transfer: Transfer,
    lines: list[TransferLine],
    form: TransferReceiveForm,
    check: TransferReceiveCheck | None,
    status: int = 200,
) -> HttpResponse:
    problem = services.receivable_problem(transfer)
    context = {
        "transfer": transfer,
        "form": form,
        "check": check,
        "progress": check.lines if check else [LineProgress(line) for line in lines],
        "receivable": problem is None,
        "closed_reason": problem[1] if problem else "",
    }
    return render(request, "inventory/transfer_receive.html", context, status=status)


def _received_message(result: services.ReceiveResult) -> str:
    parts = []
    if result.units:
        parts.append(
            ngettext(
                "Received %(count)s serial number.",
                "Received %(count)s serial numbers.",
                result.units,
            )
            % {"count": result.units}
        )
    if result.quantity:
        parts.append(
            ngettext(
                "Received %(count)s unit by quantity.",
                "Received %(count)s units by quantity.",
                result.quantity,
            )
            % {"count": result.quantity}
        )
    missing = len(result.check.missing)
    if missing:
        parts.append(
            ngettext(
                "%(count)s serial number is still missing (In transit).",
                "%(count)s serial numbers are still missing (In transit).",
                missing,
            )
            % {"count": missing}
        )
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.receive_transfer", raise_exception=True)
def transfer_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Receive: the scan box, the live lists, the quantities; Receive, Check scans."""
    transfer = _transfer_or_404(pk)
    lines = list(transfer_lines(transfer))
    if request.method == "GET":
        form = _receive_form(transfer, lines)
        return _receive_page(request, transfer, lines, form, _checked(form, transfer))
    form = _receive_form(transfer, lines, request.POST)
    if "receive" not in request.POST or not form.is_valid():
        check = _checked(form, transfer)
        return _receive_page(
            request, transfer, lines, form, check, status=200 if form.is_valid() else 400
        )
    try:
        result = services.transfer_receive(
            transfer=transfer,
            text=form.cleaned_data["serial_numbers"],
            quantities=form.quantities(),
            user=signed_in_user(request),
        )
    except TransferReceiveRejected as rejected:
        form.add_error(None, rejected)
        return _receive_page(request, transfer, lines, form, rejected.check, status=400)
    except ValidationError as error:
        form.add_error(None, error)
        return _receive_page(request, transfer, lines, form, _checked(form, transfer), status=400)
    messages.success(request, _received_message(result))
    return redirect(result.transfer)


@require_POST
@permission_required("inventory.receive_transfer", raise_exception=True)
def transfer_receive_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The lists and the lines' N of M received for the box as typed so far (htmx)."""
    transfer = _transfer_or_404(pk)
    lines = list(transfer_lines(transfer))
    form = _receive_form(transfer, lines, request.POST)
    check = _checked(form, transfer)
    context = {
        "transfer": transfer,
        "check": check,
        "form": form,
        "progress": check.lines if check else [LineProgress(line) for line in lines],
    }
    return render(request, "inventory/transfer_receive_check.html", context)


# Close short -----------------------------------------------------------------------


def _closed_message(result: services.CloseShortResult) -> str:
    parts = [_("%(transfer)s closed short.") % {"transfer": result.transfer}]
    if result.units:
        parts.append(
            ngettext(
                "%(count)s serial number written off.",
                "%(count)s serial numbers written off.",
                result.units,
            )
            % {"count": result.units}
        )
    if result.quantity:
        parts.append(
            ngettext(
                "%(count)s unit by quantity never arrived.",
                "%(count)s units by quantity never arrived.",
                result.quantity,
            )
            % {"count": result.quantity}
        )
    return " ".join(parts)


@require_http_methods(["GET", "POST"])
@permission_required("inventory.close_transfer", raise_exception=True)
def transfer_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close short: what is still in transit is written off, with a reason (Managers)."""
    transfer = _transfer_or_404(pk)
    lines = list(transfer_lines(transfer))
    form = TransferCloseForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        try:
            result = services.transfer_close_short(
                transfer=transfer, reason=form.cleaned_data["reason"], user=signed_in_user(request)
            )
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _closed_message(result))
            return redirect(result.transfer)
    elif form.is_bound:
        status = 400
    units, quantity = services.transfer_shortfall(transfer, lines)
    problem = services.receivable_problem(transfer)
    context = {
        "transfer": transfer,
        "form": form,
        "units": units,
        "quantity": quantity,
        "closed_reason": problem[1] if problem else "",
    }
    return render(request, "inventory/transfer_close.html", context, status=status)
