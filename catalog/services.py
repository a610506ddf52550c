from collections.abc import Callable
from decimal import Decimal
from typing import TypedDict, Unpack

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.models import Product, barcode_taken_error
from catalog.serial_formats import SerialFormat

# What must hold before a product's serial numbers are turned off is known to
# the apps built on catalog (inventory: no unit In stock). Catalog may not import
# them, so each registers its check from its AppConfig.ready; product_update
# runs them with the product row locked and lets their ValidationError through.
SerialsOffCheck = Callable[[Product], None]
_serials_off_checks: list[SerialsOffCheck] = []


def serials_off_check_register(check: SerialsOffCheck) -> None:
    """Run `check(product)` before serial numbers are turned off (once per check)."""
    if check not in _serials_off_checks:
        _serials_off_checks.append(check)


class ProductFields(TypedDict, total=False):
    name: str
    sku: str
    brand: str
    retail_price: Decimal
    warranty_months: int
    is_active: bool
    has_serial_numbers: bool
    barcode: str
    serial_format: str
    serial_pattern: str


def _sku_taken_error() -> ValidationError:
    return ValidationError(
        {"sku": ValidationError(_("A product with this SKU already exists."), code="sku_taken")}
    )


def _save(product: Product, **kwargs) -> None:
    # Product.clean says which product has the barcode already; the unique
    # constraint on `gtin` would say it again without the name.
    product.full_clean(exclude=["gtin"])
    try:
        # A savepoint, so that losing a race to the same SKU leaves the outer
        # transaction usable and the user gets the form error, not a 500.
        with transaction.atomic():
            product.save(**kwargs)
    except IntegrityError as error:
        if "catalog_product_sku_ci_unique" in str(error):
            raise _sku_taken_error() from error
        # PostgreSQL names the index, SQLite the column of a partial one.
        if any(name in str(error) for name in ("catalog_product_gtin_unique", "product.gtin")):
            raise barcode_taken_error(product.barcode_owner()) from error
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
    barcode: str = "",
    serial_format: str = SerialFormat.ANY,
    serial_pattern: str = "",
) -> Product:
    """Add a product; its SKU must be unique whatever its case, its barcode as a GTIN-14."""
    product = Product(
        name=name.strip(),
        sku=sku.strip(),
        brand=brand.strip(),
        retail_price=retail_price,
        warranty_months=warranty_months,
        is_active=is_active,
        has_serial_numbers=has_serial_numbers,
        barcode=barcode.strip(),
        serial_format=serial_format,
        serial_pattern=serial_pattern.strip(),
    )
    if selectors.sku_taken(sku=product.sku):
        raise _sku_taken_error()
    _save(product)
    return product


@transaction.atomic
def product_update(*, product: Product, **fields: Unpack[ProductFields]) -> Product:
    """Change a product; turning serial numbers off must pass the registered checks."""
    unknown = set(fields) - set(ProductFields.__annotations__)
    if unknown:
        raise TypeError(f"product_update() got unexpected fields: {sorted(unknown)}")
    # Locking the row makes a concurrent turn-off wait for us, and us for any
    # batch of serials being added (serials_add locks the product too).
    stored = Product.objects.select_for_update().get(pk=product.pk)
    if stored.has_serial_numbers and fields.get("has_serial_numbers") is False:
        for check in _serials_off_checks:
            check(stored)
    for field, value in fields.items():
        # The text fields (name, SKU, brand, barcode, pattern) are stored trimmed.
        setattr(product, field, value.strip() if isinstance(value, str) else value)
    if "sku" in fields and selectors.sku_taken(sku=product.sku, exclude_pk=product.pk):
        raise _sku_taken_error()
    _save(product, update_fields=[*fields, "updated_at"])
    if "barcode" in fields:
        # The database computes the GTIN-14; an update does not return it.
        product.refresh_from_db(fields=["gtin"])
    return product


@transaction.atomic
def product_serial_numbers_enable(*, product: Product, user: User) -> bool:
    """Turn a product's serial numbers on, logged in its admin history; False if already on."""
    # Locked like product_update, so a concurrent edit of the flag waits for us.
    stored = Product.objects.select_for_update().get(pk=product.pk)
    product.has_serial_numbers = True
    if stored.has_serial_numbers:
        return False
    stored.has_serial_numbers = True
    stored.save(update_fields=["has_serial_numbers", "updated_at"])
    # The admin's own change-message format: its history page shows "Changed
    # Has serial numbers." (the field's untranslated label, translated on display).
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[stored],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Has serial numbers"]}}],
        single_object=True,
    )
    return True
