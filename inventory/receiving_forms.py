"""The forms of the Receive page: the Scan serial numbers box with Generate and the
quantities, and the Supplier list upload."""

import codecs
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from inventory.forms import GenerateForm, count_field, first_serial_field
from inventory.models import StockOrderLine

QUANTITY_PREFIX = "quantity_"


class ReceiveForm(GenerateForm):
    """Scan serial numbers, Generate (First serial, Count), Quantity received per line."""

    serial_numbers = forms.CharField(
        label=_("Scan serial numbers"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "class": "serial-input", "spellcheck": "false", "autofocus": True}
        ),
        help_text=_(
            "Scan or type the serial numbers, one per line (commas, tabs and semicolons work "
            "too). GS1 scans name their product; for an order of several products, scan a "
            "product's barcode before its serial numbers."
        ),
    )
    # "Add anyway": Managers record the serials that break their product's format.
    format_confirmed = forms.BooleanField(
        label=_("Add anyway"),
        required=False,
        help_text=_("Receive the serial numbers that break their product's format too."),
    )
    first_serial = first_serial_field()
    count = count_field()

    def __init__(
        self,
        *args,
        lines: list[StockOrderLine],
        check_url: str = "",
        generate: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.generating = generate
        if check_url:
            # As scans come in, the lists follow (debounced); without JS, Check scans.
            self.fields["serial_numbers"].widget.attrs.update(
                {
                    "hx-post": check_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#receive-check",
                    "hx-include": "closest form",
                    "hx-sync": "this:replace",
                }
            )
        self.max_entries = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
        self.fields["count"].widget.attrs["max"] = self.max_entries
        self.quantity_lines = [line for line in lines if not line.product.has_serial_numbers]
        for line in self.quantity_lines:
            remaining = max(line.quantity - line.received, 0)
            self.fields[f"{QUANTITY_PREFIX}{line.pk}"] = forms.IntegerField(
                label=_("Quantity received"),
                required=False,
                min_value=0,
                max_value=remaining,
                widget=forms.NumberInput(attrs={"min": 0, "max": remaining}),
                error_messages={"invalid": _("Enter a whole number.")},
            )

    def quantity_fields(self) -> list[tuple[StockOrderLine, forms.BoundField]]:
        return [(line, self[f"{QUANTITY_PREFIX}{line.pk}"]) for line in self.quantity_lines]

    def quantities(self) -> dict[int, int]:
        """The Quantity received of each line without serial numbers (cleaned data)."""
        return {
            line.pk: self.cleaned_data.get(f"{QUANTITY_PREFIX}{line.pk}") or 0
            for line in self.quantity_lines
        }


class SupplierListForm(forms.Form):
    """The supplier's CSV of the serials on their way: serial, and SKU or barcode."""

    file = forms.FileField(
        label=_("Supplier list"),
        help_text=_(
            "A CSV file from the supplier: a column serial and a column SKU (or supplier code) "
            "or barcode. The first row names them."
        ),
        error_messages={"required": _("Choose the supplier's CSV file.")},
    )

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        limit = settings.SERIALDESK_IMPORT_JOB_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("This file is %(size)s; a supplier list can be at most %(max)s."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
            )
        data = upload.read().removeprefix(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
                code="encoding",
            ) from None
        return {"name": upload.name, "text": text}
