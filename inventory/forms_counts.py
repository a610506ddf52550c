"""Inventory counts: New count, the scan box, a counted quantity, and Complete count's choices."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from catalog.selectors import brand_list
from inventory.models import InventoryCount, InventoryCountScan, Outlet, SerialRecord
from inventory.selectors.counts import scope_products
from inventory.services.counts import MAX_COUNTED
from inventory.widgets import ProductPicker, ProductPickerField
from lib.ids import IdChoiceField


class CountProductPicker(ProductPicker):
    """A Product picker whose suggestions come from one count's URL (its scope)."""

    def __init__(self, attrs=None, *, options_url: str):
        super().__init__(attrs)
        self.options_url = options_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options_url"] = self.options_url
        return context


def _brand_choices() -> list[tuple[str, str]]:
    return [("", str(_("Any brand"))), *((brand, brand) for brand in brand_list())]


class CountCreateForm(forms.Form):
    """New count: Outlet, optional Product or Brand, Name."""

    outlet = IdChoiceField(
        label=_("Outlet"),
        queryset=Outlet.objects.none(),
        empty_label=_("Select an outlet"),
        error_messages={
            "required": _("Select an outlet."),
            "invalid_choice": _("That outlet does not exist. Select one from the list."),
        },
    )
    product = ProductPickerField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.filter(is_active=True).order_by("name", "id"),
        widget=ProductPicker(options_url_name="inventory:product_filter_options"),
        help_text=_("Count one product only."),
        error_messages={
            "no_match": _("No active product matches “%(text)s”. Select one from the list."),
        },
    )
    brand = forms.ChoiceField(
        label=_("Brand"),
        required=False,
        choices=_brand_choices,
        help_text=_("Or count one brand. Neither: everything at the outlet."),
        error_messages={"invalid_choice": _("No product has that brand. Select one.")},
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=InventoryCount._meta.get_field("name").max_length,
        help_text=_("Blank: the outlet and today's date, such as “Main Street 12 Dec 2026”."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outlet_field = self.fields["outlet"]
        assert isinstance(outlet_field, IdChoiceField)
        outlet_field.queryset = Outlet.objects.filter(is_active=True).order_by("name", "id")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("product") is not None and data.get("brand"):
            self.add_error("brand", _("Count a product or a brand, not both."))
        return data


class CountScanForm(forms.Form):
    """The scan box: Enter sends each scan; a typed or pasted list goes at once."""

    serial_numbers = forms.CharField(
        label=_("Scan serial numbers"),
        strip=False,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "class": "serial-input",
                "spellcheck": "false",
                "autocomplete": "off",
                "autofocus": True,
                "data-count-scan-box": True,
            }
        ),
        help_text=_(
            "Scan each unit: Enter adds it. Or type or paste several, one per line, and "
            "press Add scans."
        ),
        error_messages={"required": _("Scan or type a serial number.")},
    )


class CountQuantityForm(forms.Form):
    """A product without serial numbers and how many of it the count found."""

    product = ProductPickerField(
        label=_("Product"),
        queryset=Product.objects.none(),
        error_messages={
            "required": _("Enter and select the product name."),
            "no_match": _(
                "No product without serial numbers in this count matches “%(text)s”. "
                "Select one from the list."
            ),
        },
    )
    counted = forms.IntegerField(
        label=_("Counted"),
        min_value=0,
        max_value=MAX_COUNTED,
        error_messages={
            "required": _("Enter how many you counted."),
            "invalid": _("Enter a whole number."),
            "min_value": _("The count cannot be negative."),
        },
    )

    def __init__(self, *args: Any, count: InventoryCount, options_url: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, ProductPickerField)
        field.queryset = quantity_products(count)
        picker = CountProductPicker(options_url=options_url)
        picker.queryset = field.queryset
        field.widget = picker  # type: ignore[assignment]


def quantity_products(count: InventoryCount):
    """What a count's quantity form takes: active products of its scope without serials."""
    return (
        scope_products(count)
        .filter(has_serial_numbers=False, is_active=True)
        .order_by("name", "id")
    )


def record_products(count: InventoryCount):
    """What Record takes: active products of the count's scope with serial numbers."""
    return (
        scope_products(count)
        .filter(has_serial_numbers=True, is_active=True)
        .order_by("name", "id")
    )


KEEP, WRITE_OFF = "keep", "write_off"
TRANSFER, LEAVE = "transfer", "leave"
RECORD, IGNORE = "record", "ignore"


class CountCompleteForm(forms.Form):
    """Complete count: a choice per difference shown, and one for every missing unit."""

    as_of = forms.CharField(widget=forms.HiddenInput, required=False)
    missing_all = forms.ChoiceField(
        label=_("Every missing unit"),
        required=False,
        choices=[
            ("", _("As chosen below")),
            (KEEP, _("Keep all")),
            (WRITE_OFF, _("Write off all")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        count: InventoryCount,
        missing: Sequence[SerialRecord],
        elsewhere: Sequence[SerialRecord],
        unrecorded: Sequence[InventoryCountScan],
        record_options_url: str,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.count = count
        self.missing, self.elsewhere, self.unrecorded = missing, elsewhere, unrecorded
        for unit in missing:
            self.fields[f"missing_{unit.pk}"] = forms.ChoiceField(
                label=unit.serial,
                required=False,
                initial=KEEP,
                choices=[(KEEP, _("Keep")), (WRITE_OFF, _("Write off"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        for unit in elsewhere:
            self.fields[f"elsewhere_{unit.pk}"] = forms.ChoiceField(
                label=unit.serial,
                required=False,
                initial=TRANSFER,
                choices=[(TRANSFER, _("Transfer here")), (LEAVE, _("Leave it there"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        products = record_products(count)
        for scan in unrecorded:
            known = self.known_product(scan)
            self.fields[f"record_{scan.pk}"] = forms.ChoiceField(
                label=scan.serial,
                required=False,
                initial=RECORD if known else IGNORE,
                choices=[(RECORD, _("Record")), (IGNORE, _("Ignore"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            if known is None:
                picker = ProductPickerField(
                    label=_("Product"),
                    required=False,
                    queryset=products,
                    widget=CountProductPicker(options_url=record_options_url),
                    error_messages={
                        "no_match": _(
                            "No product with serial numbers in this count matches “%(text)s”. "
                            "Select one from the list."
                        ),
                    },
                )
                self.fields[f"product_{scan.pk}"] = picker

    def known_product(self, scan: InventoryCountScan) -> Product | None:
        """The product a Not recorded scan is recorded for without asking: the count's,
        or the one its GS1 scan named."""
        if self.count.product_id:
            return self.count.product
        return scan.product

    def missing_rows(self) -> list[tuple[SerialRecord, forms.BoundField]]:
        return [(unit, self[f"missing_{unit.pk}"]) for unit in self.missing]

    def elsewhere_rows(self) -> list[tuple[SerialRecord, forms.BoundField]]:
        return [(unit, self[f"elsewhere_{unit.pk}"]) for unit in self.elsewhere]

    def unrecorded_rows(self) -> list[tuple[InventoryCountScan, forms.BoundField, Any, Any]]:
        return [
            (
                scan,
                self[f"record_{scan.pk}"],
                self.known_product(scan),
                self[f"product_{scan.pk}"] if f"product_{scan.pk}" in self.fields else None,
            )
            for scan in self.unrecorded
        ]

    def clean_as_of(self) -> datetime | None:
        text = self.cleaned_data["as_of"].strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text[:40])
        except ValueError:
            raise forms.ValidationError(
                _("The page is out of date: open Complete count again."), code="as_of"
            ) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(
                _("The page is out of date: open Complete count again."), code="as_of"
            )
        return moment

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for scan in self.unrecorded:
            if data.get(f"record_{scan.pk}") != RECORD:
                continue
            name = f"product_{scan.pk}"
            if name in self.fields and data.get(name) is None and name not in self.errors:
                self.add_error(name, _("Choose the product to record “%s” for.") % scan.serial)
        return data

    def choices(self) -> dict[str, Any]:
        """The cleaned choices as `count_apply` takes them."""
        data = self.cleaned_data
        everything = data.get("missing_all") or ""
        record: dict[int, int | None] = {}
        for scan in self.unrecorded:
            if data.get(f"record_{scan.pk}") == RECORD:
                product = data.get(f"product_{scan.pk}")
                record[scan.pk] = product.pk if product is not None else None
        return {
            "write_off": []
            if everything
            else [u.pk for u in self.missing if data.get(f"missing_{u.pk}") == WRITE_OFF],
            "write_off_all": everything == WRITE_OFF,
            "transfer": [
                u.pk for u in self.elsewhere if data.get(f"elsewhere_{u.pk}") == TRANSFER
            ],
            "record": record,
            "as_of": data.get("as_of"),
        }
