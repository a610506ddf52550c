"""Sales state changes, one module per subject; import them from here."""

from sales.services.claims import claim_open, claim_replacement_find, claim_update
from sales.services.customers import customer_create, customer_update
from sales.services.returns import return_create
from sales.services.selling import (
    LineInput,
    SaleCheck,
    SaleProblem,
    SaleRefused,
    sale_check,
    sale_create,
    sale_review_lines,
)

__all__ = [
    "LineInput",
    "SaleCheck",
    "SaleProblem",
    "SaleRefused",
    "claim_open",
    "claim_replacement_find",
    "claim_update",
    "customer_create",
    "customer_update",
    "return_create",
    "sale_check",
    "sale_create",
    "sale_review_lines",
]
