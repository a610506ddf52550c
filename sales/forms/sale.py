"""The New sale form: the sale (Outlet, Customer) and its lines (a formset).

Forms only validate what was typed; `sales.services.sale_create` checks the
serials against the database and says what it refused.
"""

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductQuerySet
from inventory.forms import active_outlets
from inventory.services import serials_parse
from inventory.widgets import Picker, PickerField, ProductPicker, ProductPickerField
from lib.ids import IdChoiceField
from lib.scans import ScanError, scan_parse
from sales.models import Customer
from sales.services import LineInput

# Far above a shop's sale, far below what would make a page or a query slow.
MAX_LINES = 100
MAX_QUANTITY = 10_000


def customer_label(customer: Customer) -> str:
    """A customer as the Customer field shows it: the name and how to reach them."""
    contact = customer.email or customer.phone
    return f"{customer.name} ({contact})" if contact else customer.name


class CustomerPicker(Picker):
    placeholder = _("Type a name, email or phone")

    def __init__(self, attrs=None):
        super().__init__(attrs, options_url_name="sales:customer_options")
        self.queryset = Customer.objects.none()

    def label(self, obj: Any) -> str:
        return customer_label(obj)


class CustomerPickerField(PickerField):
    """An optional customer: picked from the suggestions, or typed so it names exactly one."""

    widget = CustomerPicker
    default_error_messages = {
        "no_match": _(
            "No customer matches “%(text)s”. Select one from the list, or leave Customer empty."
        ),
        "several": _("Several customers match “%(text)s”. Select one from the list."),
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Customer.objects.all(), required=False, **kwargs)

    def matches(self, text: str) -> list[Customer]:
        """By name, email or phone; as "Name (contact)" (what a pick types); else contained."""
        exact = Q(name__iexact=text) | Q(email__iexact=text) | Q(phone__iexact=text)
        matches = list(self.queryset.filter(exact)[:2])
        name, _separator, contact = text.rpartition(" (")
        if not matches and name and contact.endswith(")"):
            contact = contact[:-1]
            named = Q(email__iexact=contact) | Q(phone__iexact=contact)
            matches = list(self.queryset.filter(named, name__iexact=name)[:2])
        if not matches:
            contains = (
                Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
            )
            matches = list(self.queryset.filter(contains)[:2])
        return matches


class SaleForm(forms.Form):
    outlet = IdChoiceField(
        label=_("Outlet"), queryset=active_outlets(), empty_label=_("Select an outlet")
    )
    customer = CustomerPickerField(label=_("Customer"))
    # Set by the "Record as new" and "Sell it here" buttons, never shown as fields.
    record_new = forms.BooleanField(required=False)
    sell_here = forms.BooleanField(required=False)
    # A Manager's "Record as new" of serials that break their product's Serial
    # number format (the service's `format_confirmed`); it records them as new too.
    format_confirmed = forms.BooleanField(required=False)
    # The review's fingerprint of the sale (`sales.services.sale_check`), sent back by
    # the review's Complete sale; "edit": the review's "Change the sale".
    review = forms.CharField(required=False)
    edit = forms.BooleanField(required=False)


def sellable_products() -> ProductQuerySet[Product]:
    return Product.objects.filter(is_active=True)


class SaleLineForm(forms.Form):
    # Not required when a GS1 scan in Serial numbers names the product (its GTIN,
    # AI 01): the sale picks it (`clean`).
    product = ProductPickerField(
        label=_("Product"),
        required=False,
        queryset=sellable_products(),
        widget=ProductPicker(options_url_name="sales:product_options"),
        error_messages={
            "required": _("Enter and select the product name."),
            "no_match": _("No active product matches “%(text)s”. Select one from the list."),
        },
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        initial=1,
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "required": _("Enter the quantity."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("Enter at most %(limit_value)s units on one line."),
        },
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Blank: the retail price."),
        error_messages={"min_value": _("The price cannot be negative.")},
    )
    serial_numbers = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "serial-input", "spellcheck": "false"}),
        help_text=_("One per unit: commas, new lines, tabs or semicolons between them."),
    )

    def clean_serial_numbers(self) -> list[str]:
        # Each entry as typed, or a scan: `sale_create` reads them (lib.scans).
        return serials_parse(self.cleaned_data["serial_numbers"])

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        picked = data.get("product", False)
        if picked is None and not _names_a_product(data.get("serial_numbers", [])):
            message = self.fields["product"].error_messages["required"]
            self.add_error("product", ValidationError(message, code="required"))
        return data

    def line_input(self) -> LineInput:
        data = self.cleaned_data
        return LineInput(
            product=data["product"],
            quantity=data["quantity"],
            unit_price=data.get("unit_price"),
            serials=data["serial_numbers"],
        )


def _names_a_product(entries: list[str]) -> bool:
    """Whether an entry is a GS1 scan with a GTIN, which names the line's product."""
    for text in entries:
        try:
            if scan_parse(text).gtin:
                return True
        except ScanError:
            # Not a product; the sale says what is wrong with the scan.
            continue
    return False


class _SaleLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not any(form.cleaned_data for form in self.forms):
            raise ValidationError(_("Add at least one line."), code="no_lines")

    def filled(self) -> list[int]:
        """The index of each form with a line in it (the service numbers only those)."""
        return [i for i, form in enumerate(self.forms) if form.cleaned_data]

    def typed_total(self) -> Decimal:
        """The sale's total as far as it was typed, as the page's running total adds it up.

        Quantity x Unit price of each line that has both; a blank Unit price is the
        product's retail price.
        """
        total = Decimal(0)
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            product, quantity, price = (data.get(k) for k in ("product", "quantity", "unit_price"))
            if price is None and product is not None:
                price = product.retail_price
            if quantity is not None and price is not None:
                total += quantity * price
        return total


# What the review carries back, unchanged, to Complete sale or to Change the sale.
_AS_TYPED = re.compile(
    r"outlet|customer|customer_search|lines-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS"
    r"|lines-\d{1,3}-(product|product_search|quantity|unit_price|serial_numbers)"
)


def sale_fields_as_typed(data: QueryDict) -> list[tuple[str, str]]:
    """The New sale fields (SaleForm and the lines) as typed, for the review's hidden inputs."""
    return [(name, str(data.get(name, ""))) for name in data if _AS_TYPED.fullmatch(name)]


# formset_factory subclasses `_SaleLineFormSet`; the cast keeps its methods for mypy.
SaleLineFormSet = cast(
    type[_SaleLineFormSet],
    forms.formset_factory(
        SaleLineForm,
        formset=_SaleLineFormSet,
        extra=0,
        min_num=1,
        max_num=MAX_LINES,
        validate_max=True,
        absolute_max=MAX_LINES,
    ),
)
