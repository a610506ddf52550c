"""The Product field of "Add Serial numbers": type the name, pick from the list.

A text box (what the user types) and a hidden input (the chosen product's id).
htmx fetches matching products as the user types; `static/js/product-picker.js`
fills the hidden input when one is picked. Without a pick, the typed text is
resolved on the server when it names exactly one product: a scanned or typed
barcode, a SKU, a name (`catalog.selectors.product_matches`).

`Picker` is the type-ahead itself and `PickerField` its field, for any model;
sales' Customer field uses both too.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductQuerySet
from catalog.selectors import product_matches
from lib.ids import parse_id


def product_label(product: Product) -> str:
    return f"{product.name} ({product.sku})"


class Picker(forms.Widget):
    """A text box with suggestions from `options_url_name`, and the picked object's id."""

    template_name = "inventory/widgets/product_picker.html"
    placeholder: Any = ""

    def __init__(self, attrs=None, *, options_url_name: str):
        super().__init__(attrs)
        self.options_url_name = options_url_name
        self.queryset: models.QuerySet[Any] = Product.objects.none()

    def label(self, obj: Any) -> str:
        """The text of `obj` in the box, as its suggestion reads."""
        return str(obj)

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    def value_from_datadict(self, data, files, name):
        return {"pk": data.get(name, ""), "text": data.get(f"{name}_search", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_search" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, dict):
            pk, text = value.get("pk", ""), value.get("text", "")
        else:
            obj = (
                value
                if isinstance(value, models.Model)
                else self.queryset.filter(pk=value).first()
            )
            pk, text = (obj.pk, self.label(obj)) if obj else ("", "")
        # Crispy marks an invalid field with aria-invalid and aria-describedby
        # pointing at its error; they belong on the text box a person uses.
        aria = {k: v for k, v in context["widget"]["attrs"].items() if k.startswith("aria-")}
        context["widget"].update(
            pk=pk,
            text=text,
            aria=aria,
            options_url=reverse(self.options_url_name),
            placeholder=self.placeholder,
        )
        return context


class ProductPicker(Picker):
    placeholder = _("Type a product name, SKU or barcode")

    def __init__(self, attrs=None, *, options_url_name: str = "inventory:product_options"):
        super().__init__(attrs, options_url_name=options_url_name)

    def label(self, obj: Any) -> str:
        return product_label(obj)


class PickerField(forms.Field):
    """A picker's value: the picked object (its id in the hidden input), or else the
    one object the typed text names, through `matches`; "no_match" or "several" if not.
    """

    widget: type[Picker] = Picker
    default_error_messages = {
        "no_match": _("Nothing matches “%(text)s”. Select one from the list."),
        "several": _("Several match “%(text)s”. Select one from the list."),
    }

    def __init__(self, *, queryset: models.QuerySet[Any], **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset
        assert isinstance(self.widget, Picker)
        self.widget.queryset = queryset

    def matches(self, text: str) -> list[Any]:
        """The objects `text` names (at most two: two means it is ambiguous)."""
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        value = value if isinstance(value, dict) else {}
        pk, text = parse_id(str(value.get("pk", "")).strip()), str(value.get("text", "")).strip()
        if pk is not None:
            found = self.queryset.filter(pk=pk).first()
            if found is not None:
                return found
        if not text:
            return None
        # The database refuses the character; nothing can match it anyway.
        matches = self.matches(text) if "\x00" not in text else []
        if not matches:
            raise ValidationError(self.error_messages["no_match"], "no_match", {"text": text})
        if len(matches) > 1:
            raise ValidationError(self.error_messages["several"], "several", {"text": text})
        return matches[0]


class ProductPickerField(PickerField):
    widget = ProductPicker
    default_error_messages = {
        "required": _("Enter and select the product name."),
        "no_match": _(
            "No product with serial numbers matches “%(text)s”. Select one from the list."
        ),
        "several": _("Several products match “%(text)s”. Select one from the list."),
    }

    def __init__(self, *, queryset: ProductQuerySet[Product], **kwargs):
        super().__init__(queryset=queryset, **kwargs)
        self.queryset: ProductQuerySet[Product] = queryset

    def matches(self, text: str) -> list[Product]:
        """A barcode or scan, the SKU, the name, "Name (SKU)", or the one product containing
        the text, in that order (`catalog.selectors.product_matches`)."""
        return product_matches(self.queryset, text)


class ProductFilterPicker(ProductPicker):
    """The picker among a list's filters: a bare ?product=<id> link shows the product's name."""

    # Short enough for a filter column (13rem): "Type a product name or SKU" was
    # cut to "Type a product name or S". The label above says "Product".
    placeholder = _("Name or SKU")

    def __init__(self, attrs=None):
        super().__init__(attrs, options_url_name="inventory:product_filter_options")
        self.chosen: Product | None = None

    def get_context(self, name, value, attrs):
        if isinstance(value, dict) and not value.get("text", "").strip() and self.chosen:
            value = self.chosen
        return super().get_context(name, value, attrs)


class ProductFilterField(ProductPickerField):
    """Any product (with serial numbers or not, active or not), picked or typed; never required."""

    widget: type[ProductPicker] = ProductFilterPicker
    default_error_messages = {
        "no_match": _("No product matches “%(text)s”. Select one from the list."),
        "invalid_choice": _("That product does not exist. Select one from the list."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset=Product.objects.order_by("name", "id"), **kwargs)

    def to_python(self, value):
        # The picker's own parsing skips a pk that is no id (parse_id) for the text.
        product = super().to_python(value)
        if product is None and str(value.get("pk", "")).strip():
            # A link or bookmark naming a product that is gone (or junk): an error,
            # not every serial.
            raise ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        # Rendering shows the name of a product given by id alone (no second query).
        if isinstance(self.widget, ProductFilterPicker):
            self.widget.chosen = product
        return product
