from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        indexes = [models.Index(fields=["brand"], name="catalog_product_brand_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        # The product page shows stock and serials too, so it lives in inventory
        # under a global URL name (config/urls.py); catalog imports nothing from it.
        return reverse("product_detail", args=[self.pk])
