"""Warranty claims: Open warranty claim, a claim's page with its updates, and the list."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from inventory.models import SerialRecord, SerialStatus
from lib.mixins import ListPageMixin, signed_in_user
from sales.filters import ClaimFilter
from sales.forms import ClaimOpenForm, ClaimUpdateForm
from sales.forms.claims import ClaimSendToSupplierForm
from sales.models import CLOSED_CLAIM_STATUSES, WarrantyClaim
from sales.selectors import (
    claim_detail_queryset,
    claim_list_queryset,
    claim_replacement_options,
    scanned_serial,
    serial_sale_now,
    warranty_until,
)
from sales.services import claim_open, claim_replacement_find, claim_update
from sales.services.claims import claim_send_to_supplier

# Replacement suggestions on a claim's page: enough to pick from, more means typing.
OPTIONS_SHOWN = 20


class ClaimCreateView(PermissionRequiredMixin, TemplateView):
    """Open warranty claim on a sold unit; an expired warranty is a warning to confirm."""

    permission_required = "sales.add_warrantyclaim"
    raise_exception = True
    template_name = "sales/claim_form.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.serial = get_object_or_404(
            SerialRecord.objects.select_related("product", "outlet"), pk=kwargs["serial_pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ClaimOpenForm()))

    def post(self, request, *args, **kwargs):
        form = ClaimOpenForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            claim = claim_open(
                serial=self.serial,
                fault_description=form.cleaned_data["fault_description"],
                user=signed_in_user(request),
                confirm_expired=form.cleaned_data["confirm_expired"],
            )
        except ValidationError as error:
            # Errors keyed by field (Fault description) land on that field.
            form.add_error(None, error)
            expired = getattr(error, "code", None) == "warranty_expired"
            return self.render_to_response(
                self.get_context_data(form=form, expired_warning=expired)
            )
        messages.success(request, _("Warranty claim %(number)s opened.") % {"number": claim.pk})
        return redirect(claim)

    def get_context_data(self, **kwargs):
        found = serial_sale_now(serial=self.serial)
        sale = found.sale if found else None
        until = found.warranty.until if found else None
        kwargs.setdefault("expired_warning", False)
        return super().get_context_data(
            serial=self.serial,
            sale=sale,
            warranty_until=until,
            warranty_expired=until is not None and until < timezone.localdate(),
            **kwargs,
        )


class ClaimDetailView(PermissionRequiredMixin, DetailView):
    """A claim's page: the unit, sale, customer, the updates, and Update claim."""

    raise_exception = True
    template_name = "sales/claim_detail.html"
    context_object_name = "claim"
    http_method_names = ["get", "post"]

    def get_permission_required(self):
        if self.request.method == "POST":
            return ["sales.view_warrantyclaim", "sales.change_warrantyclaim"]
        return ["sales.view_warrantyclaim"]

    def get_queryset(self):
        return claim_detail_queryset()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ClaimUpdateForm(
            initial={"status": self.object.status}, options_url=self.options_url
        )
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.object = claim = self.get_object()
        if "send_to_supplier" in request.POST:
            return self.send_to_supplier(request, claim)
        form = ClaimUpdateForm(request.POST, options_url=self.options_url)
        if form.is_valid():
            try:
                replacement = claim_replacement_find(
                    claim=claim,
                    status=form.cleaned_data["status"],
                    text=form.cleaned_data["replacement_serial"],
                )
                claim = claim_update(
                    claim=claim,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    user=signed_in_user(request),
                    replacement_serial=replacement,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Warranty claim %(number)s updated: %(status)s.")
                    % {"number": claim.pk, "status": claim.get_status_display()},
                )
                return redirect(claim)
        # The claim as the database has it (a refused update changed nothing).
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=form))

    def send_to_supplier(self, request: HttpRequest, claim: WarrantyClaim) -> HttpResponse:
        """Send to supplier: the claim's unit on a one-unit supplier return (Managers)."""
        if not request.user.has_perm("inventory.add_supplierreturn"):
            raise PermissionDenied
        send_form = ClaimSendToSupplierForm(request.POST, prefix="send")
        if send_form.is_valid():
            try:
                sent = claim_send_to_supplier(
                    claim=claim, **send_form.cleaned_data, user=signed_in_user(request)
                )
            except ValidationError as error:
                # The return's refusals keyed by its own fields (From, the units) go on top.
                for name, errors in getattr(error, "error_dict", {None: [error]}).items():
                    send_form.add_error(name if name in send_form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("%(claim)s sent to the supplier on %(document)s.")
                    % {"claim": claim, "document": sent},
                )
                return redirect(claim)
        self.object = self.get_object()
        form = ClaimUpdateForm(
            initial={"status": self.object.status}, options_url=self.options_url
        )
        context = self.get_context_data(form=form, send_form=send_form)
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs):
        claim: WarrantyClaim = self.object
        updates = list(claim.updates.select_related("user").order_by("-created_at", "-id"))
        until = warranty_until(
            sold_at=claim.sale.created_at, months=claim.serial.product.warranty_months
        )
        closed = claim.status in CLOSED_CLAIM_STATUSES
        # Shown with the Update claim form; typing in the box narrows them (htmx).
        may_update = self.request.user.has_perm("sales.change_warrantyclaim")
        options = (
            claim_replacement_options(claim=claim, limit=OPTIONS_SHOWN)
            if may_update and not closed
            else None
        )
        may_send = (
            not closed
            and claim.serial.status == SerialStatus.SOLD
            and may_update
            and self.request.user.has_perm("inventory.add_supplierreturn")
        )
        if may_send and "send_form" not in kwargs:
            kwargs["send_form"] = ClaimSendToSupplierForm(
                initial={"supplier": claim.serial.product.supplier_id}, prefix="send"
            )
        return super().get_context_data(
            updates=updates,
            warranty_until=until,
            closed=closed,
            replacement_options=options,
            may_send_to_supplier=may_send,
            **kwargs,
        )

    @property
    def options_url(self) -> str:
        return reverse("sales:claim_replacement_options", args=[self.kwargs["pk"]])


@require_GET
@permission_required(
    ["sales.view_warrantyclaim", "sales.change_warrantyclaim"], raise_exception=True
)
def claim_replacement_options_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The Replacement serial's suggestions: In stock units of the claim's product."""
    claim = get_object_or_404(claim_detail_queryset(), pk=pk)
    # A scan in the box suggests the unit of its serial (AI 21).
    query = scanned_serial(request.GET.get("replacement_serial", ""))
    options = claim_replacement_options(claim=claim, query=query, limit=OPTIONS_SHOWN)
    context = {"claim": claim, "replacement_options": options, "query": query.strip()}
    return render(request, "sales/includes/_replacement_options.html", context)


class ClaimListView(ListPageMixin, FilterView):
    permission_required = "sales.view_warrantyclaim"
    filterset_class = ClaimFilter
    template_name = "sales/claim_list.html"
    http_method_names = ["get"]

    def get_queryset(self):
        return claim_list_queryset()
