"""Return stock, its live scan check, the page "Supplier return N" and a unit's outcome."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inventory.forms_supplier_returns import SupplierReturnForm, SupplierReturnResolveForm
from inventory.models import SupplierReturn, SupplierReturnOutcome, SupplierReturnStatus
from inventory.selectors.supplier_returns import supplier_return_detail, supplier_return_units
from inventory.services.supplier_returns import (
    ReturnCheck,
    supplier_return_check,
    supplier_return_resolve,
    supplier_return_send,
)
from lib.ids import parse_id
from lib.mixins import signed_in_user


def _errors_to_form(form: Form, error: ValidationError) -> None:
    """A service refusal on the page: each message on its field, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _form(data=None) -> SupplierReturnForm:
    return SupplierReturnForm(data, check_url=reverse("inventory:supplier_return_check"))


def _checked(form: SupplierReturnForm) -> ReturnCheck | None:
    """The check of the box as submitted, against From when one is chosen."""
    text = form.data.get("serial_numbers", "")
    if not text.strip():
        return None
    form.is_valid()  # cleans From (its errors show on the page, not in the lists)
    outlet = form.cleaned_data.get("outlet")
    try:
        return supplier_return_check(outlet=outlet, text=text)
    except ValidationError as error:
        form.add_error("serial_numbers", error)
        return None


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_supplierreturn", raise_exception=True)
def supplier_return_create(request: HttpRequest) -> HttpResponse:
    """Return stock: Supplier, From, the units scanned, Reason, Supplier reference, Note; Send."""
    if request.method == "GET":
        return render(request, "inventory/supplierreturn_form.html", {"form": _form()})
    form = _form(request.POST)
    valid = form.is_valid()
    check = _checked(form)
    if valid and check is not None and "send" in request.POST:
        if check.problems:
            form.add_error(
                "serial_numbers",
                _("Some entries cannot be returned (listed below). Correct or remove them."),
            )
        else:
            data = form.cleaned_data
            try:
                sent = supplier_return_send(
                    supplier=data["supplier"],
                    outlet=data["outlet"],
                    serials=check.units,
                    reason=data["reason"],
                    supplier_reference=data["supplier_reference"],
                    note=data["note"],
                    user=signed_in_user(request),
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                count = len(check.units)
                messages.success(
                    request,
                    ngettext(
                        "%(document)s sent: %(count)s unit at the supplier.",
                        "%(document)s sent: %(count)s units at the supplier.",
                        count,
                    )
                    % {"document": sent, "count": count},
                )
                return redirect(sent)
    elif valid and check is None and "send" in request.POST:
        form.add_error("serial_numbers", _("Scan at least one unit to return."))
    status = 400 if "send" in request.POST else 200
    context = {"form": form, "check": check}
    return render(request, "inventory/supplierreturn_form.html", context, status=status)


@require_POST
@permission_required("inventory.add_supplierreturn", raise_exception=True)
def supplier_return_check_view(request: HttpRequest) -> HttpResponse:
    """The lists of the box as typed so far (htmx)."""
    form = _form(request.POST)
    context = {"form": form, "check": _checked(form)}
    return render(request, "inventory/includes/_supplierreturn_check.html", context)


def _return_or_404(pk: int) -> SupplierReturn:
    try:
        return supplier_return_detail(pk)
    except SupplierReturn.DoesNotExist:
        raise Http404(_("No such supplier return.")) from None


def _detail_page(
    request: HttpRequest,
    supplier_return: SupplierReturn,
    bound: tuple[int, SupplierReturnResolveForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    units = supplier_return_units(supplier_return)
    may_resolve = request.user.has_perm("inventory.change_supplierreturn")
    forms = {}
    if may_resolve:
        for unit in units:
            if not unit.resolved:
                forms[unit.row.pk] = SupplierReturnResolveForm(prefix=f"unit-{unit.row.pk}")
        if bound is not None and bound[0] in forms:
            forms[bound[0]] = bound[1]
    context = {
        "supplier_return": supplier_return,
        "units": units,
        "resolve_forms": [(unit, forms[unit.row.pk]) for unit in units if unit.row.pk in forms],
        "claims": list(supplier_return.claims.order_by("pk")),
        "resolved": supplier_return.status == SupplierReturnStatus.RESOLVED,
    }
    return render(request, "inventory/supplierreturn_detail.html", context, status=status)


@require_GET
@permission_required("inventory.view_supplierreturn", raise_exception=True)
def supplier_return_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _return_or_404(pk))


@require_POST
@permission_required("inventory.change_supplierreturn", raise_exception=True)
def supplier_return_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The supplier's outcome for the unit named by `unit` (its row id on the return)."""
    supplier_return = _return_or_404(pk)
    unit_id = parse_id(request.POST.get("unit", ""))
    if unit_id is None or not supplier_return.units.filter(pk=unit_id).exists():
        messages.error(request, _("That unit is not on this supplier return."))
        return redirect(supplier_return)
    form = SupplierReturnResolveForm(request.POST, prefix=f"unit-{unit_id}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = supplier_return_resolve(
                supplier_return=supplier_return,
                unit_id=unit_id,
                outcome=data["outcome"],
                credit_amount=data["credit_amount"],
                replacement_serial=data["replacement_serial"],
                note=data["note"],
                user=signed_in_user(request),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            text = _("“%(serial)s”: %(outcome)s.") % {
                "serial": row.serial.serial,
                "outcome": row.get_outcome_display(),
            }
            if row.outcome == SupplierReturnOutcome.REPLACED and row.replacement:
                text = _("“%(serial)s”: Replaced by “%(replacement)s”, now In stock.") % {
                    "serial": row.serial.serial,
                    "replacement": row.replacement.serial,
                }
            messages.success(request, text)
            return redirect(supplier_return)
    # The return as the database has it (a refused outcome changed nothing).
    return _detail_page(request, _return_or_404(pk), bound=(unit_id, form), status=400)
