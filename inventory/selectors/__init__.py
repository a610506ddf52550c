"""Inventory reads used in more than one place; import them from here."""

from inventory.selectors.outlets import outlet_count_active, outlet_list

__all__ = [
    "outlet_count_active",
    "outlet_list",
]
