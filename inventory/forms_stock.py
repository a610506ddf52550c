"""Order stock: the order's fields and its lines (a formset, "Add line" adds one)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductQuerySet, Supplier
from inventory.filters import EARLIEST_DATE, LATEST_DATE, ShopDateField
from inventory.models import Outlet, StockOrder
from inventory.services.stock_orders import MAX_COST, MAX_LINE_QUANTITY, MAX_LINES, OrderLineInput
from inventory.widgets import ProductPicker, ProductPickerField
from lib.ids import IdChoiceField
from lib.widgets import ShopDateInput


def orderable_products() -> ProductQuerySet[Product]:
    """What Order stock offers: active products, serialised or not."""
    return Product.objects.filter(is_active=True)


class StockOrderForm(forms.Form):
    """Supplier, Deliver to, Reference, Due and Note of an order."""

    supplier = IdChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),
        empty_label=_("Select a supplier"),
        error_messages={
            "required": _("Select a supplier."),
            "invalid_choice": _("That supplier does not exist. Select one from the list."),
        },
    )
    outlet = IdChoiceField(
        label=_("Deliver to"),
        queryset=Outlet.objects.none(),
        empty_label=_("Select an outlet"),
        error_messages={
            "required": _("Select an outlet."),
            "invalid_choice": _("That outlet does not exist. Select one from the list."),
        },
    )
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_("The supplier's order or quote number, if any."),
    )
    due = ShopDateField(
        label=_("Due"),
        required=False,
        widget=ShopDateInput(min_date=EARLIEST_DATE, max_date=LATEST_DATE),
        validators=[
            MinValueValidator(EARLIEST_DATE, _("Enter a date from 1900 to 2999.")),
            MaxValueValidator(LATEST_DATE, _("Enter a date from 1900 to 2999.")),
        ],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The order's "Updated" time when the edit page was opened (a stale save is refused).
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, order: StockOrder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Active ones, and on an edit the order's own even if it is inactive now.
        suppliers = Q(is_active=True)
        outlets = Q(is_active=True)
        if order is not None:
            suppliers |= Q(pk=order.supplier_id)
            outlets |= Q(pk=order.outlet_id)
        supplier_field = self.fields["supplier"]
        outlet_field = self.fields["outlet"]
        assert isinstance(supplier_field, IdChoiceField)
        assert isinstance(outlet_field, IdChoiceField)
        supplier_field.queryset = Supplier.objects.filter(suppliers).order_by("name", "id")
        outlet_field.queryset = Outlet.objects.filter(outlets).order_by("name", "id")


class StockOrderLineForm(forms.Form):
    product = ProductPickerField(
        label=_("Product"),
        queryset=orderable_products(),
        widget=ProductPicker(options_url_name="inventory:stock_order_product_options"),
        error_messages={
            "required": _("Enter and select the product name."),
            "no_match": _("No active product matches “%(text)s”. Select one from the list."),
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
            "max_value": _("Order at most %(limit_value)s units on one line."),
        },
    )
    cost = forms.DecimalField(
        label=_("Cost"),
        required=False,
        min_value=0,
        max_value=MAX_COST,
        max_digits=10,
        decimal_places=2,
        help_text=_("Per unit. Blank: 0.00."),
        error_messages={
            "min_value": _("The cost cannot be negative."),
            "invalid": _("Enter a number, such as 12.50."),
        },
    )

    def line_input(self) -> OrderLineInput:
        data = self.cleaned_data
        return OrderLineInput(
            product=data["product"], quantity=data["quantity"], cost=data.get("cost")
        )


class StockOrderLines(forms.BaseFormSet):
    """The lines of Order stock: at least one, one per product."""

    def clean(self) -> None:
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.cleaned_data]
        if not filled:
            raise ValidationError(_("Add at least one line."), code="no_lines")
        seen: set[int] = set()
        for form in filled:
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

    def line_inputs(self) -> list[OrderLineInput]:
        return [form.line_input() for form in self.forms if form.cleaned_data]


# The prefix of the lines' fields ("lines-0-product"...), which the page's script follows.
LINES_PREFIX = "lines"

_StockOrderLineFormSet = forms.formset_factory(
    StockOrderLineForm,
    formset=StockOrderLines,
    extra=0,
    min_num=1,
    validate_min=False,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)


def stock_order_lines_formset(
    data: Any = None, *, initial: list[dict[str, Any]] | None = None
) -> StockOrderLines:
    """Order stock's lines: from the POST, or the order's lines (an edit), or one blank line."""
    formset = _StockOrderLineFormSet(data, initial=initial, prefix=LINES_PREFIX)
    assert isinstance(formset, StockOrderLines)
    return formset
