"""Recording serial numbers in bulk: "Add Serial numbers" and CSV import.

Both check every entry before anything is saved, and save the valid ones in a
fixed number of statements (see `inventory.sql`), so the cost of a batch does not
grow per serial.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from inventory import sql
from inventory.models import Outlet, SerialEventKind, SerialRecord, SerialStatus

# What separates entries in the "Serial numbers" field: the procedure's commas,
# and the new lines, tabs and semicolons that scanners and spreadsheets send.
SEPARATORS = re.compile(r"[,;\t\r\n]+")
MAX_SERIAL_LENGTH = SerialRecord._meta.get_field("serial").max_length


@dataclass(frozen=True, slots=True)
class SerialEntry:
    """One serial to record: its text as entered, where, and its place in the input."""

    text: str
    product: Product
    outlet: Outlet
    position: int


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
    """Split the "Serial numbers" field into trimmed, non-empty entries."""
    return [entry for entry in (part.strip() for part in SEPARATORS.split(text)) if entry]


def serial_text_problem(text: str) -> tuple[str, str] | None:
    """The (code, reason) that makes `text` unusable as a serial number, if any."""
    if not text:
        return "empty", _("The serial number is empty.")
    if len(text) > MAX_SERIAL_LENGTH:
        return "too_long", _("Longer than %(max)s characters.") % {"max": MAX_SERIAL_LENGTH}
    if "," in text:
        return "comma", _("Contains a comma.")
    if not text.isprintable():
        return "unprintable", _("Contains a control or non-printable character.")
    return None


def serials_check(*, entries: Sequence[SerialEntry], in_rows: bool = False) -> SerialsCheck:
    """Check a batch against itself and the database: one query whatever its size.

    Positions are entry numbers, or CSV row numbers when `in_rows`.
    """
    check = SerialsCheck()
    first_seen: dict[tuple[int, str], int] = {}
    candidates: list[tuple[SerialEntry, str]] = []
    for entry in entries:
        problem = serial_text_problem(entry.text)
        if problem:
            check.problems.append(EntryProblem(entry.text, problem[1], problem[0], entry.position))
            continue
        normalised = SerialRecord.normalise(entry.text)
        key = (entry.product.pk, normalised)
        if key in first_seen:
            if in_rows:
                reason = _("Repeats row %(position)s.")
            else:
                reason = _("Entered more than once (first as entry %(position)s).")
            reason %= {"position": first_seen[key]}
            check.problems.append(EntryProblem(entry.text, reason, "repeated", entry.position))
            continue
        first_seen[key] = entry.position
        candidates.append((entry, normalised))

    existing = _records_by_text(normalised=[normalised for _entry, normalised in candidates])
    warned: set[str] = set()
    for entry, normalised in candidates:
        same_text = existing.get(normalised)
        if not same_text:
            check.valid.append(entry)
            continue
        recorded = next((r for r in same_text if r.product_id == entry.product.pk), None)
        if recorded:
            reason = _("Already recorded for this product at %(outlet)s (%(status)s).") % {
                "outlet": recorded.outlet.name,
                "status": recorded.get_status_display(),
            }
            check.problems.append(EntryProblem(entry.text, reason, "exists", entry.position))
            continue
        check.valid.append(entry)
        for other in same_text:
            if normalised not in warned:
                warned.add(normalised)
                check.warnings.append(
                    _("%(serial)s is also recorded for %(product)s.")
                    % {"serial": entry.text, "product": other.product.name}
                )
    check.problems.sort(key=lambda problem: problem.position)
    return check


def _records_by_text(*, normalised: Sequence[str]) -> dict[str, list[SerialRecord]]:
    """Records whose normalised serial is in `normalised`, grouped by that text."""
    if not normalised:
        return {}
    found: dict[str, list[SerialRecord]] = {}
    records = (
        SerialRecord.objects.filter(serial_normalised__in=sql.text_values(normalised))
        .select_related("product", "outlet")
        .only("serial_normalised", "status", "product__name", "outlet__name")
    )
    for record in records:
        found.setdefault(record.serial_normalised, []).append(record)
    return found


def _record_checked(
    *, check: SerialsCheck, only_valid: bool, origin: str, user: AbstractBaseUser | None
) -> SerialsRecorded:
    """Insert a checked batch's valid entries as In stock units, in one statement.

    With problems, nothing is saved unless `only_valid`. The units' `origin`,
    `created_by` and `created_at` are the first line of their history.
    """
    if check.problems and not only_valid:
        raise SerialsRejected(check)
    if not check.valid:
        raise ValidationError(_("None of the entries can be recorded."), code="nothing_valid")
    created_at = timezone.now()
    rows = [
        (entry.product.pk, entry.outlet.pk, entry.text, SerialRecord.normalise(entry.text))
        for entry in check.valid
    ]
    try:
        with transaction.atomic():
            count = sql.serial_records_insert(
                rows=rows,
                status=SerialStatus.IN_STOCK,
                origin=origin,
                created_by_id=user.pk if user else None,
                created_at=created_at,
            )
    except IntegrityError:
        # Another user recorded one of these serials between our check and our insert.
        raise ValidationError(
            _(
                "Some of these serial numbers were recorded by someone else a moment ago. "
                "Nothing was saved; submit again to see which."
            ),
            code="recorded_meanwhile",
        ) from None
    return SerialsRecorded(count, created_at, check.problems, check.warnings)


@transaction.atomic
def serials_add(
    *,
    product: Product,
    outlet: Outlet,
    entries: Sequence[str],
    user: AbstractBaseUser | None,
    only_valid: bool = False,
) -> SerialsRecorded:
    """Record serials of one product at one outlet: all of them, or none unless `only_valid`."""
    # Locked, so a manager turning serial numbers off waits for this batch (or
    # this batch sees the product as it is after that change).
    product = Product.objects.select_for_update().get(pk=product.pk)
    if not product.has_serial_numbers:
        raise ValidationError(
            _("%(product)s does not have serial numbers enabled.") % {"product": product.name},
            code="product_not_serialised",
        )
    if not outlet.is_active:
        raise ValidationError(
            _("The outlet %(outlet)s is inactive.") % {"outlet": outlet.name},
            code="outlet_inactive",
        )
    if not entries:
        raise ValidationError(_("Enter at least one serial number."), code="empty")
    batch = [
        SerialEntry(text, product, outlet, position)
        for position, text in enumerate(entries, start=1)
    ]
    check = serials_check(entries=batch)
    return _record_checked(
        check=check, only_valid=only_valid, origin=SerialEventKind.ADDED, user=user
    )


# CSV import ---------------------------------------------------------------

IMPORT_COLUMNS = {
    "serial": {"serial", "serial number", "serial no", "serial_number"},
    "sku": {"product sku", "product_sku", "sku"},
    "outlet": {"outlet", "outlet name", "outlet_name"},
}


def _import_columns(header: Sequence[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    columns = {}
    for key, accepted in IMPORT_COLUMNS.items():
        index = next((i for i, name in enumerate(names) if name in accepted), None)
        if index is None:
            raise ValidationError(
                _(
                    "The first row must name the columns serial, product SKU and outlet "
                    "(found: %(found)s)."
                )
                % {"found": ", ".join(header) or _("nothing")},
                code="bad_header",
            )
        columns[key] = index
    return columns


@transaction.atomic
def serials_import_check(*, csv_text: str) -> SerialsCheck:
    """Read a CSV of serial, product SKU, outlet rows and check every row."""
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise ValidationError(_("The file is empty."), code="empty")
    columns = _import_columns(header)
    rows = [
        (line, [cell.strip() for cell in cells])
        for line, cells in enumerate(reader, start=2)
        if any(cell.strip() for cell in cells)
    ]
    if not rows:
        raise ValidationError(_("The file has no rows below its header."), code="empty")

    def cell(cells: list[str], key: str) -> str:
        index = columns[key]
        return cells[index] if index < len(cells) else ""

    skus = {cell(cells, "sku").lower() for _line, cells in rows}
    # Locked in primary-key order, as in `serials_add`.
    matching = (
        Product.objects.select_for_update()
        .annotate(sku_lower=Lower("sku"))
        .filter(sku_lower__in=sql.text_values(sorted(skus)))
        .order_by("pk")
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
            reason, code = _("Unknown product SKU “%(sku)s”.") % {"sku": sku}, "unknown_product"
        elif not product.has_serial_numbers:
            reason = _("%(product)s does not have serial numbers enabled.") % {
                "product": product.name
            }
            code = "product_not_serialised"
        elif outlet is None:
            reason, code = (
                _("Unknown outlet “%(outlet)s”.") % {"outlet": outlet_name},
                "unknown_outlet",
            )
        elif not outlet.is_active:
            reason = _("The outlet %(outlet)s is inactive.") % {"outlet": outlet.name}
            code = "outlet_inactive"
        else:
            entries.append(SerialEntry(text, product, outlet, line))
            continue
        problems.append(EntryProblem(text, reason, code, line))

    check = serials_check(entries=entries, in_rows=True)
    check.problems = sorted(problems + check.problems, key=lambda problem: problem.position)
    return check


@transaction.atomic
def serials_import(
    *, csv_text: str, user: AbstractBaseUser | None, only_valid: bool = False
) -> SerialsRecorded:
    """Import serials from CSV: every row, or none unless `only_valid`."""
    check = serials_import_check(csv_text=csv_text)
    return _record_checked(
        check=check, only_valid=only_valid, origin=SerialEventKind.IMPORTED, user=user
    )
