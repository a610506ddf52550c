import unicodedata

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product


class Outlet(models.Model):
    name = models.CharField(_("Name"), max_length=100)
    address = models.TextField(_("Address"), blank=True)
    is_active = models.BooleanField(_("Active"), default=True)
    require_customer_for_serialised = models.BooleanField(
        _("Require a customer for serialised products"),
        default=False,
        help_text=_("A sale at this outlet with a serialised product must name its customer."),
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="inventory_outlet_name_ci_unique",
                violation_error_message=_("An outlet with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:outlet_list")


class StockLevel(models.Model):
    """Units on hand of one product at one outlet."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="stock_levels", verbose_name=_("Product")
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("Outlet")
    )
    on_hand = models.IntegerField(_("On hand"), default=0)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["product__name", "outlet__name"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "outlet"], name="inventory_stocklevel_product_outlet_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0),
                name="inventory_stocklevel_on_hand_not_negative",
                violation_error_message=_("Stock on hand cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} at {self.outlet}: {self.on_hand}"


class SerialStatus(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    SOLD = "sold", _("Sold")
    FAULTY = "faulty", _("Faulty")
    WRITTEN_OFF = "written_off", _("Written off")


# A unit on a shelf or in the back room may move or be written off; a Sold one
# belongs to a customer and a Written off one is gone.
MOVABLE_STATUSES = (SerialStatus.IN_STOCK, SerialStatus.FAULTY)


class SerialEventKind(models.TextChoices):
    ADDED = "added", _("Added")
    IMPORTED = "imported", _("Imported")
    EDITED = "edited", _("Edited")
    TRANSFERRED = "transferred", _("Transferred")
    WRITTEN_OFF = "written_off", _("Written off")
    # Written by the sales app; a serial with a SOLD event can never be deleted.
    SOLD = "sold", _("Sold")
    # The origin of a unit first recorded when it was sold (never In stock here).
    RECORDED_AT_SALE = "recorded_at_sale", _("Recorded at sale")
    MARKED_FAULTY = "marked_faulty", _("Marked faulty")
    REINSTATED = "reinstated", _("Reinstated")
    # Written by the sales app's returns and warranty claims.
    RETURNED = "returned", _("Returned")
    CLAIM_OPENED = "claim_opened", _("Warranty claim opened")
    CLAIM_UPDATED = "claim_updated", _("Warranty claim updated")


class SerialRecord(models.Model):
    """One physical unit of a serialised product, identified by its serial number."""

    # No single-column index on product or outlet: the unique (product,
    # serial) index and the (outlet, status) index serve those look-ups, and
    # every index costs write-ahead log when 10,000 units arrive at once.
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="serials",
        verbose_name=_("Product"),
        db_index=False,
    )
    # The text as the user typed or scanned it (trimmed).
    serial = models.CharField(_("Serial number"), max_length=100)
    # The key used for every comparison and look-up (see `normalise`).
    serial_normalised = models.CharField(max_length=100, editable=False)
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="serials",
        verbose_name=_("Outlet"),
        db_index=False,
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=SerialStatus, default=SerialStatus.IN_STOCK
    )
    notes = models.TextField(_("Notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Added by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("Date added"), default=timezone.now)
    # How the unit was first recorded (Added, Imported). With created_by and
    # created_at this is the first line of its history; the SerialEvent rows
    # are the changes after it, so a bulk add writes no second row per unit.
    origin = models.CharField(
        _("Recorded by"),
        max_length=30,
        choices=SerialEventKind,
        default=SerialEventKind.ADDED,
        editable=False,
    )
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("serial number")
        verbose_name_plural = _("serial numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_normalised"],
                name="inventory_serial_product_serial_unique",
                violation_error_message=_(
                    "This serial number is already recorded for this product."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SerialStatus.values),
                name="inventory_serial_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(serial_normalised=""),
                name="inventory_serial_not_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["serial_normalised"], name="inventory_serial_norm_idx"),
            models.Index(fields=["outlet", "status"], name="inventory_serial_outlet_st_idx"),
            models.Index(fields=["created_at"], name="inventory_serial_created_idx"),
        ]
        permissions = [
            ("transfer_serialrecord", "Can transfer serial numbers between outlets"),
            ("writeoff_serialrecord", "Can write off serial numbers"),
            ("faulty_serialrecord", "Can mark serial numbers faulty or reinstate them"),
        ]

    def __str__(self) -> str:
        return self.serial

    def get_absolute_url(self) -> str:
        return reverse("inventory:serial_detail", args=[self.pk])

    @property
    def is_movable(self) -> bool:
        """On a shelf or in the back room: may be transferred or written off."""
        return self.status in MOVABLE_STATUSES

    @staticmethod
    def normalise(text: str) -> str:
        """The key serials are compared by: `ＦＵＬＬ－１`, `full-1` and `FULL-1` are one.

        Compatibility normalisation (NFKC) folds full-width forms, superscripts
        and ligatures into plain ones; case folding is the Unicode caseless
        match (`ß` is `ss`). Case folding can leave text that is not NFKC
        (`ǰ` folds to `j` and a combining caron), so NFKC runs again: the key is
        NFKC itself and `normalise(key) == key`. A key can be longer than the
        text (`ﷺ` is 18 characters in NFKC); `serial_text_problem` refuses a
        text whose key does not fit the column.
        """
        folded = unicodedata.normalize("NFKC", text.strip()).casefold()
        return unicodedata.normalize("NFKC", folded)


class SerialEvent(models.Model):
    """One entry in a serial's history: every change of status, outlet or text."""

    # History is read per serial, newest first (the index in Meta), and written
    # in bulk; the other foreign keys stay unindexed to keep bulk writes cheap.
    serial = models.ForeignKey(
        SerialRecord,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("Serial"),
        db_index=False,
    )
    kind = models.CharField(_("Event"), max_length=30, choices=SerialEventKind)
    created_at = models.DateTimeField(_("When"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Who"),
        db_index=False,
    )
    from_outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("From outlet"),
        db_index=False,
    )
    to_outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("To outlet"),
        db_index=False,
    )
    from_status = models.CharField(
        _("From status"), max_length=20, choices=SerialStatus, blank=True
    )
    to_status = models.CharField(_("To status"), max_length=20, choices=SerialStatus, blank=True)
    note = models.TextField(_("Note"), blank=True)
    # The sale, return or warranty claim behind the event. A generic link keeps
    # inventory free of imports from sales (dependencies point one way).
    document_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    document_id = models.PositiveBigIntegerField(null=True, blank=True)
    document = GenericForeignKey("document_type", "document_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("serial event")
        verbose_name_plural = _("serial events")
        indexes = [
            models.Index(fields=["serial", "-created_at"], name="inventory_event_serial_idx"),
            # "The events of this sale (return, claim)".
            models.Index(fields=["document_type", "document_id"], name="inventory_event_doc_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.serial}: {self.get_kind_display()}"


class SerialImportUpload(models.Model):
    """A CSV file checked by Import CSV and refused, kept until its user decides.

    Kept on the server so that "Import only the valid rows" or a second try
    refers to it by id instead of sending the whole file through the page again.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("User"),
    )
    file_name = models.CharField(_("File name"), max_length=255)
    text = models.TextField(_("Text"))
    row_count = models.PositiveIntegerField(_("Rows"))
    created_at = models.DateTimeField(_("Uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("pending CSV import")
        verbose_name_plural = _("pending CSV imports")

    def __str__(self) -> str:
        return self.file_name
