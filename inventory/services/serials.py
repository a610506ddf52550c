"""Recording serial numbers in bulk: "Add Serial numbers" and CSV import.

Both check every entry before anything is saved, and save the valid ones in a
fixed number of statements (see `inventory.sql`), so the cost of a batch does not
grow per serial.
"""

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import products_by_gtin
from catalog.serial_formats import SerialFormat, serial_format_problem
from inventory import sql
from inventory.models import (
    Outlet,
    SerialEventKind,
    SerialImportUpload,
    SerialRecord,
    SerialStatus,
)
from inventory.services.scans import scan_product_problem
from lib.csvfile import csv_cell_unescape, csv_pieces
from lib.scans import Scan, ScanError, scan_parse, scan_trim

# What separates entries in the "Serial numbers" field: the procedure's commas,
# and the new lines, tabs and semicolons that scanners and spreadsheets send.
SEPARATORS = re.compile(r"[,;\t\r\n]+")
_serial_max_length = SerialRecord._meta.get_field("serial").max_length
# Always set on a CharField; Django types `max_length` for every field, hence int | None.
assert _serial_max_length is not None
MAX_SERIAL_LENGTH: int = _serial_max_length


# Who may record entries that break their product's Serial number format ("Add anyway").
FORMAT_OVERRIDE_PERMISSION = "inventory.override_format_serialrecord"


@dataclass(frozen=True, slots=True)
class SerialEntry:
    """One serial to record: its text as entered, where, and its place in the input.

    `serials_check` hands back valid entries with `text` the serial to store: a
    scan's AI 21, not the scan, marked `read` so that a second check (a job's
    chunk) does not read a serial such as "(10)A" as a scan again.
    """

    text: str
    product: Product
    outlet: Outlet
    position: int
    read: bool = False


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """Why one entry (or CSV row) cannot be recorded."""

    text: str
    reason: str
    code: str
    position: int


@dataclass
class SerialsCheck:
    """The verdict on a whole batch before anything is saved."""

    valid: list[SerialEntry] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)
    # Serial texts that also exist on another product: accepted, but said.
    warnings: list[str] = field(default_factory=list)
    # CSV rows below the header that hold anything (0 for typed entries).
    rows: int = 0


@dataclass(frozen=True)
class SerialsRecorded:
    count: int
    created_at: datetime
    skipped: list[EntryProblem]
    warnings: list[str]


class SerialsRejected(ValidationError):
    """Some entries of a batch are invalid; nothing was saved."""

    def __init__(self, check: SerialsCheck):
        self.check = check
        count = len(check.problems)
        super().__init__(
            _("%(count)s of the entries cannot be added. Nothing was saved.") % {"count": count},
            code="invalid_entries",
        )


def serials_parse(text: str) -> list[str]:
    """Split the "Serial numbers" field into trimmed, non-empty entries.

    A GS1 scan is one entry: GS is no separator, and a trailing or leading GS
    (which `str.strip` would take as whitespace) stays for `lib.scans` to read.
    """
    return [entry for entry in (scan_trim(part) for part in SEPARATORS.split(text)) if entry]


def serial_text_problem(text: str) -> tuple[str, str] | None:
    """The (code, reason) that makes `text` unusable as a serial number, if any."""
    if not text:
        return "empty", _("The serial number is empty.")
    # The key must fit its column too, and NFKC can lengthen text (`ﷺ` is 18 characters).
    if len(text) > MAX_SERIAL_LENGTH or len(SerialRecord.normalise(text)) > MAX_SERIAL_LENGTH:
        return "too_long", _("Longer than %(max)s characters.") % {"max": MAX_SERIAL_LENGTH}
    if "," in text:
        return "comma", _("Contains a comma.")
    if not text.isprintable():
        return "unprintable", _("Contains a control or non-printable character.")
    return None


def product_problem(product: Product) -> tuple[str, str] | None:
    """The (code, reason) why no serials may be recorded for `product`, if any.

    The one place for these rules: "Add Serial numbers" and Import CSV both ask it.
    """
    if not product.has_serial_numbers:
        reason = _("%(product)s does not have serial numbers enabled.")
        return "product_not_serialised", reason % {"product": product.name}
    if not product.is_active:
        return "product_inactive", _("The product %(product)s is inactive.") % {
            "product": product.name
        }
    return None


def outlet_problem(outlet: Outlet) -> tuple[str, str] | None:
    """The (code, reason) why no serials may be recorded at `outlet`, if any."""
    if not outlet.is_active:
        return "outlet_inactive", _("The outlet %(outlet)s is inactive.") % {"outlet": outlet.name}
    return None


def format_override_check(*, user: User | None, format_confirmed: bool) -> None:
    """Refuse "Add anyway" (`format_confirmed`) to a user without the permission for it."""
    if format_confirmed and (user is None or not user.has_perm(FORMAT_OVERRIDE_PERMISSION)):
        raise PermissionDenied(
            _("Only a Manager can add serial numbers that break the product's format.")
        )


def _entry_scans(entries: Sequence[SerialEntry]) -> tuple[list[Scan | ScanError], set[str]]:
    """Each entry read by `lib.scans.scan_parse` (a scan or its error), and the GTINs named."""
    scans: list[Scan | ScanError] = []
    gtins: set[str] = set()
    for entry in entries:
        if entry.read:
            scans.append(Scan(serial=entry.text))
            continue
        try:
            scan = scan_parse(entry.text)
        except ScanError as error:
            scans.append(error)
            continue
        scans.append(scan)
        if scan.gtin:
            gtins.add(scan.gtin)
    return scans, gtins


def serials_check(
    *,
    entries: Sequence[SerialEntry],
    in_rows: bool = False,
    format_confirmed: bool = False,
    products: Mapping[int, Product] | None = None,
) -> SerialsCheck:
    """Check a batch against itself and the database: one query whatever its size (two
    when scans name GTINs).

    Each entry is read as a scan (its serial is AI 21) or plain text; a scan of
    another product, and a serial that breaks its product's format (unless
    `format_confirmed`), are problems. Positions are entry numbers, or CSV row
    numbers when `in_rows`. `products` are the entries' products as locked and
    read again by `serials_entries_check`.
    """
    check = SerialsCheck()
    first_seen: dict[tuple[int, str], int] = {}
    candidates: list[tuple[SerialEntry, str, int]] = []
    if products is None:
        products = {entry.product.pk: entry.product for entry in entries}
    # Products whose serials have a format to meet; none for most batches.
    formatted = (
        {}
        if format_confirmed
        else {
            pk: product
            for pk, product in products.items()
            if product.serial_format != SerialFormat.ANY
        }
    )
    scans, gtins = _entry_scans(entries)
    by_gtin = products_by_gtin(gtins) if gtins else {}
    # One verdict per product and GTIN: its reason is translated once.
    gtin_verdicts: dict[tuple[int, str], tuple[str, str] | None] = {}
    # Translated once, not per entry: gettext costs more than the check itself.
    if in_rows:
        repeated = _("Repeats row %(position)s.")
    else:
        repeated = _("Entered more than once (first as entry %(position)s).")
    for entry, scan in zip(entries, scans, strict=True):
        if isinstance(scan, ScanError):
            check.problems.append(
                EntryProblem(entry.text, scan.message, scan.code, entry.position)
            )
            continue
        product_pk = entry.product.pk
        problem = serial_text_problem(scan.serial)
        if problem is None and scan.gtin:
            verdict = (product_pk, scan.gtin)
            if verdict not in gtin_verdicts:
                product = products.get(product_pk, entry.product)
                gtin_verdicts[verdict] = scan_product_problem(scan, product, by_gtin)
            problem = gtin_verdicts[verdict]
        if problem:
            check.problems.append(EntryProblem(entry.text, problem[1], problem[0], entry.position))
            continue
        if scan.serial != entry.text:
            entry = replace(entry, text=scan.serial, read=True)
        normalised = SerialRecord.normalise(entry.text)
        key = (product_pk, normalised)
        if key in first_seen:
            reason = repeated % {"position": first_seen[key]}
            check.problems.append(EntryProblem(entry.text, reason, "repeated", entry.position))
            continue
        first_seen[key] = entry.position
        candidates.append((entry, normalised, product_pk))

    existing = _records_by_text(normalised=[normalised for _entry, normalised, _pk in candidates])
    where = _WhereRecorded()
    warned: set[str] = set()
    also_recorded = _("%(serial)s is also recorded for %(product)s.")
    for entry, normalised, product_pk in candidates:
        same_text = existing.get(normalised)
        if same_text:
            recorded = next((r for r in same_text if r.product_id == product_pk), None)
            if recorded:
                reason = where.reason(recorded)
                check.problems.append(EntryProblem(entry.text, reason, "exists", entry.position))
                continue
        # Last: "Add anyway" records these, so they are the entries with no other problem.
        formatted_product = formatted.get(product_pk) if formatted else None
        if formatted_product is not None:
            problem = serial_format_problem(formatted_product, entry.text)
            if problem:
                check.problems.append(
                    EntryProblem(entry.text, problem[1], problem[0], entry.position)
                )
                continue
        check.valid.append(entry)
        if not same_text:
            continue
        for other in same_text:
            if normalised not in warned:
                warned.add(normalised)
                check.warnings.append(
                    also_recorded % {"serial": entry.text, "product": other.product_name}
                )
    check.problems.sort(key=lambda problem: problem.position)
    return check


class _Recorded(NamedTuple):
    """What the check needs to know of a unit already recorded."""

    product_id: int
    product_name: str
    outlet_name: str
    status: str


class _WhereRecorded:
    """The reason an entry is already recorded, formatted once per outlet and status.

    A refused batch of 10,000 has a handful of distinct answers; translating the
    status label per entry took two seconds of the check.
    """

    def __init__(self) -> None:
        self.template = _("Already recorded for this product at %(outlet)s (%(status)s).")
        self.labels = {value: str(label) for value, label in SerialStatus.choices}
        self.reasons: dict[tuple[str, str], str] = {}

    def reason(self, recorded: _Recorded) -> str:
        key = (recorded.outlet_name, recorded.status)
        reason = self.reasons.get(key)
        if reason is None:
            status = self.labels.get(recorded.status, recorded.status)
            reason = self.template % {"outlet": recorded.outlet_name, "status": status}
            self.reasons[key] = reason
        return reason


def _records_by_text(*, normalised: Sequence[str]) -> dict[str, list[_Recorded]]:
    """Units whose normalised serial is in `normalised`, grouped by that text.

    One query, with each unit's product and outlet names joined in; plain rows,
    not model instances (three per unit), which took a second for 10,000.
    """
    if not normalised:
        return {}
    found: dict[str, list[_Recorded]] = {}
    rows = SerialRecord.objects.filter(
        serial_normalised__in=sql.text_values(normalised)
    ).values_list("serial_normalised", "product_id", "product__name", "outlet__name", "status")
    for text, product_id, product_name, outlet_name, status in rows:
        recorded = _Recorded(product_id, product_name, outlet_name, status)
        found.setdefault(text, []).append(recorded)
    return found


class SerialsRecordedMeanwhile(ValidationError):
    """A unit of the batch was recorded by someone else after the check; nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Some of these serial numbers were recorded by someone else a moment ago. "
                "Nothing was saved; submit again to see which."
            ),
            code="recorded_meanwhile",
        )


def serials_entries_check(
    *,
    entries: Sequence[SerialEntry],
    in_rows: bool = False,
    problems: Sequence[EntryProblem] = (),
    format_confirmed: bool = False,
) -> SerialsCheck:
    """Lock the entries' products and check every entry: its product, its outlet, its serial.

    Call it in a transaction: the products stay locked (in primary-key order) until
    it ends, so a manager turning serial numbers off waits for the batch, or the
    batch sees the product as it is after that change. A product or outlet that
    refuses serials refuses typed entries (one product, one outlet) as a whole, and
    each CSV row (`in_rows`) on its own. `problems` are ones the caller found first
    (rows naming no known product); they join the check's, in order. With
    `format_confirmed` ("Add anyway"), a serial that breaks its product's format is valid.
    """
    product_ids = sorted({entry.product.pk for entry in entries})
    locked = Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk")
    products = {product.pk: product for product in locked}
    found = list(problems)
    usable: list[SerialEntry] = []
    # One verdict per product and outlet, not per entry: its reason is translated once.
    verdicts: dict[tuple[int, int], tuple[str, str] | None] = {}
    for entry in entries:
        pair = (entry.product.pk, entry.outlet.pk)
        if pair not in verdicts:
            verdicts[pair] = product_problem(products[pair[0]]) or outlet_problem(entry.outlet)
        problem = verdicts[pair]
        if problem is None:
            usable.append(entry)
        elif in_rows:
            found.append(EntryProblem(entry.text, problem[1], problem[0], entry.position))
        else:
            raise ValidationError(problem[1], code=problem[0])
    check = serials_check(
        entries=usable, in_rows=in_rows, format_confirmed=format_confirmed, products=products
    )
    if found:
        check.problems = sorted(found + check.problems, key=lambda problem: problem.position)
    return check


def serials_insert_checked(
    *,
    entries: Sequence[SerialEntry],
    origin: str,
    user_id: int | None,
    created_at: datetime,
    in_rows: bool = False,
    only_valid: bool = False,
    problems: Sequence[EntryProblem] = (),
    format_confirmed: bool = False,
) -> SerialsRecorded:
    """Check entries as `serials_entries_check` does and insert the valid ones as In stock units.

    The one way new serials are saved: Add Serial numbers, Import CSV and each
    chunk of a background job. With a problem, nothing is saved unless
    `only_valid`. One statement inserts the units, counts them on hand and in the
    unit counts (`inventory.sql.serial_records_insert`); `origin`, the user and
    `created_at` are the first line of each unit's history. Call it in a
    transaction, which holds the products' locks until it ends.
    """
    check = serials_entries_check(
        entries=entries, in_rows=in_rows, problems=problems, format_confirmed=format_confirmed
    )
    if check.problems and not only_valid:
        raise SerialsRejected(check)
    rows = [
        (entry.product.pk, entry.outlet.pk, entry.text, SerialRecord.normalise(entry.text))
        for entry in check.valid
    ]
    count = 0
    if rows:
        try:
            with transaction.atomic():
                count = sql.serial_records_insert(
                    rows=rows,
                    status=SerialStatus.IN_STOCK,
                    origin=origin,
                    created_by_id=user_id,
                    created_at=created_at,
                )
        except IntegrityError:
            # Another user recorded one of these serials between our check and our insert.
            raise SerialsRecordedMeanwhile from None
    return SerialsRecorded(count, created_at, check.problems, check.warnings)


def _some_recorded(recorded: SerialsRecorded) -> SerialsRecorded:
    """A page's batch (all of it skipped, with "only the valid ones") must record something."""
    if not recorded.count:
        raise ValidationError(_("None of the entries can be recorded."), code="nothing_valid")
    return recorded


def _cap_check(entries: Sequence[str]) -> None:
    """The form's cap on entries: bigger batches go to a background job, which has none."""
    cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
    if len(entries) > cap:
        raise ValidationError(
            _(
                "At most %(max)s serial numbers can be added at once; this has %(count)s. "
                "Split them, or use Import CSV for bigger batches."
            )
            % {
                "max": number_format(cap, force_grouping=True),
                "count": number_format(len(entries), force_grouping=True),
            },
            code="too_many",
        )


def serials_typed(
    *, product: Product, outlet: Outlet, entries: Sequence[str]
) -> list[SerialEntry]:
    """Typed entries of one product at one outlet as a batch, numbered from 1; none is refused."""
    if not entries:
        problem = product_problem(product) or outlet_problem(outlet)
        if problem:
            raise ValidationError(problem[1], code=problem[0])
        raise ValidationError(_("Enter at least one serial number."), code="empty")
    return [
        SerialEntry(text, product, outlet, position)
        for position, text in enumerate(entries, start=1)
    ]


@transaction.atomic
def serials_add_check(
    *,
    product: Product,
    outlet: Outlet,
    entries: Sequence[str],
    capped: bool = True,
    format_confirmed: bool = False,
) -> SerialsCheck:
    """Check a typed batch without saving anything: the cap, the product, the outlet, each entry.

    "Download all problems" calls it again on the text `serials_add` refused, so
    the server keeps nothing between the two; a background job, which has no cap,
    passes `capped=False`.
    """
    if capped:
        _cap_check(entries)
    return serials_entries_check(
        entries=serials_typed(product=product, outlet=outlet, entries=entries),
        format_confirmed=format_confirmed,
    )


@transaction.atomic
def serials_add(
    *,
    product: Product,
    outlet: Outlet,
    entries: Sequence[str],
    user: User | None,
    only_valid: bool = False,
    format_confirmed: bool = False,
) -> SerialsRecorded:
    """Record serials of one product at one outlet: all of them, or none unless `only_valid`.

    Each entry is plain text or a scan (`lib.scans`); `format_confirmed` ("Add
    anyway", Managers) records the serials that break the product's format too.
    """
    format_override_check(user=user, format_confirmed=format_confirmed)
    _cap_check(entries)
    recorded = serials_insert_checked(
        entries=serials_typed(product=product, outlet=outlet, entries=entries),
        origin=SerialEventKind.ADDED,
        user_id=user.pk if user else None,
        created_at=timezone.now(),
        only_valid=only_valid,
        format_confirmed=format_confirmed,
    )
    return _some_recorded(recorded)


# CSV import ---------------------------------------------------------------

# Rows per piece of a streamed problems file.
PROBLEMS_CSV_CHUNK_ROWS = 2000


def batch_problems_csv(*, problems: Sequence[EntryProblem], in_rows: bool) -> Iterator[str]:
    """Every problem of a refused batch as CSV text in pieces: BOM, header, formula-safe cells.

    The columns of a background job's problems file: entry (or row), serial, problem.
    """
    column = _("Row") if in_rows else _("Entry")
    chunks = (
        [(p.position, p.text, p.reason) for p in problems[start : start + PROBLEMS_CSV_CHUNK_ROWS]]
        for start in range(0, len(problems), PROBLEMS_CSV_CHUNK_ROWS)
    )
    return csv_pieces([column, _("Serial number"), _("Problem")], chunks)


IMPORT_COLUMNS = {
    "serial": {"serial", "serial number", "serial no", "serial_number"},
    "sku": {"product sku", "product_sku", "sku"},
    "outlet": {"outlet", "outlet name", "outlet_name"},
}

# How long a refused file waits for "Import only the valid rows".
IMPORT_UPLOAD_KEPT_FOR = timedelta(days=1)


def _import_columns(header: Sequence[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    # Export CSV's headers, in whatever language it wrote them, read back too.
    exported = {"serial": _("Serial number"), "sku": _("SKU"), "outlet": _("Outlet")}
    columns = {}
    for key, accepted in IMPORT_COLUMNS.items():
        accepted = accepted | {exported[key].lower()}
        index = next((i for i, name in enumerate(names) if name in accepted), None)
        if index is None:
            raise ValidationError(
                _(
                    "The first row must name the columns serial, product SKU and outlet "
                    "(found: %(found)s)."
                )
                % {"found": Truncator(", ".join(header)).chars(200) or _("nothing")},
                code="bad_header",
            )
        columns[key] = index
    return columns


def _csv_records(csv_text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record of a CSV text with its row number (the header is row 1).

    Rows may end in LF, CRLF or a lone CR (old Mac exports). A row that is not
    valid CSV, or holds a NUL character (PostgreSQL refuses it in text), stops
    the reading with an error that names it.
    """
    # newline="" hands the csv module every line ending untouched, as it expects.
    reader = csv.reader(io.StringIO(csv_text.removeprefix("\ufeff"), newline=""), strict=True)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_error(row, error) from None
        if any("\x00" in cell for cell in cells):
            raise ValidationError(
                _("Row %(row)s contains a NUL character, which cannot be imported.")
                % {"row": row},
                code="nul",
            )
        yield row, cells


def _csv_error(row: int, error: csv.Error) -> ValidationError:
    limit = csv.field_size_limit()
    # The csv module says what went wrong only in its message.
    if "field limit" in str(error):
        message = _("Row %(row)s has a cell longer than %(max)s characters.") % {
            "row": row,
            "max": number_format(limit, force_grouping=True),
        }
        return ValidationError(message, code="cell_too_long")
    message = _(
        "Row %(row)s is not valid CSV (%(detail)s). Check its quotes, or save the file "
        "again as CSV from the spreadsheet."
    ) % {"row": row, "detail": error}
    return ValidationError(message, code="malformed")


class _ImportBatch(NamedTuple):
    """A CSV file read: its rows as entries, the rows already refused, how many rows."""

    entries: list[SerialEntry]
    problems: list[EntryProblem]
    rows: int


def _import_batch(csv_text: str) -> _ImportBatch:
    """Read a CSV of serial, product SKU, outlet rows: each row becomes an entry, or a
    problem when it names no known product or outlet."""
    records = _csv_records(csv_text)
    header = next(records, None)
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    columns = _import_columns(header[1])
    rows = [(line, cells) for line, cells in records if any(cell.strip() for cell in cells)]
    if not rows:
        raise ValidationError(_("The file has no rows below its header."), code="empty")

    def cell(cells: list[str], key: str) -> str:
        # Trimmed as typed entries are: a GS ending a scan in the serial cell stays.
        index = columns[key]
        return csv_cell_unescape(scan_trim(cells[index])) if index < len(cells) else ""

    skus = {cell(cells, "sku").lower() for _line, cells in rows}
    # Read, not locked: the check locks the products it uses, and reads them again.
    matching = Product.objects.annotate(sku_lower=Lower("sku")).filter(
        sku_lower__in=sql.text_values(sorted(skus))
    )
    products = {product.sku_lower: product for product in matching}
    outlets = {o.name.lower(): o for o in Outlet.objects.all()}

    problems: list[EntryProblem] = []
    entries: list[SerialEntry] = []
    for line, cells in rows:
        text, sku, outlet_name = cell(cells, "serial"), cell(cells, "sku"), cell(cells, "outlet")
        product = products.get(sku.lower())
        outlet = outlets.get(outlet_name.lower())
        if product is None:
            reason = _("Unknown product SKU “%(sku)s”.") % {"sku": Truncator(sku).chars(40)}
            problems.append(EntryProblem(text, reason, "unknown_product", line))
        elif outlet is None:
            reason = _("Unknown outlet “%(outlet)s”.") % {
                "outlet": Truncator(outlet_name).chars(40)
            }
            problems.append(EntryProblem(text, reason, "unknown_outlet", line))
        else:
            entries.append(SerialEntry(text, product, outlet, line))
    return _ImportBatch(entries, problems, len(rows))


@transaction.atomic
def serials_import_check(*, csv_text: str, format_confirmed: bool = False) -> SerialsCheck:
    """Read a CSV of serial, product SKU, outlet rows and check every row, saving nothing.

    The same rules as "Add Serial numbers", row by row: a scan's GTIN is checked
    against the row's product.
    """
    batch = _import_batch(csv_text)
    check = serials_entries_check(
        entries=batch.entries,
        in_rows=True,
        problems=batch.problems,
        format_confirmed=format_confirmed,
    )
    check.rows = batch.rows
    return check


@transaction.atomic
def serials_import(
    *,
    csv_text: str,
    user: User | None,
    only_valid: bool = False,
    format_confirmed: bool = False,
) -> SerialsRecorded:
    """Import serials from CSV: every row, or none unless `only_valid`.

    The user's kept file (see `serial_import_upload_create`) has served once
    the import succeeds, so it goes with it. `format_confirmed` as in `serials_add`.
    """
    format_override_check(user=user, format_confirmed=format_confirmed)
    batch = _import_batch(csv_text)
    try:
        recorded = serials_insert_checked(
            entries=batch.entries,
            origin=SerialEventKind.IMPORTED,
            user_id=user.pk if user else None,
            created_at=timezone.now(),
            in_rows=True,
            only_valid=only_valid,
            problems=batch.problems,
            format_confirmed=format_confirmed,
        )
    except SerialsRejected as rejected:
        # The refused page keeps the file and says how many rows it has.
        rejected.check.rows = batch.rows
        raise
    _some_recorded(recorded)
    if user is not None:
        SerialImportUpload.objects.filter(user=user).delete()
    return recorded


@transaction.atomic
def serial_import_upload_create(
    *, user: User, file_name: str, csv_text: str, row_count: int
) -> SerialImportUpload:
    """Keep a refused CSV file for its user: it replaces theirs, and none outlives a day."""
    expired = timezone.now() - IMPORT_UPLOAD_KEPT_FOR
    SerialImportUpload.objects.filter(Q(user=user) | Q(created_at__lt=expired)).delete()
    return SerialImportUpload.objects.create(
        user=user, file_name=file_name[:255], text=csv_text, row_count=row_count
    )
