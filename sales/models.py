from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from inventory.models import Outlet, SerialRecord


class Customer(models.Model):
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("Email"), blank=True)
    phone = models.CharField(_("Phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["name", "id"], name="sales_customer_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:customer_detail", args=[self.pk])


class Sale(models.Model):
    """One sale at an outlet: its lines, and through them the units sold."""

    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("Outlet")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name=_("Customer"),
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Clerk"),
    )
    created_at = models.DateTimeField(_("Time"), default=timezone.now)
    # Stored when the sale completes: lines never change afterwards.
    total = models.DecimalField(_("Total"), max_digits=12, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="sales_sale_created_idx"),
            models.Index(fields=["outlet", "-created_at"], name="sales_sale_outlet_idx"),
            models.Index(fields=["customer", "-created_at"], name="sales_sale_customer_idx"),
            # The Sales list sorted by total (ties by id).
            models.Index(fields=["total", "id"], name="sales_sale_total_idx"),
        ]

    def __str__(self) -> str:
        return _("Sale %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("sales:sale_detail", args=[self.pk])

    @property
    def number(self) -> str:
        """The number on the page and the receipt: the sale's id."""
        return str(self.pk)


class SaleLine(models.Model):
    sale = models.ForeignKey(
        Sale, on_delete=models.CASCADE, related_name="lines", verbose_name=_("Sale")
    )
    position = models.PositiveSmallIntegerField(_("Line"), default=1)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("Product")
    )
    quantity = models.PositiveIntegerField(_("Quantity"))
    unit_price = models.DecimalField(_("Unit price"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["sale", "position", "id"]
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="sales_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="sales_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price


class SaleLineSerial(models.Model):
    """A unit sold on a line; `returned_at` is set when it comes back."""

    line = models.ForeignKey(
        SaleLine, on_delete=models.CASCADE, related_name="units", verbose_name=_("Line")
    )
    serial = models.ForeignKey(
        SerialRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("Serial")
    )
    returned_at = models.DateTimeField(_("Returned"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit sold")
        verbose_name_plural = _("units sold")
        constraints = [
            # The rule that makes a double sale impossible: at most one link per
            # unit that has not come back, whatever code writes it.
            models.UniqueConstraint(
                fields=["serial"],
                condition=models.Q(returned_at__isnull=True),
                name="sales_serial_one_open_sale",
                violation_error_message=_("This unit is already on an open sale."),
            ),
        ]
        indexes = [
            # "The sales of this serial", returned ones included.
            models.Index(fields=["serial"], name="sales_unit_serial_idx"),
        ]

    def __str__(self) -> str:
        return str(self.serial)
