from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import selectors
from catalog.models import Product

# The stored value of inventory's SerialStatus.IN_STOCK. Catalog may not import
# inventory (dependencies point catalog <- inventory <- sales), so it reads the
# reverse relation with the raw value; tests/catalog/test_services.py pins the
# two together.
SERIAL_IN_STOCK = "in_stock"


class ProductFields(TypedDict, total=False):
    name: str
    sku: str
    brand: str
    retail_price: Decimal
    warranty_months: int
    is_active: bool
    has_serial_numbers: bool


TEXT_FIELDS = ("name", "sku", "brand")


def _sku_taken_error() -> ValidationError:
    return ValidationError(
        {"sku": ValidationError(_("A product with this SKU already exists."), code="sku_taken")}
    )


def _save(product: Product, **kwargs) -> None:
    product.full_clean()
    try:
        # A savepoint, so that losing a race to the same SKU leaves the outer
        # transaction usable and the user gets the form error, not a 500.
        with transaction.atomic():
            product.save(**kwargs)
    except IntegrityError as error:
        if "catalog_product_sku_ci_unique" in str(error):
            raise _sku_taken_error() from error
        raise


@transaction.atomic
def product_create(
    *,
    name: str,
    sku: str,
    retail_price: Decimal,
    brand: str = "",
    warranty_months: int = 12,
    is_active: bool = True,
    has_serial_numbers: bool = False,
) -> Product:
    """Add a product; its SKU must be unique whatever its case."""
    product = Product(
        name=name.strip(),
        sku=sku.strip(),
        brand=brand.strip(),
        retail_price=retail_price,
        warranty_months=warranty_months,
        is_active=is_active,
        has_serial_numbers=has_serial_numbers,
    )
    if selectors.sku_taken(sku=product.sku):
        raise _sku_taken_error()
    _save(product)
    return product


@transaction.atomic
def product_update(*, product: Product, **fields: Unpack[ProductFields]) -> Product:
    """Change a product; serial numbers cannot be turned off while units are In stock."""
    unknown = set(fields) - set(ProductFields.__annotations__)
    if unknown:
        raise TypeError(f"product_update() got unexpected fields: {sorted(unknown)}")
    # Locking the row makes a concurrent turn-off wait for us (and, if the serial
    # services lock the product the same way, for any serial being added).
    stored = Product.objects.select_for_update().get(pk=product.pk)
    if stored.has_serial_numbers and fields.get("has_serial_numbers") is False:
        in_stock = product.serials.filter(status=SERIAL_IN_STOCK).count()
        if in_stock:
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
    for field, value in fields.items():
        setattr(product, field, value.strip() if field in TEXT_FIELDS else value)
    if "sku" in fields and selectors.sku_taken(sku=product.sku, exclude_pk=product.pk):
        raise _sku_taken_error()
    _save(product, update_fields=[*fields, "updated_at"])
    return product
