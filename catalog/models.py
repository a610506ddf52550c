from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

# Generic so that django-stubs keeps `.annotate()` fields on the rows it yields
# (a queryset subclassed as QuerySet["Product"] drops them: typeddjango/django-stubs#1049).
# Bound to Model, not "Product": the forward reference crashes mypy 1.19 here.
_ProductT = TypeVar("_ProductT", bound=models.Model)


class ProductQuerySet(models.QuerySet[_ProductT]):
    def search(self, text: str) -> Self:
        """Products whose name or SKU contains `text`, ignoring case (all when blank).

        Also the product `text` names as a picker writes it, "Name (SKU)": the
        text of a product picked earlier finds that product, not "no match".
        """
        text = text.strip()
        if not text:
            return self
        found = models.Q(name__icontains=text) | models.Q(sku__icontains=text)
        name, _separator, sku = text.rpartition(" (")
        if name.strip() and sku.endswith(")"):
            found |= models.Q(name__iexact=name.strip(), sku__iexact=sku[:-1].strip())
        return self.filter(found)


class Product(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64)
    brand = models.CharField(_("Brand"), max_length=100, blank=True)
    retail_price = models.DecimalField(_("Retail price"), max_digits=10, decimal_places=2)
    warranty_months = models.PositiveSmallIntegerField(_("Warranty (months)"), default=12)
    is_active = models.BooleanField(_("Active"), default=True)
    has_serial_numbers = models.BooleanField(_("Has serial numbers"), default=False)
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
