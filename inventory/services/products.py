"""Inventory's rules about products (catalog runs them; it cannot import inventory)."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext, ngettext

from catalog.models import Product
from inventory.models import SerialRecord, SerialStatus

# The statuses of a unit the shop still holds or will get back: one of these blocks
# turning serial numbers off, since the unit would come back as stock without one.
HELD_STATUSES = (SerialStatus.IN_STOCK, SerialStatus.IN_TRANSIT, SerialStatus.AT_SUPPLIER)


def product_serials_off_check(product: Product) -> None:
    """Refuse to turn serial numbers off while any unit of the product is In stock,
    In transit or At supplier."""
    counts = dict(
        SerialRecord.objects.filter(product=product, status__in=HELD_STATUSES)
        .values_list("status")
        .annotate(units=Count("pk"))
        .order_by()
    )
    if not counts:
        return
    total = sum(counts.values())
    if set(counts) == {SerialStatus.IN_STOCK}:
        message = ngettext(
            "Serial numbers cannot be turned off: %(count)d serial number of this "
            "product is In stock. Sell it, write it off or mark it faulty first.",
            "Serial numbers cannot be turned off: %(count)d serial numbers of this "
            "product are In stock. Sell them, write them off or mark them faulty first.",
            total,
        ) % {"count": total}
    else:
        parts = ", ".join(
            f"{counts[status]} {SerialStatus(status).label}"
            for status in HELD_STATUSES
            if status in counts
        )
        message = ngettext(
            "Serial numbers cannot be turned off: %(count)d serial number of this "
            "product is still held (%(parts)s).",
            "Serial numbers cannot be turned off: %(count)d serial numbers of this "
            "product are still held (%(parts)s).",
            total,
        ) % {"count": total, "parts": parts}
        message += " " + gettext(
            "Receive its transfers and settle its supplier returns, and sell, write off "
            "or mark faulty what is in stock first."
        )
    raise ValidationError(
        {"has_serial_numbers": ValidationError(message, code="serials_in_stock")}
    )
