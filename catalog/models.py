from typing import TYPE_CHECKING, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Concat, Lower, Right
from django.utils.translation import gettext_lazy as _

from catalog.gtin import GTIN_LENGTH, barcode_validate, gtin14
from catalog.serial_formats import PATTERN_MAX_LENGTH, SerialFormat, pattern_validate
from lib.scans import scan_gtin

# Generic so that django-stubs keeps `.annotate()` fields on the rows it yields
# (a queryset subclassed as QuerySet["Product"] drops them: typeddjango/django-stubs#1049).
# Bound to Model, not "Product": the forward reference crashes mypy 1.19 here.
_ProductT = TypeVar("_ProductT", bound=models.Model)


class ProductQuerySet(models.QuerySet[_ProductT]):
    def search(self, text: str) -> Self:
        """Products whose name, SKU or barcode contains `text`, ignoring case (all when blank).

        Also the product `text` names as a picker writes it, "Name (SKU)": the
        text of a product picked earlier finds that product, not "no match";
        and the product a scan or a barcode in another length names (its GTIN).
        """
        text = text.strip()
        if not text:
            return self
        found = models.Q(name__icontains=text) | models.Q(sku__icontains=text)
        if text.isascii() and text.isdigit():
            found |= models.Q(barcode__contains=text)
        gtin = scan_gtin(text)
        if gtin:
            found |= models.Q(gtin=gtin)
        name, _separator, sku = text.rpartition(" (")
        if name.strip() and sku.endswith(")"):
            found |= models.Q(name__iexact=name.strip(), sku__iexact=sku[:-1].strip())
        return self.filter(found)

    def having_barcode(self, has: bool | None) -> Self:
        """Products with a barcode, or without one; all when `has` is None.

        The GTIN's partial unique index holds exactly the products with a barcode.
        """
        if has is None:
            return self
        return self.exclude(gtin="") if has else self.filter(gtin="")


class Supplier(models.Model):
    """Who a shop orders stock from (Catalog > Suppliers)."""

    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("Email"), blank=True)
    phone = models.CharField(_("Phone"), max_length=50, blank=True)
    address = models.TextField(_("Address"), blank=True)
    is_active = models.BooleanField(_("Active"), default=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="catalog_supplier_name_ci_unique",
                violation_error_message=_("A supplier with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64)
    brand = models.CharField(_("Brand"), max_length=100, blank=True)
    retail_price = models.DecimalField(_("Retail price"), max_digits=10, decimal_places=2)
    warranty_months = models.PositiveSmallIntegerField(_("Warranty (months)"), default=12)
    is_active = models.BooleanField(_("Active"), default=True)
    has_serial_numbers = models.BooleanField(_("Has serial numbers"), default=False)
    # Digits as typed (GTIN-8, -12, -13 or -14); `gtin` is what products are
    # compared by, so a UPC-A and the same number as an EAN-13 are one barcode.
    barcode = models.CharField(
        _("Barcode"),
        max_length=GTIN_LENGTH,
        blank=True,
        validators=[barcode_validate],
        help_text=_("GTIN-8, UPC-A (12 digits), EAN-13 or GTIN-14, with its check digit."),
    )
    # Computed by the database, so no path (a bulk insert, the admin, a
    # factory) can store a barcode without its key. Six zeros bring the
    # shortest barcode (8 digits) to 14; the right 14 characters are the GTIN-14.
    gtin = models.GeneratedField(
        expression=models.Case(
            models.When(barcode="", then=models.Value("")),
            default=Right(Concat(models.Value("000000"), "barcode"), GTIN_LENGTH),
        ),
        output_field=models.CharField(max_length=GTIN_LENGTH),
        db_persist=True,
        verbose_name=_("GTIN"),
    )
    serial_format = models.CharField(
        _("Serial number format"),
        max_length=10,
        choices=SerialFormat,
        default=SerialFormat.ANY,
        help_text=_(
            "An entry that breaks it is listed as a problem; a Manager may add it anyway."
        ),
    )
    serial_pattern = models.CharField(
        _("Pattern"),
        max_length=PATTERN_MAX_LENGTH,
        blank=True,
        validators=[pattern_validate],
        help_text=_(
            "With the format Pattern: # a digit, @ a letter, * any one character; "
            "anything else stands for itself, ignoring case. For example SN-#####."
        ),
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("Supplier"),
    )
    supplier_code = models.CharField(
        _("Supplier code"),
        max_length=64,
        blank=True,
        help_text=_("The supplier's own code for this product, as on its lists and invoices."),
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(
                Lower("sku"),
                name="catalog_product_sku_ci_unique",
                violation_error_message=_("A product with this SKU already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(retail_price__gte=0),
                name="catalog_product_retail_price_not_negative",
                violation_error_message=_("The retail price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(warranty_months__gte=0),
                name="catalog_product_warranty_not_negative",
                violation_error_message=_("The warranty cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["gtin"],
                condition=~models.Q(gtin=""),
                name="catalog_product_gtin_unique",
                violation_error_message=_("Another product has this barcode."),
            ),
            models.CheckConstraint(
                condition=models.Q(serial_format__in=SerialFormat.values),
                name="catalog_product_serial_format_valid",
            ),
            # A pattern with the format Pattern, and only with it.
            models.CheckConstraint(
                condition=(
                    models.Q(serial_format=SerialFormat.PATTERN) & ~models.Q(serial_pattern="")
                )
                | (~models.Q(serial_format=SerialFormat.PATTERN) & models.Q(serial_pattern="")),
                name="catalog_product_serial_pattern_with_format",
            ),
        ]
        indexes = [
            models.Index(fields=["brand"], name="catalog_product_brand_idx"),
            # Products in name order: the Products list, and the Serial numbers
            # list sorted by product (products by name, then each one's serials).
            models.Index(fields=["name", "id"], name="catalog_product_name_id_idx"),
        ]

    # No get_absolute_url here: the product page shows stock and serials, so it
    # is an inventory view, and settings.ABSOLUTE_URL_OVERRIDES points at it.
    if TYPE_CHECKING:

        def get_absolute_url(self) -> str: ...

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def clean_fields(self, exclude=None) -> None:
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # Format and pattern checked together only when each is valid on its own
        # (a form leaves a field it refused out of the instance, and excludes it).
        if not {"serial_format", "serial_pattern"} & {*(exclude or ()), *errors}:
            problem = self.serial_pattern_problem()
            if problem is not None:
                errors["serial_pattern"] = [problem]
        if errors:
            raise ValidationError(errors)

    def serial_pattern_problem(self) -> ValidationError | None:
        """A pattern is needed with the format Pattern and refused with any other.

        Said on the Pattern field (the check constraint would only say "invalid");
        a pattern left from another format is refused, not dropped unseen.
        """
        if self.serial_format == SerialFormat.PATTERN and not self.serial_pattern:
            return ValidationError(
                _("Enter the pattern serial numbers of this product follow."),
                code="pattern_required",
            )
        if self.serial_format != SerialFormat.PATTERN and self.serial_pattern:
            return ValidationError(
                _("Choose Pattern as the Serial number format, or clear Pattern."),
                code="pattern_unused",
            )
        return None

    def clean(self) -> None:
        # Here, so the Edit product page, the admin, the service and the API all
        # name the product; the unique constraint holds when two saves race.
        owner = self.barcode_owner()
        if owner is not None:
            raise barcode_taken_error(owner)

    def barcode_owner(self) -> "Product | None":
        """Another product with this product's barcode (as a GTIN-14); None for no valid one."""
        try:
            barcode_validate(self.barcode)
        except ValidationError:
            return None
        gtin = gtin14(self.barcode)
        if not gtin:
            return None
        return Product.objects.filter(gtin=gtin).exclude(pk=self.pk).first()


def barcode_taken_error(owner: Product | None) -> ValidationError:
    """The Barcode field's error when `owner` has the barcode already."""
    message = (
        _("Another product, %(product)s, has this barcode.") % {"product": owner}
        if owner is not None
        else _("Another product has this barcode.")
    )
    return ValidationError({"barcode": ValidationError(message, code="barcode_taken")})
