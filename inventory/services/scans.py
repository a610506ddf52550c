"""What a scan's GTIN (AI 01) says of the product an entry is recorded for."""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from catalog.models import Product
from lib.scans import Scan


def scan_product_problem(
    scan: Scan, product: Product, products_by_gtin: Mapping[str, Product]
) -> tuple[str, str] | None:
    """The ("gtin_other_product", reason) when `scan` names another product than `product`.

    `products_by_gtin` holds the products of the batch's GTINs, by GTIN-14
    (`catalog.selectors.products_by_gtin`). A GTIN no product has is accepted for a
    product with no barcode (its GTIN may be one the shop never typed in); a product
    with a barcode takes only scans of that barcode.
    """
    if not scan.gtin or scan.gtin == product.gtin:
        return None
    other = products_by_gtin.get(scan.gtin)
    if other is not None and other.pk != product.pk:
        reason = _("The scan is of %(other)s (%(other_sku)s), not %(product)s (%(sku)s).")
        return "gtin_other_product", reason % {
            "other": other.name,
            "other_sku": other.sku,
            "product": product.name,
            "sku": product.sku,
        }
    if other is None and product.gtin:
        reason = _("The scan's GTIN %(gtin)s is not the barcode of %(product)s (%(sku)s).")
        return "gtin_other_product", reason % {
            "gtin": scan.gtin,
            "product": product.name,
            "sku": product.sku,
        }
    return None
