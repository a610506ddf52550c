import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import TypedDict, Unpack

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.models import Product, Supplier, barcode_taken_error
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
    supplier: Supplier | None
    supplier_code: str


def _sku_taken_error() -> ValidationError:
    return ValidationError(
        {"sku": ValidationError(_("A product with this SKU already exists."), code="sku_taken")}
    )


def _save(product: Product, *, supplier_was: int | None = None, **kwargs) -> None:
    # Product.clean says which product has the barcode already; the unique
    # constraint on `gtin` would say it again without the name.
    product.full_clean(exclude=["gtin"])
    problem = control_characters_problem(product, {"supplier_code": "code"})
    if problem is not None:
        raise problem
    _supplier_check(product, supplier_was=supplier_was)
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


# What each kind of text refuses: every control character, and in a code also
# the invisible format ones (zero-width space...); a name keeps those, since
# Persian or Hindi text needs the zero-width (non-)joiner. An address keeps
# its line breaks.
_TEXT_KINDS = {
    "code": ({"Cc", "Cf"}, ""),
    "name": ({"Cc"}, ""),
    "address": ({"Cc"}, "\n\t"),
}


def control_characters_problem(
    instance: Product | Supplier, fields: dict[str, str]
) -> ValidationError | None:
    """The fields of `instance` holding a character nobody types or prints, or None.

    `fields` maps a field to its kind of text ("code", "name", "address"). A
    supplier list is matched on codes, so a hidden character in one would make
    a code that nothing scanned or typed can ever equal.
    """
    errors = {}
    for field, kind in fields.items():
        refused, allowed = _TEXT_KINDS[kind]
        text = getattr(instance, field)
        if any(unicodedata.category(char) in refused and char not in allowed for char in text):
            errors[field] = ValidationError(
                _("Remove the control character: it cannot be typed, printed or scanned."),
                code="control_character",
            )
    return ValidationError(errors) if errors else None


def _supplier_check(product: Product, *, supplier_was: int | None) -> None:
    """A product's supplier is active (or was already its own), its code unique per supplier.

    The supplier's row is locked first, so two products saved at once with the
    same code for one supplier take turns and the second is refused.
    """
    if product.supplier_id is None:
        if product.supplier_code:
            raise ValidationError(
                {
                    "supplier_code": ValidationError(
                        _("Choose the supplier this code belongs to, or clear Supplier code."),
                        code="supplier_code_without_supplier",
                    )
                }
            )
        return
    supplier = Supplier.objects.select_for_update().filter(pk=product.supplier_id).first()
    if supplier is None:
        raise ValidationError(
            {"supplier": ValidationError(_("No supplier has this id."), code="supplier_missing")}
        )
    if not supplier.is_active and supplier.pk != supplier_was:
        raise ValidationError(
            {
                "supplier": ValidationError(
                    _("Supplier “%(name)s” is inactive; choose an active supplier.")
                    % {"name": supplier.name},
                    code="supplier_inactive",
                )
            }
        )
    owner = selectors.supplier_code_owner(
        supplier=supplier, code=product.supplier_code, exclude_pk=product.pk
    )
    if owner is not None:
        raise supplier_code_taken_error(owner)


def supplier_code_taken_error(owner: Product) -> ValidationError:
    """The Supplier code field's error when `owner` has the code already."""
    message = _("Another product of this supplier, %(product)s, has this supplier code.") % {
        "product": owner
    }
    return ValidationError({"supplier_code": ValidationError(message, code="supplier_code_taken")})


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
    supplier: Supplier | None = None,
    supplier_code: str = "",
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
        supplier=supplier,
        supplier_code=supplier_code.strip(),
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
        # The text fields (name, SKU, brand, barcode, pattern, code) are stored trimmed.
        setattr(product, field, value.strip() if isinstance(value, str) else value)
    if "sku" in fields and selectors.sku_taken(sku=product.sku, exclude_pk=product.pk):
        raise _sku_taken_error()
    _save(product, supplier_was=stored.supplier_id, update_fields=[*fields, "updated_at"])
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


class SupplierFields(TypedDict, total=False):
    name: str
    email: str
    phone: str
    address: str
    is_active: bool


SUPPLIER_NAME_CONSTRAINT = "catalog_supplier_name_ci_unique"


def _supplier_name_taken_error() -> ValidationError:
    return ValidationError(
        {
            "name": ValidationError(
                _("A supplier with this name already exists."), code="supplier_name_taken"
            )
        }
    )


def _supplier_save(supplier: Supplier, **kwargs) -> None:
    # The name's constraint is checked next, on the field, with its code.
    supplier.full_clean(validate_constraints=False)
    problem = control_characters_problem(
        supplier, {"name": "name", "email": "code", "phone": "code", "address": "address"}
    )
    if problem is not None:
        raise problem
    if selectors.supplier_name_taken(name=supplier.name, exclude_pk=supplier.pk):
        raise _supplier_name_taken_error()
    try:
        # A savepoint: losing the race to the same name (any case) leaves the
        # outer transaction usable and the user gets the form error, not a 500.
        with transaction.atomic():
            supplier.save(**kwargs)
    except IntegrityError as error:
        if SUPPLIER_NAME_CONSTRAINT not in str(error):
            raise
        raise _supplier_name_taken_error() from error


def _lines(text: str) -> str:
    """Text trimmed, each line break as one newline (a browser's textarea sends CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def supplier_create(
    *, name: str, email: str = "", phone: str = "", address: str = "", is_active: bool = True
) -> Supplier:
    """Add a supplier; names are unique whatever their case."""
    supplier = Supplier(
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        address=_lines(address),
        is_active=is_active,
    )
    _supplier_save(supplier)
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, **fields: Unpack[SupplierFields]) -> Supplier:
    """Change a supplier; names stay unique whatever their case."""
    unknown = set(fields) - set(SupplierFields.__annotations__)
    if unknown:
        raise TypeError(f"supplier_update() got unexpected fields: {sorted(unknown)}")
    for field, value in fields.items():
        if field == "address" and isinstance(value, str):
            value = _lines(value)
        setattr(supplier, field, value.strip() if isinstance(value, str) else value)
    _supplier_save(supplier, update_fields=[*fields, "updated_at"])
    return supplier
