"""The serial page, Look up serial and Delete serial: a unit with what sales knows of it.

They show the sale a unit is on (customer, date, warranty) and point to Return
and Open warranty claim, so they live in sales, the highest app they need;
config/urls.py wires them at inventory's paths. Inventory's own changes (Edit,
Transfer, Write off, Mark faulty) stay inventory views.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DeleteView, DetailView

from inventory import selectors as inventory_selectors
from inventory import services as inventory_services
from inventory.forms import SerialDeleteForm
from inventory.models import SerialEvent, SerialRecord, SerialStatus
from inventory.selectors.supplier_returns import serial_supplier_return
from inventory.selectors.transfers import transfer_of_unit
from inventory.views.serial_changes import (
    TOKEN,
    ChangeFromPageMixin,
    SerialPermissionMixin,
    get_serial_or_404,
)
from lib.ids import parse_id
from lib.mixins import signed_in_user
from lib.scans import scan_trim
from sales.selectors import SerialSale, serial_lookup_scan, serial_sale_now, serial_sales_now


@dataclass(frozen=True)
class SaleActions:
    """The serial page's sales buttons for a unit on a sale, as far as the user may use them."""

    return_url: str | None = None
    claim_url: str | None = None


def sale_actions(
    request: HttpRequest, serial: SerialRecord, sale: SerialSale | None
) -> SaleActions:
    """Return and Open warranty claim, for a unit on a sale (none for any other)."""
    if sale is None:
        return SaleActions()
    user = request.user
    return SaleActions(
        return_url=reverse("sales:return_create", args=[serial.pk])
        if user.has_perm("sales.add_return")
        else None,
        claim_url=reverse("sales:claim_create", args=[serial.pk])
        if user.has_perm("sales.add_warrantyclaim")
        else None,
    )


def serial_advice(
    *, serial: SerialRecord, was_sold: bool, request: HttpRequest, actions: SaleActions
) -> SafeString | None:
    """Why Delete or Write off is missing from the serial page, and what to do instead.

    Said only to users who may delete or write off serials (the ones who look
    for those buttons), and only pointing to actions the page offers them.
    """
    may_delete = request.user.has_perm("inventory.delete_serialrecord")
    may_write_off = request.user.has_perm("inventory.writeoff_serialrecord")
    if not (may_delete or may_write_off):
        return None
    if serial.status == SerialStatus.SOLD:
        if actions.return_url is None:
            return format_html(
                "{}", _("Sold units cannot be deleted or written off until they are returned.")
            )
        link = format_html('<a href="{}">{}</a>', actions.return_url, _("record a Return"))
        return format_html(
            _("Sold units cannot be deleted or written off: {return_link} first."),
            return_link=link,
        )
    if not (was_sold and may_delete):
        return None
    if serial.status == SerialStatus.WRITTEN_OFF:
        message = _("This serial number was sold, so it cannot be deleted; it keeps its history.")
    elif may_write_off:
        message = _("This serial number was sold, so it cannot be deleted. Write it off instead.")
    else:
        message = _("This serial number was sold, so it cannot be deleted.")
    return format_html("{}", message)


class SerialDetailView(SerialPermissionMixin, DetailView):
    permission_required = "inventory.view_serialrecord"
    http_method_names = ["get", "head", "options"]
    template_name = "sales/serial_detail.html"
    context_object_name = "serial"

    def get_object(self, queryset=None):
        return get_serial_or_404(self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        page = self.history_page()
        sale = serial_sale_now(serial=self.object)
        actions = sale_actions(self.request, self.object, sale)
        return super().get_context_data(
            history=page.events,
            history_page=page,
            serial_sale=sale,
            warranty=sale.warranty if sale else None,
            was_sold=page.ever_sold,
            actions=actions,
            # An In transit unit's transfer (no query for any other unit).
            transit=transfer_of_unit(serial=self.object),
            advice=serial_advice(
                serial=self.object, was_sold=page.ever_sold, request=self.request, actions=actions
            ),
            supplier_return=serial_supplier_return(serial=self.object),
            **kwargs,
        )

    def history_page(self) -> inventory_selectors.HistoryPage:
        """The newest lines of history, or those after ?older_than=<event id> (Older events)."""
        older_than = self.request.GET.get("older_than")
        if older_than is None:
            return inventory_selectors.serial_history_page(serial=self.object)
        no_such_event = Http404(_("No such event in this serial number's history."))
        pk = parse_id(older_than)
        if pk is None:
            raise no_such_event
        try:
            return inventory_selectors.serial_history_page(serial=self.object, older_than=pk)
        except SerialEvent.DoesNotExist:
            raise no_such_event from None


class SerialDeleteView(SerialPermissionMixin, ChangeFromPageMixin, DeleteView):
    """Delete serial: inventory's change, refused with the serial page's advice once sold."""

    permission_required = "inventory.delete_serialrecord"
    form_class = SerialDeleteForm
    context_object_name = "serial"
    template_name = "sales/serial_confirm_delete.html"

    def get_object(self, queryset=None):
        return get_serial_or_404(self.kwargs["pk"])

    def shown_serials(self) -> list[SerialRecord]:
        return [self.object]

    def get_context_data(self, **kwargs):
        was_sold = inventory_selectors.serial_was_sold(serial=self.object)
        sale = serial_sale_now(serial=self.object) if was_sold else None
        advice = serial_advice(
            serial=self.object,
            was_sold=was_sold,
            request=self.request,
            actions=sale_actions(self.request, self.object, sale),
        )
        return super().get_context_data(was_sold=was_sold, advice=advice, **kwargs)

    def form_valid(self, form):
        try:
            inventory_services.serial_delete(
                serial=self.object,
                user=signed_in_user(self.request),
                seen_updated_at=form.cleaned_data[TOKEN],
            )
        except ValidationError as error:
            return self.refuse(form, error)
        message = _("Serial number “%(serial)s” deleted.") % {"serial": self.object}
        messages.success(self.request, message)
        return redirect("inventory:serial_list")


@dataclass(frozen=True)
class LookupRow:
    """A line of the look-up's short list: the unit, and the sale it is on (if Sold)."""

    serial: SerialRecord
    sale: SerialSale | None

    @property
    def customer(self):
        return self.sale.customer if self.sale else None


@require_GET
@permission_required("inventory.view_serialrecord", raise_exception=True)
def serial_lookup(request: HttpRequest) -> HttpResponse:
    """The "Look up serial" page: one exact match opens its page, else the matches are listed.

    Typed text, a scan (looked up by its serial, its GTIN choosing the product) or
    the address on one of our QR labels (`sales.selectors.serial_lookup_scan`).
    """
    # Trimmed as scans are: a GS at either end (FNC1) is part of a scan.
    text = scan_trim(request.GET.get("q", ""))
    looked_up = serial_lookup_scan(text=text)
    found = looked_up.found
    if len(found.exact) == 1 and not looked_up.other_products:
        return redirect(found.exact[0])
    records = found.exact or found.partial
    sales = serial_sales_now(records)
    serial = looked_up.serial
    context = {
        "found": found,
        "looked_up": looked_up,
        "rows": [LookupRow(record, sales.get(record.pk)) for record in records],
        "lookup_query": text,
        # What was looked up: the text, or the serial of a scan or a label's unit.
        "looked_up_text": serial,
        "list_query": urlencode({"q": serial}),
        "customer_search_url": (
            f"{reverse('sales:customer_list')}?{urlencode({'q': text})}"
            if text and not (looked_up.scan and looked_up.scan.is_gs1) and not looked_up.error
            else ""
        ),
    }
    return render(request, "sales/serial_lookup.html", context)
