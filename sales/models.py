from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from inventory.models import Outlet, SerialRecord, SupplierReturn


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


class ReturnReason(models.TextChoices):
    UNWANTED = "unwanted", _("Unwanted purchase")
    FAULTY = "faulty", _("Faulty")
    OTHER = "other", _("Other")


class ReturnOutcome(models.TextChoices):
    RESTOCK = "restock", _("Restock")
    FAULTY = "faulty", _("Faulty")


class Return(models.Model):
    """A unit brought back from a sale: why, what became of it, and the refund."""

    # One return per unit sold on a sale: the database refuses a second.
    unit = models.OneToOneField(
        SaleLineSerial, on_delete=models.PROTECT, related_name="return_record"
    )
    sale = models.ForeignKey(
        Sale, on_delete=models.PROTECT, related_name="returns", verbose_name=_("Sale")
    )
    serial = models.ForeignKey(
        SerialRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("Serial")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        verbose_name=_("Customer"),
    )
    reason = models.CharField(_("Reason"), max_length=20, choices=ReturnReason)
    outcome = models.CharField(_("Outcome"), max_length=20, choices=ReturnOutcome)
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("Outlet")
    )
    refund_amount = models.DecimalField(
        _("Refund amount"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    note = models.TextField(_("Note"), blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Clerk"),
    )
    created_at = models.DateTimeField(_("Time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refund_amount__gte=0), name="sales_return_refund_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="sales_return_created_idx"),
            models.Index(fields=["outlet", "-created_at"], name="sales_return_outlet_idx"),
            models.Index(fields=["serial"], name="sales_return_serial_idx"),
            models.Index(fields=["customer", "-created_at"], name="sales_return_customer_idx"),
        ]

    def __str__(self) -> str:
        return _("Return %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("sales:return_detail", args=[self.pk])


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REPAIR = "in_repair", _("In repair")
    SENT_TO_SUPPLIER = "sent_to_supplier", _("Sent to supplier")
    RESOLVED_REPAIRED = "resolved_repaired", _("Resolved: repaired")
    RESOLVED_REPLACED = "resolved_replaced", _("Resolved: replaced")
    RESOLVED_REFUNDED = "resolved_refunded", _("Resolved: refunded")
    REJECTED = "rejected", _("Rejected")


CLOSED_CLAIM_STATUSES = (
    ClaimStatus.RESOLVED_REPAIRED,
    ClaimStatus.RESOLVED_REPLACED,
    ClaimStatus.RESOLVED_REFUNDED,
    ClaimStatus.REJECTED,
)


class WarrantyClaim(models.Model):
    serial = models.ForeignKey(
        SerialRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("Serial")
    )
    sale = models.ForeignKey(
        Sale, on_delete=models.PROTECT, related_name="claims", verbose_name=_("Sale")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("Customer"),
    )
    fault_description = models.TextField(_("Fault description"))
    status = models.CharField(
        _("Status"), max_length=30, choices=ClaimStatus, default=ClaimStatus.OPEN
    )
    # Opened after the warranty ended (the clerk confirmed the warning).
    warranty_expired = models.BooleanField(_("Warranty had expired"), default=False)
    replacement_serial = models.ForeignKey(
        SerialRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Replacement serial"),
    )
    replacement_sale = models.ForeignKey(
        Sale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Replacement sale"),
    )
    # The supplier return its unit went back on ("Sent to supplier", issue 21).
    supplier_return = models.ForeignKey(
        SupplierReturn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("Supplier return"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Opened by"),
    )
    created_at = models.DateTimeField(_("Opened"), default=timezone.now)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("warranty claim")
        verbose_name_plural = _("warranty claims")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="sales_claim_created_idx"),
            models.Index(fields=["status", "-created_at"], name="sales_claim_status_idx"),
            models.Index(fields=["serial"], name="sales_claim_serial_idx"),
            models.Index(fields=["customer", "-created_at"], name="sales_claim_customer_idx"),
        ]

    def __str__(self) -> str:
        return _("Warranty claim %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("sales:claim_detail", args=[self.pk])


class ClaimUpdate(models.Model):
    """One change of a claim: its status (or only a note), who, when."""

    claim = models.ForeignKey(
        WarrantyClaim, on_delete=models.CASCADE, related_name="updates", verbose_name=_("Claim")
    )
    from_status = models.CharField(_("From"), max_length=30, choices=ClaimStatus, blank=True)
    to_status = models.CharField(_("To"), max_length=30, choices=ClaimStatus)
    note = models.TextField(_("Note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Who"),
    )
    created_at = models.DateTimeField(_("When"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim update")
        verbose_name_plural = _("claim updates")
        indexes = [models.Index(fields=["claim", "-created_at"], name="sales_claimupd_claim_idx")]

    def __str__(self) -> str:
        return f"{self.claim}: {self.get_to_status_display()}"
