"""Receive on a stock order: scans matched to the order's lines, the Supplier list, Receive.

`receive_check` is the live answer of the Scan serial numbers box and saves
nothing; `stock_order_receive` checks the same text again under the order's
lock and records the matched units In stock at the order's outlet. Both cost a
fixed number of queries whatever the number of scans.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import products_by_gtin
from catalog.serial_formats import SerialFormat, serial_format_problem
from inventory import sql
from inventory.models import (
    SerialRecord,
    SerialStatus,
    StockOrder,
    StockOrderExpected,
    StockOrderLine,
    StockOrderStatus,
)
from inventory.services.scans import scan_product_problem
from inventory.services.serials import (
    IMPORT_COLUMNS,
    SerialsRecordedMeanwhile,
    _csv_records,
    format_override_check,
    outlet_problem,
    product_problem,
    serial_text_problem,
    serials_parse,
)
from lib.csvfile import csv_cell_unescape
from lib.scans import Scan, ScanError, gtin_normalise, scan_gtin, scan_parse, scan_trim

# The orders a delivery can still arrive on.
RECEIVABLE = (StockOrderStatus.OPEN, StockOrderStatus.SENT, StockOrderStatus.PARTLY_RECEIVED)


@dataclass(frozen=True, slots=True)
class ReceiveEntry:
    """One entry of the box: as scanned, the serial it names, and its verdict."""

    text: str
    serial: str
    position: int
    line_id: int | None = None
    reason: str = ""
    code: str = ""
    # The serial's normalised key, once it is matched.
    key: str = ""


@dataclass
class LineProgress:
    """A line of the order as this delivery would leave it."""

    line: StockOrderLine
    matched: int = 0

    @property
    def received(self) -> int:
        return self.line.received + self.matched

    @property
    def serialised(self) -> bool:
        return self.line.product.has_serial_numbers


@dataclass
class ReceiveCheck:
    """The verdict on the box: what Receive records, and the lists of what it leaves out."""

    matched: list[ReceiveEntry] = field(default_factory=list)
    not_on_order: list[ReceiveEntry] = field(default_factory=list)
    already_recorded: list[ReceiveEntry] = field(default_factory=list)
    scanned_twice: list[ReceiveEntry] = field(default_factory=list)
    # Text a unit cannot be recorded under: a broken scan, a control character,
    # a serial that breaks its product's format (code "format": Add anyway).
    problems: list[ReceiveEntry] = field(default_factory=list)
    lines: list[LineProgress] = field(default_factory=list)
    entries: int = 0

    @property
    def format_problems(self) -> int:
        return sum(1 for problem in self.problems if problem.code == "format")


@dataclass(frozen=True)
class ReceiveResult:
    order: StockOrder
    units: int
    quantity: int
    created_at: datetime
    check: ReceiveCheck


class ReceiveRejected(ValidationError):
    """Nothing on the box (or in the quantities) can be received; nothing was saved."""

    def __init__(self, check: ReceiveCheck):
        self.check = check
        super().__init__(
            _("Nothing to receive: no entry matches a line still open on this order."),
            code="nothing_to_receive",
        )


def receivable_problem(order: StockOrder) -> tuple[str, str] | None:
    """The (code, reason) why nothing can be received on `order`, if any."""
    if order.status not in RECEIVABLE:
        reason = _("Stock order %(number)s is %(status)s: nothing more can be received on it.")
        return "order_closed", reason % {
            "number": order.pk,
            "status": order.get_status_display().lower(),
        }
    return None


def _cap_check(entries: Sequence[str]) -> None:
    cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
    if len(entries) > cap:
        raise ValidationError(
            _("At most %(max)s serial numbers can be received at once; this has %(count)s.")
            % {
                "max": number_format(cap, force_grouping=True),
                "count": number_format(len(entries), force_grouping=True),
            },
            code="too_many",
        )


class _Foreign:
    """A barcode scanned of a product that is not on the order: its serials are not either."""

    def __init__(self, product: Product):
        self.product = product


def _check(
    *,
    order: StockOrder,
    lines: Sequence[StockOrderLine],
    entries: Sequence[str],
    format_confirmed: bool,
) -> ReceiveCheck:
    check = ReceiveCheck(lines=[LineProgress(line) for line in lines], entries=len(entries))
    progress = {item.line.pk: item for item in check.lines}
    by_gtin = {line.product.gtin: line for line in lines if line.product.gtin}
    serialised = [line for line in lines if line.product.has_serial_numbers]
    only_line = serialised[0] if len(serialised) == 1 else None

    # First pass: read each entry (a GS1 scan, a product barcode or a serial).
    read: list[tuple[int, str, Scan | ScanError, str]] = []
    gtins: set[str] = set()
    for position, text in enumerate(entries, start=1):
        try:
            scan: Scan | ScanError = scan_parse(text)
        except ScanError as error:
            scan = error
        # A product barcode: a GS1 scan with AI 01 and no serial, or bare digits.
        barcode = ""
        if isinstance(scan, ScanError):
            barcode = scan_gtin(text) if scan.code == "scan_no_serial" else ""
        elif not scan.is_gs1:
            # A plain entry is a product barcode when it is a GTIN (digits, check digit).
            barcode = gtin_normalise(scan.serial)
        if barcode:
            gtins.add(barcode)
        elif isinstance(scan, Scan) and scan.gtin:
            gtins.add(scan.gtin)
        read.append((position, text, scan, barcode))
    others = {
        gtin: product
        for gtin, product in (products_by_gtin(gtins - by_gtin.keys()) if gtins else {}).items()
    }
    catalog = {**others, **{gtin: line.product for gtin, line in by_gtin.items()}}

    # Second pass: give each serial its line, or its list.
    current: StockOrderLine | _Foreign | None = None
    placed: list[tuple[ReceiveEntry, str, StockOrderLine | None, Scan]] = []
    for position, text, scan, barcode in read:
        if barcode and barcode in by_gtin:
            current = by_gtin[barcode]
            continue
        if barcode and barcode in others:
            current = _Foreign(others[barcode])
            continue
        if isinstance(scan, ScanError):
            check.problems.append(
                ReceiveEntry(text, text, position, None, scan.message, scan.code)
            )
            continue
        entry = ReceiveEntry(text, scan.serial, position)
        problem = serial_text_problem(scan.serial)
        if problem:
            check.problems.append(_with(entry, problem))
            continue
        line: StockOrderLine | None = None
        if scan.gtin and scan.gtin in by_gtin:
            line = by_gtin[scan.gtin]
        elif scan.gtin and scan.gtin in others:
            reason = _("The scan is of %(product)s (%(sku)s), which is not on this order.")
            product = others[scan.gtin]
            check.not_on_order.append(
                _with(
                    entry,
                    ("other_product", reason % {"product": product.name, "sku": product.sku}),
                )
            )
            continue
        elif isinstance(current, _Foreign):
            reason = _("%(product)s (%(sku)s) is not on this order.")
            product = current.product
            check.not_on_order.append(
                _with(
                    entry,
                    ("other_product", reason % {"product": product.name, "sku": product.sku}),
                )
            )
            continue
        elif current is not None:
            line = current
        placed.append((entry, SerialRecord.normalise(scan.serial), line, scan))

    normalised = sorted({norm for _entry, norm, _line, _scan in placed})
    expected = _expected_lines(order=order, normalised=normalised) if normalised else {}
    lines_by_pk = {line.pk: line for line in lines}
    recorded = _recorded(product_ids=[line.product_id for line in lines], normalised=normalised)
    labels = {value: str(label) for value, label in SerialStatus.choices}
    first_seen: dict[tuple[int, str], int] = {}
    matched: Counter[int] = Counter()
    for entry, norm, line, scan in placed:
        if line is None and norm in expected:
            line = lines_by_pk.get(expected[norm])
        if line is None:
            line = only_line
        if line is None:
            reason = _("Not matched to a line: scan the product's barcode first.")
            check.not_on_order.append(_with(entry, ("no_product", reason)))
            continue
        entry = ReceiveEntry(entry.text, entry.serial, entry.position, line.pk, key=norm)
        product = line.product
        gtin_problem = scan_product_problem(scan, product, catalog) if scan.gtin else None
        if gtin_problem:
            check.not_on_order.append(_with(entry, gtin_problem))
            continue
        if not product.has_serial_numbers:
            reason = _("%(product)s is received by quantity, not by serial number.")
            check.not_on_order.append(
                _with(entry, ("not_serialised", reason % {"product": product.name}))
            )
            continue
        problem = product_problem(product)
        if problem:
            check.problems.append(_with(entry, problem))
            continue
        key = (product.pk, norm)
        if key in first_seen:
            reason = _("Scanned before (entry %(position)s).") % {"position": first_seen[key]}
            check.scanned_twice.append(_with(entry, ("repeated", reason)))
            continue
        first_seen[key] = entry.position
        unit = recorded.get(key)
        if unit is not None:
            check.already_recorded.append(_with(entry, _where(unit, order, labels)))
            continue
        if not format_confirmed and product.serial_format != SerialFormat.ANY:
            problem = serial_format_problem(product, entry.serial)
            if problem:
                check.problems.append(_with(entry, problem))
                continue
        if line.received + matched[line.pk] >= line.quantity:
            check.not_on_order.append(_with(entry, _over(line)))
            continue
        matched[line.pk] += 1
        check.matched.append(entry)
    for line_pk, count in matched.items():
        progress[line_pk].matched = count
    for listed in (check.not_on_order, check.problems):
        listed.sort(key=lambda item: item.position)
    return check


def _with(entry: ReceiveEntry, problem: tuple[str, str]) -> ReceiveEntry:
    code, reason = problem
    return ReceiveEntry(entry.text, entry.serial, entry.position, entry.line_id, reason, code)


def _over(line: StockOrderLine) -> tuple[str, str]:
    if line.received >= line.quantity:
        reason = _("All %(quantity)s already received.")
    else:
        reason = _("All %(quantity)s ordered are matched above.")
    return "over_ordered", reason % {"quantity": number_format(line.quantity)}


def _expected_lines(*, order: StockOrder, normalised: Sequence[str]) -> dict[str, int]:
    """The line the Supplier list expects each serial on (one query)."""
    rows = StockOrderExpected.objects.filter(
        order=order, serial_normalised__in=sql.text_values(normalised)
    ).values_list("serial_normalised", "line_id")
    found: dict[str, int] = {}
    for norm, line_id in rows.order_by("line_id"):
        found.setdefault(norm, line_id)
    return found


def _recorded(
    *, product_ids: Sequence[int], normalised: Sequence[str]
) -> dict[tuple[int, str], tuple[str, str, int | None]]:
    """(outlet name, status, order received on) of the units already recorded (one query)."""
    if not normalised or not product_ids:
        return {}
    rows = SerialRecord.objects.filter(
        product_id__in=product_ids, serial_normalised__in=sql.text_values(normalised)
    ).values_list("product_id", "serial_normalised", "outlet__name", "status", "arrival_order_id")
    return {(p, norm): (outlet, status, on) for p, norm, outlet, status, on in rows}


def _where(
    unit: tuple[str, str, int | None], order: StockOrder, labels: Mapping[str, str]
) -> tuple[str, str]:
    outlet, status, arrival_order = unit
    if arrival_order == order.pk:
        return "received", _("Received on this order already.")
    reason = _("Already recorded for this product at %(outlet)s (%(status)s).")
    return "exists", reason % {"outlet": outlet, "status": labels.get(status, status)}


def _order_lines(order: StockOrder) -> list[StockOrderLine]:
    return list(order.lines.select_related("product").order_by("pk"))


def receive_check(*, order: StockOrder, text: str, format_confirmed: bool = False) -> ReceiveCheck:
    """What Receive would record of `text` on `order` (and what not, and why); saves nothing."""
    entries = serials_parse(text)
    _cap_check(entries)
    return _check(
        order=order, lines=_order_lines(order), entries=entries, format_confirmed=format_confirmed
    )


def _quantities_check(
    lines: Sequence[StockOrderLine], quantities: Mapping[int, int]
) -> dict[int, int]:
    """The quantities received of lines without serial numbers, checked against the order."""
    by_pk = {line.pk: line for line in lines}
    checked: dict[int, int] = {}
    for line_pk, quantity in quantities.items():
        line = by_pk.get(line_pk)
        if line is None or line.product.has_serial_numbers:
            raise ValidationError(
                _("A quantity was given for a line that is not received by quantity."),
                code="not_a_quantity_line",
            )
        if quantity < 0:
            raise ValidationError(_("A quantity cannot be negative."), code="negative_quantity")
        remaining = line.quantity - line.received
        if quantity > remaining:
            raise ValidationError(
                _("%(product)s: %(quantity)s received, but only %(remaining)s more are on order.")
                % {"product": line.product.name, "quantity": quantity, "remaining": remaining},
                code="over_ordered",
            )
        if quantity:
            checked[line_pk] = quantity
    return checked


@transaction.atomic
def stock_order_receive(
    *,
    order: StockOrder,
    text: str,
    quantities: Mapping[int, int],
    user: User | None,
    format_confirmed: bool = False,
) -> ReceiveResult:
    """Record the matched units In stock at the order's outlet and the quantities on hand, at once.

    Under the order's lock (then its products', in primary-key order) the box is
    checked again, so a scan received twice, or on two devices at once, records
    one unit; what is not matched is left out and listed. The lines' received
    counts and the order's status follow.
    """
    format_override_check(user=user, format_confirmed=format_confirmed)
    entries = serials_parse(text)
    _cap_check(entries)
    order = (
        StockOrder.objects.select_for_update()
        .select_related("supplier", "outlet")
        .get(pk=order.pk)
    )
    problem = receivable_problem(order) or outlet_problem(order.outlet)
    if problem:
        raise ValidationError(problem[1], code=problem[0])
    lines = _order_lines(order)
    locked = Product.objects.select_for_update().filter(pk__in=[line.product_id for line in lines])
    products = {product.pk: product for product in locked.order_by("pk")}
    for line in lines:
        line.product = products[line.product_id]
    counted = _quantities_check(lines, quantities)
    check = _check(order=order, lines=lines, entries=entries, format_confirmed=format_confirmed)
    if not check.matched and not counted:
        raise ReceiveRejected(check)

    by_pk = {line.pk: line for line in lines}
    rows = [
        (
            by_pk[entry.line_id].product_id,
            order.outlet_id,
            entry.serial,
            entry.key,
        )
        for entry in check.matched
        if entry.line_id is not None
    ]
    created_at = timezone.now()
    try:
        with transaction.atomic():
            units = sql.serial_records_receive(
                rows=rows,
                order_id=order.pk,
                created_by_id=user.pk if user else None,
                created_at=created_at,
                quantities={
                    (by_pk[pk].product_id, order.outlet_id): n for pk, n in counted.items()
                },
            )
    except IntegrityError:
        raise SerialsRecordedMeanwhile from None

    arrived: Counter[int] = Counter(entry.line_id for entry in check.matched if entry.line_id)
    arrived.update(counted)
    for line_pk, count in sorted(arrived.items()):
        StockOrderLine.objects.filter(pk=line_pk).update(received=F("received") + count)
        by_pk[line_pk].received += count
    for line_pk in sorted({entry.line_id for entry in check.matched if entry.line_id}):
        serials = [entry.key for entry in check.matched if entry.line_id == line_pk]
        StockOrderExpected.objects.filter(
            line_id=line_pk, received=False, serial_normalised__in=sql.text_values(serials)
        ).update(received=True)
    complete = all(line.received >= line.quantity for line in lines)
    order.status = StockOrderStatus.RECEIVED if complete else StockOrderStatus.PARTLY_RECEIVED
    order.save(update_fields=["status", "updated_at"])
    return ReceiveResult(
        order=order,
        units=units,
        quantity=sum(counted.values()),
        created_at=created_at,
        check=check,
    )


# Supplier list -------------------------------------------------------------

BARCODE_COLUMN = {"barcode", "gtin", "ean", "upc"}


@dataclass
class ExpectedLoad:
    """A Supplier list read onto an order: how many serials it added, and the rows it did not."""

    added: int = 0
    rows: int = 0
    not_on_order: list[ReceiveEntry] = field(default_factory=list)
    already_recorded: list[ReceiveEntry] = field(default_factory=list)
    problems: list[ReceiveEntry] = field(default_factory=list)


def _supplier_columns(header: Sequence[str]) -> tuple[int, int | None, int | None]:
    names = [name.strip().lower() for name in header]

    def find(accepted: set[str]) -> int | None:
        return next((i for i, name in enumerate(names) if name in accepted), None)

    serial = find(IMPORT_COLUMNS["serial"] | {_("Serial number").lower()})
    sku = find(IMPORT_COLUMNS["sku"] | {"supplier code", "supplier_code", _("SKU").lower()})
    barcode = find(BARCODE_COLUMN | {_("Barcode").lower()})
    if serial is None or (sku is None and barcode is None):
        raise ValidationError(
            _("The first row must name the columns serial and SKU or barcode (found: %(found)s).")
            % {"found": Truncator(", ".join(header)).chars(200) or _("nothing")},
            code="bad_header",
        )
    return serial, sku, barcode


@transaction.atomic
def stock_order_expected_load(*, order: StockOrder, csv_text: str) -> ExpectedLoad:
    """Read the supplier's CSV (serial, and SKU or barcode) into the serials the order expects.

    Rows of products not on the order, serials already recorded and broken
    serials are listed, not loaded; a serial already expected is loaded once.
    """
    order = StockOrder.objects.select_for_update().get(pk=order.pk)
    problem = receivable_problem(order)
    if problem:
        raise ValidationError(problem[1], code=problem[0])
    lines = _order_lines(order)
    by_sku: dict[str, StockOrderLine] = {}
    for line in lines:
        by_sku[line.product.sku.lower()] = line
        # A supplier code is the order's supplier's own name for the product.
        if line.product.supplier_code and line.product.supplier_id == order.supplier_id:
            by_sku.setdefault(line.product.supplier_code.lower(), line)
    by_gtin = {line.product.gtin: line for line in lines if line.product.gtin}

    records = _csv_records(csv_text)
    header = next(records, None)
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    serial_at, sku_at, barcode_at = _supplier_columns(header[1])
    load = ExpectedLoad()

    def cell(cells: list[str], index: int | None) -> str:
        if index is None or index >= len(cells):
            return ""
        return csv_cell_unescape(scan_trim(cells[index]))

    candidates: list[tuple[ReceiveEntry, StockOrderLine, str]] = []
    for row, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        load.rows += 1
        text, sku, barcode = cell(cells, serial_at), cell(cells, sku_at), cell(cells, barcode_at)
        entry = ReceiveEntry(text, text, row)
        try:
            serial = scan_parse(text).serial
        except ScanError as error:
            load.problems.append(_with(entry, (error.code, error.message)))
            continue
        entry = ReceiveEntry(text, serial, row)
        problem = serial_text_problem(serial)
        if problem:
            load.problems.append(_with(entry, problem))
            continue
        target = by_sku.get(sku.lower()) if sku else None
        if target is None and barcode:
            target = by_gtin.get(scan_gtin(barcode))
        if target is None:
            named = Truncator(sku or barcode).chars(40)
            reason = _("“%(product)s” is not on this order.") % {"product": named}
            load.not_on_order.append(_with(entry, ("other_product", reason)))
            continue
        candidates.append((entry, target, SerialRecord.normalise(serial)))
    if not load.rows:
        raise ValidationError(_("The file has no rows below its header."), code="empty")

    recorded = _recorded(
        product_ids=[line.product_id for line in lines],
        normalised=sorted({norm for _entry, _line, norm in candidates}),
    )
    labels = {value: str(label) for value, label in SerialStatus.choices}
    new: dict[tuple[int, str], tuple[int, str, str]] = {}
    for entry, line, norm in candidates:
        unit = recorded.get((line.product_id, norm))
        if unit is not None:
            load.already_recorded.append(_with(entry, _where(unit, order, labels)))
            continue
        new.setdefault((line.pk, norm), (line.pk, entry.serial, norm))
    load.added = sql.stock_order_expected_insert(order_id=order.pk, rows=list(new.values()))
    return load


def expected_serials(*, order: StockOrder) -> list[str]:
    """The serials the Supplier list expects on `order` that have not arrived, in list order."""
    return list(
        StockOrderExpected.objects.filter(order=order, received=False)
        .order_by("line_id", "id")
        .values_list("serial", flat=True)
    )


def expected_counts(*, order: StockOrder) -> tuple[int, int]:
    """(serials the Supplier list expects, of them not received yet) on `order`."""
    rows = StockOrderExpected.objects.filter(order=order)
    return rows.count(), rows.filter(received=False).count()
