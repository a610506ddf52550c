from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.validators import MinValueValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog import selectors
from catalog.models import Product, Supplier
from lib.ids import IdChoiceField


class SupplierChoiceField(IdChoiceField):
    """The Supplier select: an inactive one (kept as a product's current) says so."""

    def label_from_instance(self, obj: Supplier) -> str:
        if obj.is_active:
            return obj.name
        return _("%(name)s (inactive)") % {"name": obj.name}


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "sku",
            "barcode",
            "brand",
            "supplier",
            "supplier_code",
            "retail_price",
            "warranty_months",
            "is_active",
            "has_serial_numbers",
            "serial_format",
            "serial_pattern",
        ]
        field_classes = {"supplier": SupplierChoiceField}
        widgets = {
            "supplier_code": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
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
        # Active suppliers, and the product's own even once inactive: saving the
        # page unchanged must not drop it.
        supplier = self.fields["supplier"]
        assert isinstance(supplier, SupplierChoiceField)
        supplier.queryset = selectors.supplier_choices(keep=self.instance.supplier_id)
        supplier.empty_label = _("None")
        supplier.error_messages["invalid_choice"] = _("Choose an active supplier.")
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "name",
            "sku",
            "barcode",
            "brand",
            "supplier",
            "supplier_code",
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


class SupplierForm(forms.ModelForm):
    """Add supplier (Name, Email, Phone, Address) and Edit supplier (with Active)."""

    class Meta:
        model = Supplier
        fields = ["name", "email", "phone", "address", "is_active"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        error_messages = {
            "name": {"max_length": _("Enter a name of at most %(limit_value)d characters.")},
            "phone": {
                "max_length": _("Enter a phone number of at most %(limit_value)d characters.")
            },
        }
        help_texts = {
            "is_active": _(
                "An inactive supplier keeps its products and orders but is no longer "
                "offered for new ones."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new supplier is active; the box is for deactivating one later.
        if self.instance.pk is None:
            del self.fields["is_active"]

    def clean_name(self) -> str:
        # On the field: the model's constraint (on Lower("name")) would only be form-wide.
        name = self.cleaned_data["name"].strip()
        if selectors.supplier_name_taken(name=name, exclude_pk=self.instance.pk):
            raise forms.ValidationError(
                _("A supplier with this name already exists."), code="supplier_name_taken"
            )
        return name
