from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from inventory.models import Outlet, SerialRecord
from inventory.services import serials_parse
from inventory.widgets import ProductPickerField


class OutletForm(forms.ModelForm):
    class Meta:
        model = Outlet
        fields = ["name", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class StockSetForm(forms.Form):
    """One outlet's row of the stock form on the product page."""

    outlet = forms.ModelChoiceField(
        queryset=Outlet.objects.filter(is_active=True),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Stock can only be set at an active outlet.")},
    )
    on_hand = forms.IntegerField(
        label=_("On hand"),
        min_value=0,
        error_messages={
            "min_value": _("Stock on hand cannot be negative."),
            "required": _("Enter the units on hand."),
            "invalid": _("Enter a whole number of units."),
        },
    )


class SerialUpdateForm(forms.ModelForm):
    """Correct a serial's text or notes; the service re-checks uniqueness."""

    class Meta:
        model = SerialRecord
        fields = ["serial", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class SerialTransferForm(forms.Form):
    serial = forms.ModelMultipleChoiceField(
        queryset=SerialRecord.objects.all(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Select at least one serial number."),
            "invalid_choice": _("One of the selected serial numbers no longer exists."),
            "invalid_pk_value": _("One of the selected serial numbers no longer exists."),
        },
    )
    outlet = forms.ModelChoiceField(
        queryset=Outlet.objects.filter(is_active=True), label=_("Outlet")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class SerialWriteOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: lost, stolen, scrapped, sent back to the supplier."),
    )


def active_outlets():
    return Outlet.objects.filter(is_active=True).order_by("name")


class SerialsAddForm(forms.Form):
    """The procedure's "Add Serial numbers" form: Product, Outlet, Serial numbers."""

    product = ProductPickerField(
        label=_("Product"),
        queryset=Product.objects.filter(has_serial_numbers=True, is_active=True),
    )
    outlet = forms.ModelChoiceField(
        label=_("Outlet"), queryset=active_outlets(), empty_label=_("Select an outlet")
    )
    serial_numbers = forms.CharField(
        label=_("Serial numbers"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "serial-input", "spellcheck": "false"}),
        help_text=_(
            "Separate serial numbers with commas. New lines, tabs and semicolons work too, "
            "so a barcode scanner can scan straight into this box."
        ),
    )
    # Set by the "Add only the N valid serial numbers" button, never by a field.
    only_valid = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("product", "outlet", "serial_numbers")

    def clean_serial_numbers(self) -> list[str]:
        entries = serials_parse(self.cleaned_data["serial_numbers"])
        if not entries:
            raise forms.ValidationError(_("Enter at least one serial number."), code="empty")
        return entries


class SerialsImportForm(forms.Form):
    """CSV import; after a failed check the file's text travels in `csv_text`."""

    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("Columns: serial, product SKU, outlet. The first row names them."),
    )
    csv_text = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    only_valid = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("file")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            try:
                cleaned["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
                    code="encoding",
                ) from None
        if not cleaned.get("csv_text"):
            raise forms.ValidationError(_("Choose a CSV file to import."), code="required")
        return cleaned
