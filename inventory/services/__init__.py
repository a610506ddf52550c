"""Inventory state changes, one module per subject; import them from here."""

from inventory.services.outlets import outlet_create, outlet_set_active, outlet_update

__all__ = [
    "outlet_create",
    "outlet_set_active",
    "outlet_update",
]
