"""Inventory state changes, one module per subject; import them from here."""

from inventory.services.effects import UnitEffects
from inventory.services.outlets import outlet_create, outlet_set_active, outlet_update
from inventory.services.serial_changes import (
    serial_delete,
    serial_mark_faulty,
    serial_reinstate,
    serial_update,
    serial_write_off,
    serials_transfer,
)
from inventory.services.serial_state import (
    ALLOWED_TRANSITIONS,
    serials_change,
    serials_record_sold,
    transition_allowed,
)
from inventory.services.serials import (
    SerialsRejected,
    serial_import_upload_create,
    serials_add,
    serials_import,
    serials_import_check,
    serials_parse,
)
from inventory.services.stock import stock_adjust, stock_set
from inventory.services.tally import TallyDifference, serial_tally_rebuild

__all__ = [
    "UnitEffects",
    "outlet_create",
    "outlet_set_active",
    "outlet_update",
    "SerialsRejected",
    "serial_import_upload_create",
    "serials_add",
    "serials_import",
    "serials_import_check",
    "serials_parse",
    "stock_adjust",
    "stock_set",
    "ALLOWED_TRANSITIONS",
    "serials_change",
    "serials_record_sold",
    "transition_allowed",
    "serial_delete",
    "serial_mark_faulty",
    "serial_reinstate",
    "serial_update",
    "serial_write_off",
    "serials_transfer",
    "TallyDifference",
    "serial_tally_rebuild",
]
