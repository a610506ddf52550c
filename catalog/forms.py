from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.validators import MinValueValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.models import Product


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "sku",
            "barcode",
            "brand",
            "retail_price",
            "warranty_months",
            "is_active",
            "has_serial_numbers",
            "serial_format",
            "serial_pattern",
        ]
        widgets = {
            # A scanner types the digits here as a keyboard would.
            "barcode": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "serial_pattern": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false"}
            ),
        }
        error_messages = {
            "barcode": {"max_length": _("Enter a barcode of 8, 12, 13 or 14 digits.")},
            "serial_pattern": {
                "max_length": _("Enter a pattern of at most %(limit_value)d characters.")
            },
        }
        help_texts = {
            "has_serial_numbers": _(
                "Record a serial number for each unit of this product, "
                "when it arrives or at the time of sale."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The database refuses a negative price too; this says so next to the field.
        price = self.fields["retail_price"]
        price.validators.append(MinValueValidator(0))
        price.widget.attrs["min"] = "0"
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "name",
            "sku",
            "barcode",
            "brand",
            "retail_price",
            "warranty_months",
            "is_active",
            # A real heading inside the legend: the procedure says "Scroll to the
            # Serial numbers section", and screen readers list headings.
            Fieldset(
                format_html('<h2 class="h5 mb-0">{}</h2>', _("Serial numbers")),
                "has_serial_numbers",
                "serial_format",
                "serial_pattern",
                css_class="border-top pt-3 mt-4",
            ),
            Div(
                Submit("save", _("Save")),
                HTML(
                    format_html(
                        '<a class="btn btn-link" href="{}">{}</a>',
                        reverse("catalog:product_list"),
                        _("Cancel"),
                    )
                ),
                css_class="mt-3",
            ),
        )

    def clean_sku(self) -> str:
        # Said here, on the field; the model's constraint would only give a
        # form-wide error (it is on Lower("sku"), not on the field itself).
        sku = self.cleaned_data["sku"].strip()
        if selectors.sku_taken(sku=sku, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("A product with this SKU already exists."), code="sku_taken"
            )
        return sku
