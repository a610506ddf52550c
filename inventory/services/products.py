"""Inventory's rules about products (catalog runs them; it cannot import inventory)."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from catalog.models import Product
from inventory.models import SerialRecord, SerialStatus


def product_serials_off_check(product: Product) -> None:
    """Refuse to turn serial numbers off while any unit of the product is In stock."""
    in_stock = SerialRecord.objects.filter(product=product, status=SerialStatus.IN_STOCK).count()
    if not in_stock:
        return
    message = ngettext(
        "Serial numbers cannot be turned off: %(count)d serial number of this "
        "product is In stock. Sell it, write it off or mark it faulty first.",
        "Serial numbers cannot be turned off: %(count)d serial numbers of this "
        "product are In stock. Sell them, write them off or mark them faulty first.",
        in_stock,
    ) % {"count": in_stock}
    raise ValidationError(
        {"has_serial_numbers": ValidationError(message, code="serials_in_stock")}
    )
