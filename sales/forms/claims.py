"""Open warranty claim, and the form on a claim's page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Supplier
from lib.ids import IdChoiceField
from sales.models import ClaimStatus

# A serial is at most 100 characters; a scan of one (a GS1 code with its GTIN and
# other data, or a Digital Link URL) is longer.
REPLACEMENT_MAX_LENGTH = 500


class ClaimOpenForm(forms.Form):
    fault_description = forms.CharField(
        label=_("Fault description"), widget=forms.Textarea(attrs={"rows": 4})
    )
    # Shown only once the service has warned that the warranty has expired.
    confirm_expired = forms.BooleanField(
        label=_("Open the claim although the warranty has expired"), required=False
    )


class ClaimSendToSupplierForm(forms.Form):
    """Send to supplier on a claim's page: the unit goes back on a supplier return."""

    supplier = IdChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.filter(is_active=True).order_by("name", "id"),
        empty_label=_("Select a supplier"),
        error_messages={
            "required": _("Select a supplier."),
            "invalid_choice": _("That supplier does not exist. Select one from the list."),
        },
    )
    supplier_reference = forms.CharField(
        label=_("Supplier reference"),
        required=False,
        max_length=100,
        help_text=_("The supplier's return number (RMA), if any."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ClaimUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ClaimStatus.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The text typed or scanned (`sales.services.claim_replacement_find` reads it).
    replacement_serial = forms.CharField(
        label=_("Replacement serial"),
        required=False,
        max_length=REPLACEMENT_MAX_LENGTH,
        # The service trims it as scans are trimmed (a GS at either end stays).
        strip=False,
        help_text=_(
            "Only for Resolved: replaced. A unit In stock of the same product: type or "
            "scan its serial number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, options_url: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if options_url:
            # As the user types, htmx asks for the In stock units whose serial
            # contains the text and shows them under the box (the claim page's
            # "In stock" suggestions; claim-replacement.js puts a click in the box).
            self.fields["replacement_serial"].widget.attrs.update(
                {
                    "hx-get": options_url,
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#replacement-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                    "aria-controls": "replacement-options",
                }
            )
