"""Inventory reads used in more than one place; import them from here."""

from inventory.selectors.coverage import (
    StockSerialGap,
    stock_serial_gap_counts,
    stock_serial_gaps,
)
from inventory.selectors.outlets import outlet_list
from inventory.selectors.serials import (
    serial_export_rows,
    serial_list,
    serial_list_page,
    serial_lookup,
    serialised_products,
    serials_matching_exactly,
)
from inventory.selectors.serials_detail import (
    HISTORY_PAGE_SIZE,
    HistoryPage,
    serial_get,
    serial_history,
    serial_history_page,
    serial_was_sold,
    serials_by_pks,
)
from inventory.selectors.stock import product_stock_by_outlet, stock_level_list

__all__ = [
    "StockSerialGap",
    "stock_serial_gap_counts",
    "stock_serial_gaps",
    "serialised_products",
    "serial_export_rows",
    "serial_list",
    "serial_list_page",
    "serial_lookup",
    "serials_matching_exactly",
    "outlet_list",
    "product_stock_by_outlet",
    "stock_level_list",
    "serial_get",
    "serial_history",
    "serial_history_page",
    "HISTORY_PAGE_SIZE",
    "HistoryPage",
    "serial_was_sold",
    "serials_by_pks",
]
