import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Supplier


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
    # On a transfer between outlets, sent and not yet received (issue 21): its
    # outlet is still the sender's until the destination receives it.
    IN_TRANSIT = "in_transit", _("In transit")
    # Sent back to its supplier on a supplier return, waiting for its outcome.
    AT_SUPPLIER = "at_supplier", _("At supplier")


# Only In stock sells. A unit on a shelf or in the back room may move or be
# written off; a Sold one belongs to a customer and a Written off one is gone.
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
    # A unit that arrived on a stock order (its origin, and its first event).
    RECEIVED = "received", _("Received")
    # Transfers in transit (issue 21): sent by one outlet, received by another.
    TRANSFER_SENT = "transfer_sent", _("Sent on transfer")
    TRANSFER_RECEIVED = "transfer_received", _("Received on transfer")
    # Supplier returns: sent back, then one outcome each.
    SENT_TO_SUPPLIER = "sent_to_supplier", _("Returned to supplier")
    CREDITED = "credited", _("Credited by supplier")
    REPAIRED = "repaired", _("Repaired by supplier")
    REPLACED = "replaced", _("Replaced by supplier")
    # The origin of a unit the supplier sent in place of a returned one.
    REPLACEMENT = "replacement", _("Replacement from supplier")
    # Inventory counts: what Apply did (the document is the count).
    COUNTED = "counted", _("Counted")
    # The origin of a unit first recorded by an inventory count ("Record").
    RECORDED_AT_COUNT = "recorded_at_count", _("Recorded at count")


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
    # The stock order a Received unit arrived on (its history's first line names it).
    arrival_order = models.ForeignKey(
        "inventory.StockOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("Received on"),
        db_index=False,
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
            # Each sort of the Serial numbers list ends in a unique key and has the
            # index that serves it (keyset paging); (created_at, id) and
            # (serial_normalised, id) also serve the date filter and exact look-ups.
            # Substring search has a trigram index on PostgreSQL (migration 0008).
            models.Index(fields=["serial_normalised", "id"], name="inventory_serial_norm_id_idx"),
            models.Index(fields=["outlet", "status", "id"], name="inventory_serial_out_st_id_idx"),
            models.Index(fields=["created_at", "id"], name="inventory_serial_added_id_idx"),
            models.Index(fields=["status", "id"], name="inventory_serial_st_id_idx"),
            models.Index(fields=["outlet", "id"], name="inventory_serial_out_id_idx"),
            # Only units that arrived on an order: small, and what protects an order
            # from deletion and lists its units reads.
            models.Index(
                fields=["arrival_order", "id"],
                name="inventory_serial_received_idx",
                condition=models.Q(arrival_order__isnull=False),
            ),
        ]
        permissions = [
            ("transfer_serialrecord", "Can transfer serial numbers between outlets"),
            ("writeoff_serialrecord", "Can write off serial numbers"),
            ("faulty_serialrecord", "Can mark serial numbers faulty or reinstate them"),
            (
                "override_format_serialrecord",
                "Can record serial numbers that break their product's format",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    # No get_absolute_url here: the serial page shows the unit's sale, so it is a
    # sales view, and settings.ABSOLUTE_URL_OVERRIDES points at it.
    if TYPE_CHECKING:

        def get_absolute_url(self) -> str: ...

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


class SerialJobKind(models.TextChoices):
    ADD = "add", _("Add Serial numbers")
    IMPORT = "import", _("Import CSV")
    EXPORT = "export", _("Export CSV")


class SerialJobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")


def _job_file_path(job: "SerialJob", filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


class SerialJob(models.Model):
    """A batch too big for one request, run by a background worker.

    Adds and imports are resumable: rows are inserted in chunks, each committed
    with `done` and `resume_after`, so a stopped worker loses nothing. Exports are
    all-or-nothing: `result` is set only when the whole file is written.
    """

    kind = models.CharField(_("Kind"), max_length=10, choices=SerialJobKind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("User"),
    )
    state = models.CharField(
        _("State"), max_length=10, choices=SerialJobState, default=SerialJobState.QUEUED
    )
    # Kept in the row, not in a file, so a worker on any machine can read it
    # (and read it again to resume) through the database alone.
    input_text = models.TextField(_("Input"), blank=True)
    file_name = models.CharField(_("File name"), max_length=255, blank=True)
    # What the job was asked: the add's product and outlet, the export's filters.
    params = models.JSONField(_("Parameters"), default=dict, blank=True)
    only_valid = models.BooleanField(_("Only the valid rows"), default=False)
    total = models.PositiveIntegerField(_("Total"), default=0)
    done = models.PositiveIntegerField(_("Done"), default=0)
    # The entry or row number of the last one committed: a resumed job goes on after it.
    resume_after = models.PositiveIntegerField(default=0)
    checked = models.BooleanField(default=False)
    problem_count = models.PositiveIntegerField(_("Problems"), default=0)
    # The first problems, for the page: [{"row", "text", "reason"}].
    problems = models.JSONField(_("First problems"), default=list, blank=True)
    # Every problem's row number, so a resumed job skips exactly the same rows.
    problem_rows = models.JSONField(default=list, blank=True)
    problems_file = models.FileField(upload_to=_job_file_path, blank=True)
    result = models.FileField(_("Result"), upload_to=_job_file_path, blank=True)
    message = models.TextField(_("Message"), blank=True)
    # The time every unit of the job is stamped with, so the list can show them.
    batch_at = models.DateTimeField(null=True, blank=True)
    # Which run may write: a resumed job gets a new one, so a late worker of the
    # old run stops instead of inserting a chunk twice.
    run_id = models.CharField(max_length=32, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("Started"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("Last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="inventory_job_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:job_detail", args=[self.pk])

    @property
    def is_stale(self) -> bool:
        """Running, but its worker has not reported within the limit: it stopped."""
        if self.state != SerialJobState.RUNNING:
            return False
        last = self.heartbeat_at or self.created_at
        limit = timezone.now() - timedelta(seconds=settings.SERIALDESK_JOB_STALE_SECONDS)
        return last < limit

    @property
    def shown_state(self) -> str:
        return SerialJobState.STOPPED if self.is_stale else self.state

    @property
    def shown_state_label(self) -> str:
        return str(SerialJobState(self.shown_state).label)

    @property
    def is_resumable(self) -> bool:
        """Adds and imports go on after their last chunk; an export starts again."""
        return self.kind != SerialJobKind.EXPORT

    @property
    def is_finished(self) -> bool:
        return self.state in {SerialJobState.DONE, SerialJobState.FAILED}

    @property
    def can_resume(self) -> bool:
        return self.shown_state == SerialJobState.STOPPED

    @property
    def percent(self) -> int:
        if self.state == SerialJobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def took(self) -> timedelta | None:
        """From the user starting the job to its end (waits and resumes included)."""
        if self.finished_at is None or not self.is_finished:
            return None
        return self.finished_at - self.created_at


class SerialTally(models.Model):
    """How many units of a product are at an outlet in a status, kept by the services.

    Every service that inserts, moves, changes or deletes units changes these
    counts in the same transaction (`inventory.sql.serial_tally_apply`), so pages
    that show counts (the Dashboard, Serial coverage, Stock, the product page)
    read a row or a few thousand instead of grouping a million units. The
    `serial_tally_check` command compares them with the units and fixes them.
    """

    # Derived rows: they go with their product or outlet (which cannot go while
    # it has units anyway). The unique (product, outlet, status) index serves
    # the product's look-ups; the (outlet, status) index the Dashboard's sums.
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=20, choices=SerialStatus)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("serial count")
        verbose_name_plural = _("serial counts")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "outlet", "status"], name="inventory_tally_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(count__gte=0), name="inventory_tally_count_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["outlet", "status"], name="inventory_tally_out_st_idx")]

    def __str__(self) -> str:
        return f"{self.product_id} at {self.outlet_id}, {self.status}: {self.count}"


# Stock control (issue 20) ---------------------------------------------------


class StockOrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SENT = "sent", _("Sent")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class StockOrder(models.Model):
    """Stock ordered from a supplier for one outlet ("Order stock"); its id is its number."""

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="stock_orders", verbose_name=_("Supplier")
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="stock_orders", verbose_name=_("Deliver to")
    )
    reference = models.CharField(_("Reference"), max_length=100, blank=True)
    due = models.DateField(_("Due"), null=True, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=StockOrderStatus, default=StockOrderStatus.OPEN
    )
    note = models.TextField(_("Note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ordered by"),
    )
    created_at = models.DateTimeField(_("Ordered"), default=timezone.now)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock order")
        verbose_name_plural = _("stock orders")
        permissions = [("receive_stockorder", "Can receive stock orders")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=StockOrderStatus.values),
                name="inventory_stockorder_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="inventory_order_status_idx"),
        ]

    def __str__(self) -> str:
        return _("Stock order %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("inventory:stock_order_detail", args=[self.pk])


class StockOrderLine(models.Model):
    """One product on a stock order: how many were ordered, at what cost, how many arrived."""

    order = models.ForeignKey(
        StockOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("Stock order")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("Product")
    )
    quantity = models.PositiveIntegerField(_("Quantity"))
    cost = models.DecimalField(_("Cost"), max_digits=10, decimal_places=2)
    received = models.PositiveIntegerField(_("Received"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("stock order line")
        verbose_name_plural = _("stock order lines")
        constraints = [
            # One line per product: a scan is matched to its product's line.
            models.UniqueConstraint(
                fields=["order", "product"], name="inventory_orderline_order_product_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="inventory_orderline_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(cost__gte=0), name="inventory_orderline_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(received__lte=models.F("quantity")),
                name="inventory_orderline_received_at_most_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} x {self.quantity}"


class StockOrderExpected(models.Model):
    """A serial the supplier's list says is coming on an order ("Supplier list")."""

    order = models.ForeignKey(
        StockOrder,
        on_delete=models.CASCADE,
        related_name="expected",
        verbose_name=_("Stock order"),
    )
    line = models.ForeignKey(
        StockOrderLine, on_delete=models.CASCADE, related_name="expected", verbose_name=_("Line")
    )
    serial = models.CharField(_("Serial number"), max_length=100)
    serial_normalised = models.CharField(max_length=100, editable=False)
    received = models.BooleanField(_("Received"), default=False)

    class Meta:
        ordering = ["line", "id"]
        verbose_name = _("expected serial")
        verbose_name_plural = _("expected serials")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "serial_normalised"], name="inventory_expected_line_serial_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class StockMoveReason(models.TextChoices):
    RECEIVED = "received", _("Received")
    SOLD = "sold", _("Sold")
    RETURNED = "returned", _("Returned")
    COUNTED = "counted", _("Counted")
    TRANSFERRED = "transferred", _("Transferred")
    RETURNED_TO_SUPPLIER = "supplier_return", _("Supplier return")
    SET_BY_HAND = "set_by_hand", _("Set by hand")
    # Serial numbers recorded, written off, marked faulty or reinstated, deleted.
    UNITS_CHANGED = "units_changed", _("Serial numbers changed")


class StockMove(models.Model):
    """One change of stock on hand: by how much, to what, why, who, when, and the document."""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Product"),
        db_index=False,
    )
    outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Outlet"),
        db_index=False,
    )
    change = models.IntegerField(_("Change"))
    on_hand = models.IntegerField(_("On hand after"))
    reason = models.CharField(_("Why"), max_length=20, choices=StockMoveReason)
    note = models.CharField(_("Note"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Who"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("When"), default=timezone.now)
    # The sale, return, stock order or count behind the change (generic, as on
    # SerialEvent, so inventory imports nothing from sales).
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
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        indexes = [
            models.Index(
                fields=["product", "outlet", "-created_at", "-id"], name="inventory_move_stock_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.outlet_id}: {self.change:+d} = {self.on_hand}"


# Stock control II (issue 21): transfers, supplier returns, inventory counts ---------


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    # Closed by a Manager with something never arrived: its units written off, its
    # missing quantities kept on the lines as Never arrived.
    CLOSED_SHORT = "closed_short", _("Closed short")


class Transfer(models.Model):
    """Stock sent from one outlet to another ("Transfer stock"); its id is its number.

    Sent when it is saved: its units are In transit (still at the sender's
    outlet) until the destination receives them by scanning; its
    non-serialised quantities have left the sender and arrive when received.
    """

    from_outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("From")
    )
    to_outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("To")
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=TransferStatus, default=TransferStatus.IN_TRANSIT
    )
    note = models.TextField(_("Note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Sent by"),
    )
    created_at = models.DateTimeField(_("Sent"), default=timezone.now)
    received_at = models.DateTimeField(_("Received"), null=True, blank=True)
    closed_reason = models.CharField(_("Reason"), max_length=200, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Closed by"),
    )
    closed_at = models.DateTimeField(_("Closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        permissions = [
            ("receive_transfer", "Can receive transfers"),
            ("close_transfer", "Can close transfers short"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TransferStatus.values),
                name="inventory_transfer_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_outlet=models.F("to_outlet")),
                name="inventory_transfer_outlets_differ",
                violation_error_message=_("From and To must be different outlets."),
            ),
        ]
        indexes = [
            # The open transfers (the Dashboard's overdue ones, the list's filter).
            models.Index(fields=["status", "created_at"], name="inventory_transfer_status_idx"),
        ]

    def __str__(self) -> str:
        return _("Transfer %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("inventory:transfer_detail", args=[self.pk])


class TransferLine(models.Model):
    """One product on a transfer: how many were sent and how many have arrived.

    For a serialised product these count its `TransferUnit` rows; for another
    product they are the quantities typed at Send and at Receive.
    """

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="lines", verbose_name=_("Transfer")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("Product")
    )
    quantity = models.PositiveIntegerField(_("Quantity"))
    received = models.PositiveIntegerField(_("Received"), default=0)
    # Written off when the transfer was closed short: sent, never received.
    never_arrived = models.PositiveIntegerField(_("Never arrived"), default=0)

    class Meta:
        ordering = ["transfer", "id"]
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "product"], name="inventory_transferline_product_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="inventory_transferline_quantity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(received__lte=models.F("quantity") - models.F("never_arrived")),
                name="inventory_transferline_received_at_most_sent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} x {self.quantity}"


class TransferUnit(models.Model):
    """A serialised unit sent on a transfer, and when it was received (None: not yet)."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="units", verbose_name=_("Transfer")
    )
    line = models.ForeignKey(
        TransferLine, on_delete=models.CASCADE, related_name="units", verbose_name=_("Line")
    )
    serial = models.ForeignKey(
        SerialRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("Serial")
    )
    received_at = models.DateTimeField(_("Received"), null=True, blank=True)

    class Meta:
        ordering = ["line", "id"]
        verbose_name = _("transferred unit")
        verbose_name_plural = _("transferred units")
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "serial"], name="inventory_transferunit_serial_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.serial)


class SupplierReturnReason(models.TextChoices):
    FAULTY = "faulty", _("Faulty")
    DAMAGED = "damaged", _("Damaged on arrival")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    EXCESS = "excess", _("Excess stock")
    WARRANTY = "warranty", _("Warranty claim")
    OTHER = "other", _("Other")


class SupplierReturnStatus(models.TextChoices):
    AT_SUPPLIER = "at_supplier", _("At supplier")
    RESOLVED = "resolved", _("Resolved")


class SupplierReturn(models.Model):
    """Units sent back to their supplier ("Return stock"); its id is its number.

    Sent when it is saved: its units are At supplier (still at the outlet they
    left, for the history) until each gets an outcome; when every unit has
    one the return is Resolved.
    """

    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="returns", verbose_name=_("Supplier")
    )
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("From")
    )
    reason = models.CharField(_("Reason"), max_length=20, choices=SupplierReturnReason)
    supplier_reference = models.CharField(
        _("Supplier reference"),
        max_length=100,
        blank=True,
        help_text=_("The supplier's return number (RMA)."),
    )
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=SupplierReturnStatus,
        default=SupplierReturnStatus.AT_SUPPLIER,
    )
    note = models.TextField(_("Note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Sent by"),
    )
    created_at = models.DateTimeField(_("Sent"), default=timezone.now)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("supplier return")
        verbose_name_plural = _("supplier returns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SupplierReturnStatus.values),
                name="inventory_supplierreturn_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=SupplierReturnReason.values),
                name="inventory_supplierreturn_reason_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="inventory_return_status_idx"),
        ]

    def __str__(self) -> str:
        return _("Supplier return %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("inventory:supplier_return_detail", args=[self.pk])


class SupplierReturnOutcome(models.TextChoices):
    CREDITED = "credited", _("Credited")
    REPAIRED = "repaired", _("Repaired")
    REPLACED = "replaced", _("Replaced")


class SupplierReturnUnit(models.Model):
    """One unit on a supplier return: what it was, and the supplier's outcome once known."""

    supplier_return = models.ForeignKey(
        SupplierReturn,
        on_delete=models.CASCADE,
        related_name="units",
        verbose_name=_("Supplier return"),
    )
    serial = models.ForeignKey(
        SerialRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("Serial")
    )
    # The status it left with (In stock, Faulty, or Sold for a warranty claim's
    # unit), so Repaired knows where it goes back to.
    from_status = models.CharField(_("Sent as"), max_length=20, choices=SerialStatus)
    outcome = models.CharField(
        _("Outcome"), max_length=20, choices=SupplierReturnOutcome, blank=True
    )
    credit_amount = models.DecimalField(
        _("Credit amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    replacement = models.OneToOneField(
        SerialRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("Replacement serial"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Resolved by"),
    )
    resolved_at = models.DateTimeField(_("Resolved"), null=True, blank=True)

    class Meta:
        ordering = ["supplier_return", "id"]
        verbose_name = _("returned unit")
        verbose_name_plural = _("returned units")
        constraints = [
            models.UniqueConstraint(
                fields=["supplier_return", "serial"], name="inventory_returnunit_serial_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="")
                | models.Q(outcome__in=SupplierReturnOutcome.values),
                name="inventory_returnunit_outcome_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_amount__isnull=True) | models.Q(credit_amount__gte=0),
                name="inventory_returnunit_credit_not_negative",
            ),
            # A replacement is recorded with, and only with, the outcome Replaced.
            models.CheckConstraint(
                condition=models.Q(replacement__isnull=True)
                | models.Q(outcome=SupplierReturnOutcome.REPLACED),
                name="inventory_returnunit_replacement_only_replaced",
            ),
        ]

    def __str__(self) -> str:
        return str(self.serial)


class InventoryCountStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    APPLIED = "applied", _("Applied")
    CANCELLED = "cancelled", _("Cancelled")


class InventoryCount(models.Model):
    """A stock count at one outlet, of everything or of one product or brand ("New count")."""

    name = models.CharField(_("Name"), max_length=100)
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="+", verbose_name=_("Outlet")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Product"),
    )
    brand = models.CharField(_("Brand"), max_length=100, blank=True)
    status = models.CharField(
        _("Status"), max_length=20, choices=InventoryCountStatus, default=InventoryCountStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Started by"),
    )
    created_at = models.DateTimeField(_("Started"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Applied by"),
    )
    applied_at = models.DateTimeField(_("Applied"), null=True, blank=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inventory count")
        verbose_name_plural = _("inventory counts")
        permissions = [
            ("count_inventorycount", "Can scan serial numbers into an inventory count"),
            ("apply_inventorycount", "Can apply an inventory count"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InventoryCountStatus.values),
                name="inventory_count_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(product__isnull=True) | models.Q(brand=""),
                name="inventory_count_product_or_brand",
                violation_error_message=_("Count a product or a brand, not both."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="inventory_count_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:count_detail", args=[self.pk])


class InventoryCountScan(models.Model):
    """One serial scanned into a count; a second scan of it only adds to `repeats`.

    Unique per (count, key), so several devices scanning at once each insert or
    bump one row and never count a unit twice.
    """

    count = models.ForeignKey(
        InventoryCount, on_delete=models.CASCADE, related_name="scans", verbose_name=_("Count")
    )
    # As scanned (the serial a GS1 scan names), and its key (SerialRecord.normalise).
    serial = models.CharField(_("Serial number"), max_length=100)
    serial_normalised = models.CharField(max_length=100, editable=False)
    # The product a GS1 scan's GTIN named, if any (for Record).
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Product"),
        db_index=False,
    )
    repeats = models.PositiveIntegerField(_("Scanned again"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Counted by"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("Scanned"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("counted serial")
        verbose_name_plural = _("counted serials")
        constraints = [
            models.UniqueConstraint(
                fields=["count", "serial_normalised"], name="inventory_countscan_serial_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class InventoryCountQuantity(models.Model):
    """How many units of a product without serial numbers a count found."""

    count = models.ForeignKey(
        InventoryCount,
        on_delete=models.CASCADE,
        related_name="quantities",
        verbose_name=_("Count"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("Product")
    )
    counted = models.PositiveIntegerField(_("Counted"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Counted by"),
    )
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        ordering = ["count", "product__name", "id"]
        verbose_name = _("counted quantity")
        verbose_name_plural = _("counted quantities")
        constraints = [
            models.UniqueConstraint(
                fields=["count", "product"], name="inventory_countquantity_product_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.counted}"
