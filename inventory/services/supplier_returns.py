"""Return stock: units sent back to their supplier, and the supplier's outcome for each.

`supplier_return_check` reads the scan box (saves nothing) and is the page's live
answer; `supplier_return_send` sends the units it found, checked again under
their locks, as one Supplier return (the units At supplier, In stock ones off
the shelf). `supplier_return_resolve` records one unit's outcome: Credited
(written off with the credit), Repaired (back where it came from) or Replaced
(written off, and the supplier's new unit recorded In stock in its place).

Locks, in the order every path takes them: the return row, its unit row, the
unit(s), then stock rows and tally rows (`UnitEffects.apply`). A warranty
claim's Send to supplier (sales) locks the claim and its unit first, then
calls `supplier_return_send`.
"""

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalog.models import Product, Supplier
from catalog.selectors import products_by_gtin
from inventory import sql
from inventory.models import (
    Outlet,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    StockMoveReason,
    SupplierReturn,
    SupplierReturnOutcome,
    SupplierReturnReason,
    SupplierReturnStatus,
    SupplierReturnUnit,
)
from inventory.services.effects import UnitEffects
from inventory.services.scans import scan_product_problem
from inventory.services.serial_state import serials_change
from inventory.services.serials import serial_text_problem, serials_parse
from inventory.services.stock_moves import move_cause
from lib.scans import Scan, ScanError, scan_parse, scan_trim

logger = logging.getLogger(__name__)

IN_STOCK, SOLD, FAULTY = SerialStatus.IN_STOCK, SerialStatus.SOLD, SerialStatus.FAULTY
AT_SUPPLIER, WRITTEN_OFF = SerialStatus.AT_SUPPLIER, SerialStatus.WRITTEN_OFF

# What Return stock sends: units on the shelf or in the back room. A Sold unit is
# a customer's; it goes back only from its warranty claim (`allow_sold`).
RETURNABLE = (IN_STOCK, FAULTY)
# The most units one return may hold: a pallet, not a warehouse.
MAX_UNITS = 1000
MAX_CREDIT = Decimal("99999999.99")


@dataclass(frozen=True, slots=True)
class ReturnEntry:
    """One entry of the box: as scanned, the serial it names, and the unit or why not."""

    text: str
    serial: str
    position: int
    unit: SerialRecord | None = None
    reason: str = ""
    code: str = ""
    # Where to go instead (a Sold unit's page, for its warranty claim).
    url: str = ""


@dataclass
class ReturnCheck:
    """The verdict on the box: the units Send sends, and the entries it cannot."""

    matched: list[ReturnEntry] = field(default_factory=list)
    scanned_twice: list[ReturnEntry] = field(default_factory=list)
    problems: list[ReturnEntry] = field(default_factory=list)
    entries: int = 0

    @property
    def units(self) -> list[SerialRecord]:
        return [entry.unit for entry in self.matched if entry.unit is not None]


def _control_characters(text: str, *, keep: str = "") -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in keep for char in text)


def _status_label(status: str) -> str:
    return str(SerialStatus(status).label)


def _not_returnable(
    unit: SerialRecord, outlet: Outlet | None, allow_sold: bool
) -> tuple[str, str, str] | None:
    """(code, reason, url) why `unit` cannot go back from `outlet`, or None."""
    params = {"serial": unit.serial, "status": _status_label(unit.status)}
    if unit.status == SOLD and not allow_sold:
        reason = _(
            "“%(serial)s” is Sold: a customer's unit goes back from its warranty claim "
            "(Open warranty claim on its page, then Send to supplier)."
        )
        return ("sold", reason % params, unit.get_absolute_url())
    if unit.status not in RETURNABLE and not (allow_sold and unit.status == SOLD):
        reason = _("“%(serial)s” is %(status)s, so it cannot be returned to a supplier.")
        return ("not_returnable", reason % params, "")
    if outlet is not None and unit.status != SOLD and unit.outlet_id != outlet.pk:
        reason = _("“%(serial)s” is %(status)s at %(outlet)s, not at %(from)s.")
        return (
            "other_outlet",
            reason % {**params, "outlet": unit.outlet.name, "from": outlet.name},
            "",
        )
    return None


def _cap_check(entries: Sequence[str]) -> None:
    if len(entries) > MAX_UNITS:
        raise ValidationError(
            _("At most %(max)s units can be returned at once; this has %(count)s.")
            % {
                "max": number_format(MAX_UNITS, force_grouping=True),
                "count": number_format(len(entries), force_grouping=True),
            },
            code="too_many",
        )


def supplier_return_check(
    *, outlet: Outlet | None, text: str, allow_sold: bool = False
) -> ReturnCheck:
    """The units the box names, each In stock or Faulty at `outlet` (None: any), and why not.

    Each entry is a serial or a GS1 scan (`lib.scans.scan_parse`); a scan's GTIN
    picks the product when one serial is recorded for two. Saves nothing; a fixed
    number of queries whatever the number of entries.
    """
    entries = serials_parse(text)
    _cap_check(entries)
    check = ReturnCheck(entries=len(entries))
    read: list[tuple[ReturnEntry, Scan, str]] = []
    for position, entry_text in enumerate(entries, start=1):
        try:
            scan = scan_parse(entry_text)
        except ScanError as error:
            check.problems.append(
                ReturnEntry(
                    entry_text, entry_text, position, reason=error.message, code=error.code
                )
            )
            continue
        problem = serial_text_problem(scan.serial)
        if problem:
            check.problems.append(
                ReturnEntry(entry_text, scan.serial, position, code=problem[0], reason=problem[1])
            )
            continue
        read.append(
            (
                ReturnEntry(entry_text, scan.serial, position),
                scan,
                SerialRecord.normalise(scan.serial),
            )
        )
    keys = sorted({key for _entry, _scan, key in read})
    found: dict[str, list[SerialRecord]] = {}
    if keys:
        rows = (
            SerialRecord.objects.filter(serial_normalised__in=sql.text_values(keys))
            .select_related("product", "outlet")
            .order_by("pk")
        )
        for unit in rows:
            found.setdefault(unit.serial_normalised, []).append(unit)
    gtins = {scan.gtin for _entry, scan, _key in read if scan.gtin}
    catalog = products_by_gtin(gtins) if gtins else {}
    first_seen: dict[int, int] = {}
    for entry, scan, key in read:
        units = found.get(key, [])
        refusal = None
        if scan.gtin:
            fitting = [u for u in units if scan_product_problem(scan, u.product, catalog) is None]
            if units and not fitting:
                refusal = scan_product_problem(scan, units[0].product, catalog)
            units = fitting
        if not units:
            code, reason = refusal or (
                "not_found",
                _("No unit has the serial number “%(serial)s”.") % {"serial": entry.serial},
            )
            check.problems.append(_with(entry, code, reason))
            continue
        if len(units) > 1:
            usable = [u for u in units if not _not_returnable(u, outlet, allow_sold)]
            if len(usable) != 1:
                names = ", ".join(sorted(u.product.name for u in units))
                reason = _(
                    "“%(serial)s” is recorded for %(products)s: scan its GS1 barcode, "
                    "which names the product."
                ) % {"serial": entry.serial, "products": names}
                check.problems.append(_with(entry, "ambiguous", reason))
                continue
            units = usable
        unit = units[0]
        if unit.pk in first_seen:
            reason = _("Scanned before (entry %(position)s).") % {"position": first_seen[unit.pk]}
            check.scanned_twice.append(_with(entry, "repeated", reason))
            continue
        first_seen[unit.pk] = entry.position
        refused = _not_returnable(unit, outlet, allow_sold)
        if refused:
            code, reason, url = refused
            check.problems.append(_with(entry, code, reason, url=url))
            continue
        check.matched.append(ReturnEntry(entry.text, unit.serial, entry.position, unit=unit))
    check.problems.sort(key=lambda item: item.position)
    return check


def _with(entry: ReturnEntry, code: str, reason: str, url: str = "") -> ReturnEntry:
    return ReturnEntry(entry.text, entry.serial, entry.position, None, reason, code, url)


def _send_errors(
    *, supplier: Supplier, outlet: Outlet, reason: str, supplier_reference: str, note: str
) -> dict[str, ValidationError]:
    errors = {}
    if not supplier.is_active:
        errors["supplier"] = ValidationError(
            _("Supplier “%(name)s” is inactive: select an active supplier."),
            code="supplier_inactive",
            params={"name": supplier.name},
        )
    if not outlet.is_active:
        errors["outlet"] = ValidationError(
            _("Outlet “%(name)s” is inactive: select an active outlet."),
            code="outlet_inactive",
            params={"name": outlet.name},
        )
    if reason not in SupplierReturnReason.values:
        errors["reason"] = ValidationError(_("Choose a reason."), code="reason_invalid")
    if len(supplier_reference) > 100:
        errors["supplier_reference"] = ValidationError(
            _("Keep the supplier reference to 100 characters or fewer."), code="reference_too_long"
        )
    elif _control_characters(supplier_reference):
        errors["supplier_reference"] = ValidationError(
            _("Remove the control character: it cannot be typed, printed or scanned."),
            code="control_character",
        )
    if _control_characters(note, keep="\n\r\t"):
        errors["note"] = ValidationError(
            _("Remove the control character: it cannot be typed, printed or scanned."),
            code="control_character",
        )
    return errors


@transaction.atomic
def supplier_return_send(
    *,
    supplier: Supplier,
    outlet: Outlet,
    serials: Sequence[SerialRecord],
    reason: str,
    supplier_reference: str = "",
    note: str = "",
    user: User | None,
    allow_sold: bool = False,
) -> SupplierReturn:
    """Send units In stock or Faulty at `outlet` back to `supplier`: one return, units At supplier.

    The units are locked (primary-key order) and checked again; one that is not
    returnable any more refuses the whole return. In stock units leave on hand
    (a stock move "Supplier return" on the return); Faulty ones were not on it.
    `allow_sold` lets a warranty claim send its customer's Sold unit.
    """
    supplier_reference, note = supplier_reference.strip(), note.strip()
    errors = _send_errors(
        supplier=supplier,
        outlet=outlet,
        reason=reason,
        supplier_reference=supplier_reference,
        note=note,
    )
    if not serials:
        errors["serial_numbers"] = ValidationError(
            _("Scan at least one unit to return."), code="no_units"
        )
    elif len(serials) > MAX_UNITS:
        errors["serial_numbers"] = ValidationError(
            _("At most %(max)s units can be returned at once.") % {"max": MAX_UNITS},
            code="too_many",
        )
    if errors:
        raise ValidationError(errors)
    locked = list(
        SerialRecord.objects.select_for_update()
        .filter(pk__in=[unit.pk for unit in serials])
        .order_by("pk")
    )
    if len(locked) != len({unit.pk for unit in serials}):
        raise ValidationError(
            _("A unit of this return no longer exists. Check the scans again."),
            code="not_found",
        )
    outlets = {o.pk: o for o in Outlet.objects.filter(pk__in={u.outlet_id for u in locked})}
    problems = []
    for unit in locked:
        unit.outlet = outlets[unit.outlet_id]
        refused = _not_returnable(unit, outlet, allow_sold)
        if refused:
            problems.append(ValidationError(refused[1], code=refused[0]))
    if problems:
        raise ValidationError({"serial_numbers": problems})
    supplier_return = SupplierReturn.objects.create(
        supplier=supplier,
        outlet=outlet,
        reason=reason,
        supplier_reference=supplier_reference,
        note=note,
        created_by=user,
    )
    SupplierReturnUnit.objects.bulk_create(
        SupplierReturnUnit(supplier_return=supplier_return, serial=unit, from_status=unit.status)
        for unit in locked
    )
    effects = UnitEffects(
        reason=StockMoveReason.RETURNED_TO_SUPPLIER, user=user, document=supplier_return
    )
    label = SupplierReturnReason(reason).label
    serials_change(
        serials=locked,
        kind=SerialEventKind.SENT_TO_SUPPLIER,
        user=user,
        to_status=AT_SUPPLIER,
        document=supplier_return,
        note=f"{label}. {note}" if note else str(label),
        at=supplier_return.created_at,
        effects=effects,
    )
    effects.apply()
    logger.info(
        "Supplier return %s sent by %s with %s units",
        supplier_return.pk,
        getattr(user, "pk", None),
        len(locked),
    )
    return supplier_return


# Outcomes ------------------------------------------------------------------


def _field_error(field_name: str, message: str, code: str) -> ValidationError:
    return ValidationError({field_name: ValidationError(message, code=code)})


def _credit_checked(outcome: str, credit_amount: Decimal | None) -> Decimal | None:
    if outcome != SupplierReturnOutcome.CREDITED:
        if credit_amount is not None:
            raise _field_error(
                "credit_amount", _("A credit amount is only for Credited."), "not_credited"
            )
        return None
    if credit_amount is None:
        raise _field_error("credit_amount", _("Enter the credit amount."), "required")
    if credit_amount < 0:
        raise _field_error(
            "credit_amount", _("The credit amount cannot be negative."), "credit_negative"
        )
    if credit_amount > MAX_CREDIT:
        raise _field_error("credit_amount", _("The credit amount is too large."), "credit_invalid")
    return credit_amount.quantize(Decimal("0.01"))


def _replacement_checked(outcome: str, text: str, product: Product) -> str:
    """The replacement's serial as it is to be stored, or a refusal naming why."""
    text = scan_trim(text)
    if outcome != SupplierReturnOutcome.REPLACED:
        if text:
            raise _field_error(
                "replacement_serial",
                _("A replacement serial is only for Replaced."),
                "not_replacing",
            )
        return ""
    if not text:
        raise _field_error(
            "replacement_serial", _("Enter the replacement serial number."), "required"
        )
    try:
        scan = scan_parse(text)
    except ScanError as error:
        raise _field_error("replacement_serial", error.message, error.code) from None
    problem = serial_text_problem(scan.serial)
    if problem is None and scan.gtin:
        problem = scan_product_problem(scan, product, products_by_gtin([scan.gtin]))
    if problem is not None:
        raise _field_error("replacement_serial", f"“{scan.serial}”: {problem[1]}", problem[0])
    existing = (
        SerialRecord.objects.filter(
            product=product, serial_normalised=SerialRecord.normalise(scan.serial)
        )
        .select_related("outlet")
        .first()
    )
    if existing is not None:
        raise _field_error(
            "replacement_serial",
            _("“%(serial)s” is already recorded for this product at %(outlet)s (%(status)s).")
            % {
                "serial": existing.serial,
                "outlet": existing.outlet.name,
                "status": existing.get_status_display(),
            },
            "exists",
        )
    return scan.serial


def _replacement_insert(
    *,
    supplier_return: SupplierReturn,
    unit: SerialRecord,
    serial: str,
    user: User | None,
) -> SerialRecord:
    """The supplier's new unit, In stock at the return's outlet, through the one insert path.

    `serial_records_insert` counts it on hand (+1: it came from the supplier) and
    in the unit counts itself, with a stock move "Supplier return" on the return.
    """
    now = timezone.now()
    key = SerialRecord.normalise(serial)
    try:
        with transaction.atomic():
            sql.serial_records_insert(
                rows=[(unit.product_id, supplier_return.outlet_id, serial, key)],
                status=IN_STOCK,
                origin=SerialEventKind.REPLACEMENT,
                created_by_id=user.pk if user else None,
                created_at=now,
                cause=move_cause(
                    reason=StockMoveReason.RETURNED_TO_SUPPLIER,
                    user=user,
                    document=supplier_return,
                ),
                delivered=True,
            )
    except IntegrityError:
        raise _field_error(
            "replacement_serial",
            _("“%(serial)s” was recorded for this product by someone else a moment ago.")
            % {"serial": serial},
            "recorded_meanwhile",
        ) from None
    return SerialRecord.objects.get(product_id=unit.product_id, serial_normalised=key)


@transaction.atomic
def supplier_return_resolve(
    *,
    supplier_return: SupplierReturn,
    unit_id: int,
    outcome: str,
    credit_amount: Decimal | None = None,
    replacement_serial: str = "",
    note: str = "",
    user: User | None,
) -> SupplierReturnUnit:
    """Record the supplier's outcome for one unit still at the supplier; the last one resolves.

    Credited: written off, with the credit amount. Repaired: back where it came
    from (In stock at the return's outlet, on hand again; a claim's Sold unit
    Sold again). Replaced: written off, and the replacement serial recorded In
    stock at the return's outlet, linked to it. One outcome per unit.
    """
    locked_return = (
        SupplierReturn.objects.select_for_update()
        .select_related("outlet", "supplier")
        .get(pk=supplier_return.pk)
    )
    row = (
        SupplierReturnUnit.objects.select_for_update()
        .filter(pk=unit_id, supplier_return=locked_return)
        .first()
    )
    if row is None:
        raise ValidationError(
            _("That unit is not on %(document)s.") % {"document": locked_return},
            code="not_on_return",
        )
    unit = SerialRecord.objects.select_for_update().select_related("product").get(pk=row.serial_id)
    if row.outcome:
        raise ValidationError(
            _("“%(serial)s” has its outcome already (%(outcome)s).")
            % {"serial": unit.serial, "outcome": row.get_outcome_display()},
            code="already_resolved",
        )
    if outcome not in SupplierReturnOutcome.values:
        raise _field_error("outcome", _("Choose an outcome."), "required")
    if unit.status != AT_SUPPLIER:
        raise ValidationError(
            _("“%(serial)s” is %(status)s now, not At supplier.")
            % {"serial": unit.serial, "status": unit.get_status_display()},
            code="changed_meanwhile",
        )
    note = note.strip()
    if _control_characters(note, keep="\n\r\t"):
        raise _field_error(
            "note",
            _("Remove the control character: it cannot be typed, printed or scanned."),
            "control_character",
        )
    credit = _credit_checked(outcome, credit_amount)
    new_serial = _replacement_checked(outcome, replacement_serial, unit.product)

    effects = UnitEffects(
        reason=StockMoveReason.RETURNED_TO_SUPPLIER, user=user, document=locked_return
    )
    now = timezone.now()
    kind: str
    if outcome == SupplierReturnOutcome.CREDITED:
        assert credit is not None  # _credit_checked asks for it
        kind, to_status = SerialEventKind.CREDITED, WRITTEN_OFF
        text = _("Credited %(amount)s.") % {"amount": number_format(credit, 2)}
    elif outcome == SupplierReturnOutcome.REPAIRED:
        # A claim's unit goes back to its customer; any other unit onto the shelf.
        kind, to_status, text = SerialEventKind.REPAIRED, IN_STOCK, ""
        if row.from_status == SOLD:
            to_status = SOLD
    else:
        # The new unit first: its insert counts its own stock and tally (stock
        # row, then the In stock tally row), then the old unit's change is applied.
        row.replacement = _replacement_insert(
            supplier_return=locked_return, unit=unit, serial=new_serial, user=user
        )
        kind, to_status = SerialEventKind.REPLACED, WRITTEN_OFF
        text = _("Replaced by %(serial)s.") % {"serial": row.replacement.serial}
    serials_change(
        serials=[unit],
        kind=kind,
        user=user,
        to_status=to_status,
        document=locked_return,
        note=f"{text} {note}".strip(),
        at=now,
        effects=effects,
    )
    effects.apply()
    row.outcome, row.credit_amount = outcome, credit
    row.resolved_by, row.resolved_at = user, now
    row.save(
        update_fields=["outcome", "credit_amount", "replacement", "resolved_by", "resolved_at"]
    )
    if not locked_return.units.filter(outcome="").exists():
        locked_return.status = SupplierReturnStatus.RESOLVED
        locked_return.save(update_fields=["status", "updated_at"])
    logger.info(
        "Supplier return %s: unit %s %s by %s",
        locked_return.pk,
        unit.pk,
        outcome,
        getattr(user, "pk", None),
    )
    return row


@transaction.atomic
def supplier_return_unit_released(*, serial: SerialRecord) -> int:
    """A claim's unit at its supplier is no longer its customer's: Repaired brings it In stock.

    A warranty claim settled another way while the unit is away (a replacement
    from stock) leaves the unit to the shop; its open return's row says so, so
    the supplier's outcome Repaired puts it on the shelf, not back on a sale.
    Returns how many rows changed (0 or 1).
    """
    return SupplierReturnUnit.objects.filter(serial=serial, outcome="", from_status=SOLD).update(
        from_status=IN_STOCK
    )


__all__ = [
    "MAX_UNITS",
    "RETURNABLE",
    "ReturnCheck",
    "ReturnEntry",
    "supplier_return_check",
    "supplier_return_resolve",
    "supplier_return_send",
    "supplier_return_unit_released",
]
