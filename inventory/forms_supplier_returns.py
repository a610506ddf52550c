"""Return stock (Supplier, From, the scan box, Reason, Supplier reference, Note) and a
returned unit's outcome (Credited, Repaired, Replaced)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier
from inventory.models import Outlet, SupplierReturnOutcome, SupplierReturnReason
from inventory.services.supplier_returns import MAX_CREDIT
from lib.ids import IdChoiceField

# A serial is at most 100 characters; a scan of one (GS1 with its GTIN) is longer.
SCAN_MAX_LENGTH = 500


class SupplierReturnForm(forms.Form):
    supplier = IdChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),
        empty_label=_("Select a supplier"),
        error_messages={
            "required": _("Select a supplier."),
            "invalid_choice": _("That supplier does not exist. Select one from the list."),
        },
    )
    outlet = IdChoiceField(
        label=_("From"),
        queryset=Outlet.objects.none(),
        empty_label=_("Select an outlet"),
        error_messages={
            "required": _("Select the outlet the units leave from."),
            "invalid_choice": _("That outlet does not exist. Select one from the list."),
        },
    )
    serial_numbers = forms.CharField(
        label=_("Scan serial numbers"),
        required=False,
        strip=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "serial-input", "spellcheck": "false"}),
        help_text=_(
            "Scan or type the serial numbers of the units going back, one per line. Each must "
            "be In stock or Faulty at From."
        ),
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Select a reason")), *SupplierReturnReason.choices],
        error_messages={
            "required": _("Select a reason."),
            "invalid_choice": _("Select a reason from the list."),
        },
    )
    supplier_reference = forms.CharField(
        label=_("Supplier reference"),
        required=False,
        max_length=100,
        help_text=_("The supplier's return number (RMA), if any."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, check_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supplier_field = self.fields["supplier"]
        outlet_field = self.fields["outlet"]
        assert isinstance(supplier_field, IdChoiceField)
        assert isinstance(outlet_field, IdChoiceField)
        supplier_field.queryset = Supplier.objects.filter(is_active=True).order_by("name", "id")
        outlet_field.queryset = Outlet.objects.filter(is_active=True).order_by("name", "id")
        if check_url:
            # As scans come in the lists follow (debounced); without JS, Check scans.
            live = {
                "hx-post": check_url,
                "hx-target": "#return-check",
                "hx-include": "closest form",
                "hx-sync": "closest form:replace",
            }
            self.fields["serial_numbers"].widget.attrs.update(
                {**live, "hx-trigger": "input changed delay:300ms"}
            )
            outlet_field.widget.attrs.update({**live, "hx-trigger": "change"})


class SupplierReturnResolveForm(forms.Form):
    """The supplier's outcome for one unit; its fields are prefixed by the unit's row id."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=SupplierReturnOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an outcome."),
            "invalid_choice": _("Choose an outcome from the list."),
        },
    )
    credit_amount = forms.DecimalField(
        label=_("Credit amount"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        max_value=MAX_CREDIT,
        help_text=_("For Credited: what the supplier credits for the unit."),
        error_messages={
            "invalid": _("Enter a number, such as 12.50."),
            "min_value": _("The credit amount cannot be negative."),
            "max_value": _("The credit amount is too large."),
        },
    )
    replacement_serial = forms.CharField(
        label=_("Replacement serial"),
        required=False,
        max_length=SCAN_MAX_LENGTH,
        # The service trims it as scans are trimmed (a GS at either end stays).
        strip=False,
        help_text=_("For Replaced: type or scan the serial number of the unit the supplier sent."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
