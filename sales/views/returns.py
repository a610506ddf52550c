"""Returns: the Return page, a return's page and Sales > Returns."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from inventory.models import SerialRecord
from lib.ids import parse_id
from lib.mixins import ListPageMixin, signed_in_user
from sales.filters import ReturnFilter
from sales.forms import ReturnForm
from sales.models import Return, Sale, SaleLineSerial
from sales.selectors import serial_last_sale
from sales.services import return_create


class ReturnCreateView(PermissionRequiredMixin, FormView):
    """Return <serial>: the unit, its sale and price, and the form that calls `return_create`."""

    permission_required = "sales.add_return"
    raise_exception = True
    form_class = ReturnForm
    template_name = "sales/return_form.html"
    http_method_names = ["get", "post"]

    @cached_property
    def serial(self) -> SerialRecord:
        queryset = SerialRecord.objects.select_related("product", "outlet")
        return get_object_or_404(queryset, pk=self.kwargs["serial_pk"])

    @cached_property
    def from_sale(self) -> Sale | None:
        """The sale named by ?sale= (opened from a line of the sale's page), if any."""
        if "sale" not in self.request.GET:
            return None
        pk = parse_id(self.request.GET["sale"])
        if pk is None:
            raise Http404(_("No such sale."))
        return get_object_or_404(Sale, pk=pk)

    @cached_property
    def unit(self) -> SaleLineSerial | None:
        """The unit's sale link the page is about: its open one first, else its latest."""
        found = serial_last_sale(serial=self.serial, sale=self.from_sale)
        return found.unit if found is not None else None

    def get_initial(self):
        initial = super().get_initial()
        if self.unit is not None:
            initial["outlet"] = self.unit.line.sale.outlet_id
            initial["refund_amount"] = self.unit.line.unit_price
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            serial=self.serial, unit=self.unit, from_sale=self.from_sale, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            return_create(
                serial=self.serial,
                reason=data["reason"],
                outcome=data["outcome"],
                outlet=data["outlet"],
                refund_amount=data["refund_amount"],
                clerk=signed_in_user(self.request),
                note=data["note"],
                sale=self.from_sale,
            )
        except ValidationError as error:
            # Errors keyed by field go next to it; the rest above the form.
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Return recorded."))
        return redirect(self.from_sale or self.serial)


class ReturnDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "sales.view_return"
    raise_exception = True
    template_name = "sales/return_detail.html"
    context_object_name = "return_record"

    def get_queryset(self):
        return Return.objects.select_related(
            "sale", "serial__product", "customer", "outlet", "clerk"
        )


class ReturnListView(ListPageMixin, FilterView):
    """Sales > Returns."""

    permission_required = "sales.view_return"
    filterset_class = ReturnFilter
    template_name = "sales/return_list.html"

    def get_queryset(self):
        return Return.objects.select_related(
            "sale", "serial__product", "customer", "outlet", "clerk"
        ).order_by("-created_at", "-id")
