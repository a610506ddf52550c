"""The Product field of "Add Serial numbers": type the name, pick from the list.

A text box (what the user types) and a hidden input (the chosen product's id).
htmx fetches matching products as the user types; `static/js/product-picker.js`
fills the hidden input when one is picked. Without a pick, the typed text is
resolved on the server when it names exactly one product.

`Picker` is the type-ahead itself, for any model; sales' Customer field uses it too.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductQuerySet
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
    placeholder = _("Type a product name or SKU")

    def __init__(self, attrs=None, *, options_url_name: str = "inventory:product_options"):
        super().__init__(attrs, options_url_name=options_url_name)

    def label(self, obj: Any) -> str:
        return product_label(obj)


class ProductPickerField(forms.Field):
    widget = ProductPicker
    default_error_messages = {
        "required": _("Enter and select the product name."),
        "no_match": _(
            "No product with serial numbers matches “%(text)s”. Select one from the list."
        ),
        "several": _("Several products match “%(text)s”. Select one from the list."),
    }

    def __init__(self, *, queryset: ProductQuerySet[Product], **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset
        self.widget.queryset = queryset

    def to_python(self, value):
        pk, text = parse_id(str(value.get("pk", "")).strip()), value.get("text", "").strip()
        if pk is not None:
            product = self.queryset.filter(pk=pk).first()
            if product:
                return product
        if not text:
            return None
        if "\x00" in text:
            # The database refuses the character; nothing can match it anyway.
            raise ValidationError(self.error_messages["no_match"], "no_match", {"text": text})
        matches = self._matches(text)
        if not matches:
            raise ValidationError(self.error_messages["no_match"], "no_match", {"text": text})
        if len(matches) > 1:
            raise ValidationError(self.error_messages["several"], "several", {"text": text})
        return matches[0]

    def _matches(self, text: str) -> list[Product]:
        """Products the typed text names.

        By SKU, by name, or as "Name (SKU)" (what picking a suggestion types);
        failing those, the one product whose name or SKU contains the text, as
        the suggestions would show it alone.
        """
        matches = list(self.queryset.filter(Q(sku__iexact=text) | Q(name__iexact=text))[:2])
        name, _separator, sku = text.rpartition(" (")
        if not matches and name and sku.endswith(")"):
            matches = list(self.queryset.filter(name__iexact=name, sku__iexact=sku[:-1])[:2])
        if not matches:
            matches = list(self.queryset.search(text)[:2])
        return matches


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
