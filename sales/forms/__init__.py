"""Sales forms, one module per page; import them from here."""

from sales.forms.claims import ClaimOpenForm, ClaimUpdateForm
from sales.forms.customers import CustomerForm
from sales.forms.returns import ReturnForm
from sales.forms.sale import (
    MAX_LINES,
    MAX_QUANTITY,
    SaleForm,
    SaleLineFormSet,
    sale_fields_as_typed,
    sellable_products,
)

__all__ = [
    "MAX_LINES",
    "MAX_QUANTITY",
    "ClaimOpenForm",
    "ClaimUpdateForm",
    "CustomerForm",
    "ReturnForm",
    "SaleForm",
    "SaleLineFormSet",
    "sale_fields_as_typed",
    "sellable_products",
]
