"""Transfer stock (From, To, the box, lines of Product and Quantity, Note) and its Receive."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductQuerySet
from inventory.models import Outlet, TransferLine
from inventory.services.transfers import MAX_LINE_QUANTITY, MAX_LINES, TransferQuantity
from inventory.widgets import ProductPicker, ProductPickerField
from lib.ids import IdChoiceField

QUANTITY_PREFIX = "quantity_"
# The prefix of the lines' fields ("lines-0-product"...), which order-stock.js follows.
LINES_PREFIX = "lines"


def quantity_products() -> ProductQuerySet[Product]:
    """What a line of Transfer stock offers: active products without serial numbers."""
    return Product.objects.filter(is_active=True, has_serial_numbers=False)


def _outlet_field(label: Any) -> IdChoiceField:
    return IdChoiceField(
        label=label,
        queryset=Outlet.objects.none(),
        empty_label=_("Select an outlet"),
        error_messages={
            "required": _("Select an outlet."),
            "invalid_choice": _("That outlet does not exist. Select one from the list."),
        },
    )


class TransferForm(forms.Form):
    """From, To, the serial numbers to send, and a note."""

    from_outlet = _outlet_field(_("From"))
    to_outlet = _outlet_field(_("To"))
    serial_numbers = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "serial-input", "spellcheck": "false"}),
        help_text=_(
            "Scan or type the serial numbers, one per line (commas, tabs and semicolons work "
            "too), or pick them from the stock at From below."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outlets = Outlet.objects.filter(is_active=True).order_by("name", "id")
        for name in ("from_outlet", "to_outlet"):
            field = self.fields[name]
            assert isinstance(field, IdChoiceField)
            field.queryset = outlets

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        origin, destination = data.get("from_outlet"), data.get("to_outlet")
        if origin is not None and origin == destination:
            self.add_error(
                "to_outlet",
                ValidationError(_("From and To must be different outlets."), code="same_outlet"),
            )
        cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
        if len(data.get("serial_numbers", "")) > cap * 120:
            self.add_error(
                "serial_numbers",
                ValidationError(_("Too much text for one transfer."), code="too_long"),
            )
        return data


class TransferLineForm(forms.Form):
    product = ProductPickerField(
        label=_("Product"),
        queryset=quantity_products(),
        widget=ProductPicker(options_url_name="inventory:transfer_product_options"),
        error_messages={
            "required": _("Enter and select the product name."),
            "no_match": _(
                "No active product without serial numbers matches “%(text)s”. "
                "Select one from the list."
            ),
        },
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        initial=1,
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        error_messages={
            "required": _("Enter the quantity."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("Send at most %(limit_value)s units on one line."),
        },
    )


class TransferLines(forms.BaseFormSet):
    """The quantity lines: none or more, one per product."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service's refusals of the lines (stock on hand), shown above them.
        self.line_errors: list[ValidationError] = []

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            if not form.cleaned_data:
                continue
            product = form.cleaned_data["product"]
            if product.pk in seen:
                form.add_error(
                    "product",
                    ValidationError(
                        _(
                            "%(product)s (%(sku)s) is on another line already: one line per "
                            "product, add the quantities up there."
                        ),
                        code="duplicate_product",
                        params={"product": product.name, "sku": product.sku},
                    ),
                )
            seen.add(product.pk)

    def quantities(self) -> list[TransferQuantity]:
        return [
            TransferQuantity(form.cleaned_data["product"], form.cleaned_data["quantity"])
            for form in self.forms
            if form.cleaned_data
        ]


_TransferLineFormSet = forms.formset_factory(
    TransferLineForm,
    formset=TransferLines,
    extra=0,
    min_num=0,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def transfer_lines_formset(data: Any = None) -> TransferLines:
    formset = _TransferLineFormSet(data, prefix=LINES_PREFIX)
    assert isinstance(formset, TransferLines)
    return formset


class TransferReceiveForm(forms.Form):
    """Scan serial numbers, and Quantity received for each line without serial numbers."""

    serial_numbers = forms.CharField(
        label=_("Scan serial numbers"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "class": "serial-input", "spellcheck": "false", "autofocus": True}
        ),
        help_text=_(
            "Scan or type the serial numbers that arrived, one per line (commas, tabs and "
            "semicolons work too)."
        ),
    )

    def __init__(self, *args: Any, lines: list[TransferLine], check_url: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
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

    def quantity_fields(self) -> list[tuple[TransferLine, forms.BoundField]]:
        return [(line, self[f"{QUANTITY_PREFIX}{line.pk}"]) for line in self.quantity_lines]

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(f"{QUANTITY_PREFIX}{line.pk}") or 0
            for line in self.quantity_lines
        }


class TransferCloseForm(forms.Form):
    """Close short: why the rest of the transfer will never arrive."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("For example: lost by the courier, claim 4411."),
    )
