"""Selling: one service, `sale_create`, for the New sale page, the demo and a future API.

Contract (the page and the tests rely on it):
- `sale_create(outlet=, customer=, lines=[LineInput, ...], clerk=, record_new=False,
  sell_here=False, format_confirmed=False) -> Sale`, all in one transaction.
- Each entry of a line's serials is typed text or a scan (`lib.scans.scan_parse`):
  a GS1 scan sells the unit of its serial (AI 21), and its GTIN (AI 01) checks the
  line's product or, on a line without one, names it (the product with that
  barcode). `check.lines` holds the lines as read.
- When the sale cannot complete as asked it raises `SaleRefused` (a ValidationError,
  code "sale_refused") whose `.check` (a `SaleCheck`) says why:
  `form_errors` (sale-wide), `line_errors` {line index: [SaleProblem]}, each
  problem a stable `code` (for the API and the page's form) and its `message`,
  `not_recorded` [(line index, text)] (offer "Record as new": call again with
  record_new=True), `elsewhere` [(line index, text, outlet name)] (offer "Sell it
  here": call again with sell_here=True), `off_format` [(line index, text, reason)]
  (not recorded serials that break their product's Serial number format: a clerk
  with `inventory.override_format_serialrecord` records them with record_new=True
  and format_confirmed=True, "Add anyway"; from anyone else that flag is
  PermissionDenied, and each such serial is a line problem, code "format").
  Nothing is saved then.
- `sale_check(...)` (the same arguments; `clerk` for what they may confirm) runs
  the same checks and saves nothing: the New sale page's review shows what the
  sale will do, and `check.fingerprint` names that sale and its decisions. Passed back as
  `sale_create(reviewed=...)`, a sale that is no longer the one reviewed (a line,
  a price or a decision changed) is refused with `check.stale_review` set and its
  confirmations cleared (`record_new`, `sell_here`, `format_confirmed`): they are
  asked for again.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import products_by_gtin
from catalog.serial_formats import serial_format_problem
from inventory import sql
from inventory.models import Outlet, SerialEventKind, SerialRecord, SerialStatus, StockMoveReason
from inventory.services import UnitEffects, serials_change, serials_record_sold
from inventory.services.scans import scan_product_problem
from inventory.services.serials import (
    FORMAT_OVERRIDE_PERMISSION,
    format_override_check,
    serial_text_problem,
)
from lib.scans import GS, Scan, ScanError, scan_parse
from sales.models import Customer, Sale, SaleLine, SaleLineSerial


@dataclass(frozen=True)
class LineInput:
    """One line of the New sale form, as typed."""

    # None: the product whose barcode the line's GS1 scans carry (AI 01).
    product: Product | None
    quantity: int
    # None: the product's retail price.
    unit_price: Decimal | None = None
    # The line's Serial numbers, already split: each one typed, or a scan (lib.scans).
    serials: list[str] = field(default_factory=list)
    # False: the entries are serial numbers as stored, never read as scans.
    scans: bool = True


@dataclass(frozen=True)
class CheckedLine:
    """A line as the sale reads it: its product, and the serial number of each entry."""

    product: Product
    quantity: int
    unit_price: Decimal | None
    serials: list[str]
    # Entries that give no serial to sell (a broken scan, a scan of another
    # product): the count of serials is still the count of entries typed.
    unread: int = 0


@dataclass(frozen=True)
class SaleProblem:
    """One reason a sale was refused: a stable `code` for programs, a message for people.

    `serial` is the text entered when the problem is about one unit, `sale` the
    sale that already holds it. Printed, a problem is its message.

    Sale-wide codes: outlet_inactive, no_lines, customer_required, total_too_large.
    A line's: product_required, gtin_unknown, gtin_several_products (a line
    without a product whose scans name none, or several), scan_invalid,
    scan_no_serial (lib.scans), gtin_other_product, product_inactive,
    quantity_invalid, serials_missing, serials_count, product_not_serialised,
    serial_text_problem's (empty, too_long, comma, unprintable), entered_twice,
    recorded_for_other_product, format, already_sold, not_sellable; lost
    races: gone, moved_meanwhile, recorded_meanwhile.
    """

    code: str
    message: str
    serial: str = ""
    sale: int | None = None

    def __str__(self) -> str:
        return self.message


@dataclass
class SaleCheck:
    """Why a sale cannot complete yet; empty when it can."""

    form_errors: list[SaleProblem] = field(default_factory=list)
    line_errors: dict[int, list[SaleProblem]] = field(default_factory=dict)
    not_recorded: list[tuple[int, str]] = field(default_factory=list)
    elsewhere: list[tuple[int, str, str]] = field(default_factory=list)
    # Of `not_recorded`, those that break their product's Serial number format,
    # with the reason; only ever filled for a clerk who may record them anyway.
    off_format: list[tuple[int, str, str]] = field(default_factory=list)
    # The confirmations this attempt already carried: what is still to confirm
    # is `not_recorded` without `record_new`, `elsewhere` without `sell_here`,
    # `off_format` without `format_confirmed`.
    record_new: bool = False
    sell_here: bool = False
    format_confirmed: bool = False
    # The lines as read (`CheckedLine`), numbered as given; empty when a line's
    # product could not be told.
    lines: list[CheckedLine] = field(default_factory=list)
    # Each line's unit price (as typed, or the retail price) and the sale's total.
    prices: list[Decimal] = field(default_factory=list)
    total: Decimal = Decimal(0)
    # The sale as checked and its decisions (see `sale_check`); `stale_review`:
    # refused because it is no longer the sale the clerk reviewed.
    fingerprint: str = ""
    stale_review: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.form_errors or self.line_errors)

    @property
    def to_confirm(self) -> bool:
        """Whether some serials still wait for Record as new or Sell it here."""
        return bool(
            (self.not_recorded and not self.record_new)
            or (self.elsewhere and not self.sell_here)
            or (self.off_format and not self.format_confirmed)
        )


class SaleRefused(ValidationError):
    """The sale was not saved; `check` says why and what the clerk may confirm."""

    def __init__(self, check: SaleCheck):
        self.check = check
        super().__init__(_("The sale was not completed."), code="sale_refused")


IN_STOCK, SOLD = SerialStatus.IN_STOCK, SerialStatus.SOLD


@dataclass
class _Plan:
    """What a checked sale will do with each serial entered."""

    attach: list[tuple[int, SerialRecord]] = field(default_factory=list)
    move_here: list[tuple[int, SerialRecord]] = field(default_factory=list)
    record: list[tuple[int, str]] = field(default_factory=list)


def _open_sales(serial_pks: Sequence[int]) -> dict[int, int]:
    """The open sale of each of these units (serial pk -> sale pk)."""
    if not serial_pks:
        return {}
    links = SaleLineSerial.objects.filter(serial_id__in=serial_pks, returned_at__isnull=True)
    return dict(links.values_list("serial_id", "line__sale_id"))


def _unsellable(record: SerialRecord, open_sales: dict[int, int]) -> SaleProblem:
    if record.status == SOLD:
        sale = open_sales.get(record.pk)
        if sale:
            message = _("“%(serial)s” is already sold (Sale %(sale)s).") % {
                "serial": record.serial,
                "sale": sale,
            }
        else:
            message = _("“%(serial)s” is already sold.") % {"serial": record.serial}
        return SaleProblem("already_sold", message, serial=record.serial, sale=sale)
    message = _("“%(serial)s” is %(status)s and cannot be sold.") % {
        "serial": record.serial,
        "status": record.get_status_display(),
    }
    return SaleProblem("not_sellable", message, serial=record.serial)


# The largest total the Sale.total column holds (12 digits, 2 after the point).
MAX_TOTAL = Decimal(10) ** (12 - 2)


def _unit_price(line: CheckedLine) -> Decimal:
    """The line's price: as typed, or the product's retail price when left blank."""
    return line.product.retail_price if line.unit_price is None else line.unit_price


def _shown(text: str) -> str:
    """A scan as a message quotes it: GS as GS1's own examples print it, <GS>."""
    return text.replace(GS, "<GS>")


def _line_problem(check: SaleCheck, index: int, problem: SaleProblem) -> None:
    check.line_errors.setdefault(index, []).append(problem)


def _read_entries(
    line: LineInput, *, index: int, check: SaleCheck
) -> tuple[list[tuple[str, Scan]], int]:
    """Each entry of a line as (text, scan); a broken GS1 scan is a problem, counted."""
    if not line.scans:
        return [(text, Scan(serial=text)) for text in line.serials], 0
    read, broken = [], 0
    for text in line.serials:
        try:
            read.append((text, scan_parse(text)))
        except ScanError as error:
            message = f"“{_shown(text)}”: {error.messages[0]}"
            _line_problem(check, index, SaleProblem(error.code or "scan_invalid", message, text))
            broken += 1
    return read, broken


def _scanned_product(
    read: list[tuple[str, Scan]], *, by_gtin: dict[str, Product], index: int, check: SaleCheck
) -> Product | None:
    """The product a line without one is of: the one whose barcode its scans carry."""
    gtins = list(dict.fromkeys(scan.gtin for _text, scan in read if scan.gtin))
    if not gtins:
        message = _("Enter and select the product name.")
        _line_problem(check, index, SaleProblem("product_required", message))
        return None
    unknown = [gtin for gtin in gtins if gtin not in by_gtin]
    if unknown:
        message = _(
            "No product has the barcode %(gtin)s of the scan: enter and select the product name."
        ) % {"gtin": unknown[0]}
        _line_problem(check, index, SaleProblem("gtin_unknown", message))
        return None
    products = list({by_gtin[gtin].pk: by_gtin[gtin] for gtin in gtins}.values())
    if len(products) > 1:
        message = _(
            "The scans on this line are of different products (%(products)s): "
            "put each product on a line of its own."
        ) % {"products": ", ".join(str(product) for product in products)}
        _line_problem(check, index, SaleProblem("gtin_several_products", message))
        return None
    return products[0]


def _read_lines(lines: Sequence[LineInput], check: SaleCheck) -> list[CheckedLine] | None:
    """Each line's product and the serial number of each entry; None if a product is unknown.

    A GS1 scan gives its serial (AI 21); its GTIN (AI 01) must be the line's
    product's, or, on a line without a product, names it. The GTINs of the whole
    sale cost one query, and plain text none.
    """
    read = [_read_entries(line, index=index, check=check) for index, line in enumerate(lines)]
    by_gtin = products_by_gtin({scan.gtin for found, _broken in read for _t, scan in found})
    checked = []
    for index, (line, (found, broken)) in enumerate(zip(lines, read, strict=True)):
        product = line.product or _scanned_product(
            found, by_gtin=by_gtin, index=index, check=check
        )
        if product is None:
            continue
        serials = []
        for _text, scan in found:
            problem = scan_product_problem(scan, product, by_gtin)
            if problem is None:
                serials.append(scan.serial)
                continue
            message = f"“{scan.serial}”: {problem[1]}"
            _line_problem(check, index, SaleProblem(problem[0], message, serial=scan.serial))
            broken += 1
        checked.append(
            CheckedLine(
                product=product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                serials=serials,
                unread=broken,
            )
        )
    return checked if len(checked) == len(lines) else None


def _check_lines(
    *, check: SaleCheck, outlet: Outlet, customer: Customer | None, lines: Sequence[CheckedLine]
) -> list[tuple[int, str, str]]:
    """Checks that need no unit: the sale as a whole and each line's own fields.

    Returns the serials entered, as (line index, text, key).
    """
    if not outlet.is_active:
        message = _("The outlet %(outlet)s is inactive.") % {"outlet": outlet.name}
        check.form_errors.append(SaleProblem("outlet_inactive", message))
    if not lines:
        check.form_errors.append(SaleProblem("no_lines", _("Add at least one line.")))
    serialised = any(line.product.has_serial_numbers for line in lines)
    if serialised and customer is None and outlet.require_customer_for_serialised:
        message = _(
            "%(outlet)s requires a customer for serialised products: choose the customer."
        ) % {"outlet": outlet.name}
        check.form_errors.append(SaleProblem("customer_required", message))
    check.prices = [_unit_price(line) for line in lines]
    check.total = sum(
        (line.quantity * price for line, price in zip(lines, check.prices, strict=True)),
        Decimal(0),
    )
    if check.total >= MAX_TOTAL:
        message = _("The total is more than one sale can hold: split it into several sales.")
        check.form_errors.append(SaleProblem("total_too_large", message))
    entered: list[tuple[int, str, str]] = []
    first_line: dict[tuple[int, str], int] = {}
    for index, line in enumerate(lines):
        errors = _line_problems(line)
        if line.product.has_serial_numbers:
            errors += _serial_text_problems(
                line=line, index=index, first_line=first_line, entered=entered
            )
        if errors:
            check.line_errors.setdefault(index, []).extend(errors)
    return entered


def _line_problems(line: CheckedLine) -> list[SaleProblem]:
    """A line's own fields: the product, the quantity, and whether serials belong on it."""
    errors = []
    product = line.product
    # Entries typed, each one a unit: with those that named no serial to sell.
    entries = len(line.serials) + line.unread
    if not product.is_active:
        message = _("%(product)s is inactive.") % {"product": product.name}
        errors.append(SaleProblem("product_inactive", message))
    if line.quantity < 1:
        errors.append(SaleProblem("quantity_invalid", _("The quantity must be at least 1.")))
    if product.has_serial_numbers and not entries:
        message = _("%(product)s has serial numbers: enter one per unit sold.") % {
            "product": product.name
        }
        errors.append(SaleProblem("serials_missing", message))
    elif product.has_serial_numbers and entries != line.quantity:
        message = _("Enter %(quantity)s serial numbers, one per unit (%(count)s entered).") % {
            "quantity": line.quantity,
            "count": entries,
        }
        errors.append(SaleProblem("serials_count", message))
    elif not product.has_serial_numbers and entries:
        message = _("%(product)s has no serial numbers: leave Serial numbers empty.") % {
            "product": product.name
        }
        errors.append(SaleProblem("product_not_serialised", message))
    return errors


def _serial_text_problems(
    *,
    line: CheckedLine,
    index: int,
    first_line: dict[tuple[int, str], int],
    entered: list[tuple[int, str, str]],
) -> list[SaleProblem]:
    """Each serial typed on a line: usable text, not entered twice; usable ones go in `entered`."""
    errors = []
    product = line.product
    for text in line.serials:
        problem = serial_text_problem(text)
        if problem:
            errors.append(SaleProblem(problem[0], f"“{text}”: {problem[1]}", serial=text))
            continue
        key = SerialRecord.normalise(text)
        if (product.pk, key) in first_line:
            message = _("“%(serial)s” is entered more than once in this sale.") % {"serial": text}
            errors.append(SaleProblem("entered_twice", message, serial=text))
            continue
        first_line[(product.pk, key)] = index
        entered.append((index, text, key))
    return errors


def _plan_units(
    *,
    check: SaleCheck,
    outlet: Outlet,
    lines: Sequence[CheckedLine],
    entered,
    clerk: User | None = None,
) -> _Plan:
    """Match each serial entered with its unit: one query for all of them.

    A serial not recorded yet must follow its product's Serial number format
    to be recorded as new, unless the clerk may record it anyway (Managers).
    """
    plan = _Plan()
    may_add_anyway: list[bool] = []  # asked once, and only for a serial off format
    keys = sorted({key for _index, _text, key in entered})
    found: dict[str, list[SerialRecord]] = {}
    if keys:
        records = SerialRecord.objects.filter(
            serial_normalised__in=sql.text_values(keys)
        ).select_related("product", "outlet")
        for found_record in records:
            found.setdefault(found_record.serial_normalised, []).append(found_record)
    sold = [r.pk for same in found.values() for r in same if r.status == SOLD]
    open_sales = _open_sales(sold)
    for index, text, key in entered:
        product = lines[index].product
        same_key = found.get(key, [])
        record = next((r for r in same_key if r.product_id == product.pk), None)
        if record is None and same_key:
            message = _("“%(serial)s” is recorded for %(other)s, not for %(product)s.") % {
                "serial": text,
                "other": same_key[0].product.name,
                "product": product.name,
            }
            check.line_errors.setdefault(index, []).append(
                SaleProblem("recorded_for_other_product", message, serial=text)
            )
        elif record is None:
            off_format = serial_format_problem(product, text)
            if off_format is not None:
                if not may_add_anyway:
                    may_add_anyway.append(
                        clerk is not None and clerk.has_perm(FORMAT_OVERRIDE_PERMISSION)
                    )
                if not may_add_anyway[0]:
                    _line_problem(check, index, _format_refused(product, text, off_format[1]))
                    continue
                check.off_format.append((index, text, off_format[1]))
            check.not_recorded.append((index, text))
            plan.record.append((index, text))
        elif record.status != IN_STOCK:
            check.line_errors.setdefault(index, []).append(_unsellable(record, open_sales))
        elif record.outlet_id != outlet.pk:
            check.elsewhere.append((index, record.serial, record.outlet.name))
            plan.move_here.append((index, record))
        else:
            plan.attach.append((index, record))
    return plan


def _format_refused(product: Product, text: str, reason: str) -> SaleProblem:
    message = _(
        "“%(serial)s” is not recorded, and it breaks the Serial number format of "
        "%(product)s: %(reason)s Ask a manager to record it, or correct it."
    ) % {"serial": text, "product": product.name, "reason": reason}
    return SaleProblem("format", message, serial=text)


def _fingerprint(
    *, outlet: Outlet, customer: Customer | None, lines: Sequence[CheckedLine], check: SaleCheck
) -> str:
    """A digest of what the sale will do: who, where, each line as priced, each decision."""
    described = {
        "outlet": outlet.pk,
        "customer": customer.pk if customer else None,
        "lines": [
            [line.product.pk, line.quantity, str(price), list(line.serials)]
            for line, price in zip(lines, check.prices, strict=True)
        ],
        "not_recorded": sorted(check.not_recorded),
        "elsewhere": sorted(check.elsewhere),
        "off_format": sorted(check.off_format),
    }
    text = json.dumps(described, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _check(
    *,
    outlet: Outlet,
    customer: Customer | None,
    lines: Sequence[LineInput],
    clerk: User | None,
) -> tuple[SaleCheck, _Plan]:
    check = SaleCheck()
    checked = _read_lines(lines, check)
    if checked is None:
        # A line without a product: like an empty Product field, said first.
        return check, _Plan()
    check.lines = checked
    entered = _check_lines(check=check, outlet=outlet, customer=customer, lines=checked)
    plan = _plan_units(check=check, outlet=outlet, lines=checked, entered=entered, clerk=clerk)
    check.fingerprint = _fingerprint(outlet=outlet, customer=customer, lines=checked, check=check)
    return check, plan


def sale_check(
    *,
    outlet: Outlet,
    customer: Customer | None,
    lines: Sequence[LineInput],
    clerk: User | None = None,
    record_new: bool = False,
    sell_here: bool = False,
    format_confirmed: bool = False,
) -> SaleCheck:
    """What `sale_create` would refuse, or ask to confirm, for this sale; saves nothing.

    `clerk`: who would sell it (what they may confirm), as `sale_create` is told.
    """
    format_override_check(user=clerk, format_confirmed=format_confirmed)
    check = _check(outlet=outlet, customer=customer, lines=lines, clerk=clerk)[0]
    check.record_new, check.sell_here, check.format_confirmed = (
        record_new,
        sell_here,
        format_confirmed,
    )
    return check


@dataclass(frozen=True)
class ReviewSerial:
    text: str
    # What completing the sale does with the unit: "new" (Record as new), "moved"
    # (Sell it here, from `from_outlet`), "" (sold from the sale's outlet's stock).
    decision: str = ""
    from_outlet: str = ""
    # A new one that breaks its product's Serial number format: the reason.
    format_reason: str = ""


@dataclass(frozen=True)
class ReviewLine:
    product: Product
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    serials: list[ReviewSerial]


def sale_review_lines(*, check: SaleCheck) -> list[ReviewLine]:
    """Each line of a checked sale as it will be saved, with what happens to each serial."""
    new = {(index, SerialRecord.normalise(text)) for index, text in check.not_recorded}
    moved = {
        (index, SerialRecord.normalise(text)): outlet for index, text, outlet in check.elsewhere
    }
    off_format = {
        (index, SerialRecord.normalise(text)): reason for index, text, reason in check.off_format
    }
    review = []
    for index, (line, price) in enumerate(zip(check.lines, check.prices, strict=True)):
        serials = []
        for text in line.serials:
            key = (index, SerialRecord.normalise(text))
            if key in new:
                reason = off_format.get(key, "")
                serials.append(ReviewSerial(text=text, decision="new", format_reason=reason))
            elif key in moved:
                serials.append(ReviewSerial(text=text, decision="moved", from_outlet=moved[key]))
            else:
                serials.append(ReviewSerial(text=text))
        review.append(
            ReviewLine(
                product=line.product,
                quantity=line.quantity,
                unit_price=price,
                line_total=line.quantity * price,
                serials=serials,
            )
        )
    return review


def _lock_units(*, plan: _Plan, outlet: Outlet, check: SaleCheck) -> dict[int, SerialRecord]:
    """Lock the units to sell, in primary-key order, and re-check them under the lock.

    Another clerk may have sold one between the check and here: then this sale
    is refused naming that sale, and nothing is saved.
    """
    wanted = [record for _index, record in plan.attach + plan.move_here]
    locked = {
        r.pk: r
        for r in SerialRecord.objects.select_for_update()
        .filter(pk__in=[r.pk for r in wanted])
        .order_by("pk")
    }
    gone = [(index, r) for index, r in plan.attach + plan.move_here if r.pk not in locked]
    changed = [
        (index, locked[r.pk])
        for index, r in plan.attach + plan.move_here
        if r.pk in locked and locked[r.pk].status != IN_STOCK
    ]
    # A unit checked at this outlet but transferred away meanwhile is no longer
    # on this shelf: the clerk must confirm "Sell it here" for it.
    moved_away = [
        (index, locked[r.pk])
        for index, r in plan.attach
        if r.pk in locked
        and locked[r.pk].status == IN_STOCK
        and locked[r.pk].outlet_id != outlet.pk
    ]
    if gone or changed or moved_away:
        open_sales = _open_sales([r.pk for _index, r in changed])
        for index, record in changed:
            check.line_errors.setdefault(index, []).append(_unsellable(record, open_sales))
        for index, record in gone:
            message = _("“%(serial)s” no longer exists.") % {"serial": record.serial}
            check.line_errors.setdefault(index, []).append(
                SaleProblem("gone", message, serial=record.serial)
            )
        for index, record in moved_away:
            message = _("“%(serial)s” was moved to another outlet a moment ago: look it up.") % {
                "serial": record.serial
            }
            check.line_errors.setdefault(index, []).append(
                SaleProblem("moved_meanwhile", message, serial=record.serial)
            )
        raise SaleRefused(check)
    return locked


@transaction.atomic
def sale_create(
    *,
    outlet: Outlet,
    customer: Customer | None,
    lines: Sequence[LineInput],
    clerk: User | None,
    record_new: bool = False,
    sell_here: bool = False,
    format_confirmed: bool = False,
    reviewed: str | None = None,
    at: datetime | None = None,
    effects: UnitEffects | None = None,
) -> Sale:
    """Sell the lines at an outlet, attaching each unit by its serial; all or nothing.

    Locks, in this order: the units sold (primary-key order), then new units'
    keys (inserted in key order), then stock counts (product, outlet order),
    then unit counts (product, outlet, status order), both applied once, last
    (`UnitEffects.apply`). No product row is locked, so sales of different
    units of one product do not wait for each other's units.

    `effects`: a caller's collector (a claim's replacement sale) that takes the
    sale's stock and tally changes when the sale succeeds and applies them with
    its own; without one the sale applies them itself.

    `reviewed`: the fingerprint of the sale the clerk reviewed (`sale_check`); a
    sale that differs from it now is refused, so a confirmation never applies to
    serials, prices or decisions the clerk did not see.

    `format_confirmed` (with `record_new`): record new serials that break their
    product's Serial number format ("Add anyway"), which only a clerk with
    `FORMAT_OVERRIDE_PERMISSION` may send (PermissionDenied otherwise); for
    anyone else such a serial is refused (code "format").
    """
    format_override_check(user=clerk, format_confirmed=format_confirmed)
    check, plan = _check(outlet=outlet, customer=customer, lines=lines, clerk=clerk)
    check.record_new, check.sell_here, check.format_confirmed = (
        record_new,
        sell_here,
        format_confirmed,
    )
    if reviewed is not None and reviewed != check.fingerprint:
        # What was confirmed is not what the sale is now: the clerk confirms again.
        check.stale_review = True
        check.record_new = check.sell_here = check.format_confirmed = False
        raise SaleRefused(check)
    if check.has_errors or check.to_confirm:
        raise SaleRefused(check)
    locked = _lock_units(plan=plan, outlet=outlet, check=check)
    checked = check.lines

    now = at or timezone.now()
    sale = Sale.objects.create(
        outlet=outlet, customer=customer, clerk=clerk, created_at=now, total=check.total
    )
    sale_lines = SaleLine.objects.bulk_create(
        SaleLine(
            sale=sale,
            position=position,
            product=line.product,
            quantity=line.quantity,
            unit_price=price,
        )
        for position, (line, price) in enumerate(zip(checked, check.prices, strict=True), start=1)
    )
    units: list[tuple[int, SerialRecord]] = []
    # Every stock and tally change of the sale, applied once at the end in key
    # order, so two sales lock stock and tally rows in the same order.
    sale_effects = UnitEffects(reason=StockMoveReason.SOLD, user=clerk, document=sale)
    for line in checked:
        if not line.product.has_serial_numbers:
            sale_effects.quantity_sold(
                product_id=line.product.pk, outlet_id=outlet.pk, quantity=line.quantity
            )
    moving = [locked[r.pk] for _index, r in plan.move_here]
    if moving:
        serials_change(
            serials=moving,
            kind=SerialEventKind.TRANSFERRED,
            user=clerk,
            to_outlet=outlet,
            document=sale,
            note=_("Sold at %(outlet)s") % {"outlet": outlet.name},
            at=now,
            effects=sale_effects,
        )
    selling = [(index, locked[r.pk]) for index, r in plan.attach + plan.move_here]
    if selling:
        serials_change(
            serials=[record for _index, record in selling],
            kind=SerialEventKind.SOLD,
            user=clerk,
            to_status=SOLD,
            document=sale,
            at=now,
            effects=sale_effects,
        )
        units += selling
    units += _record_new_units(
        plan=plan,
        lines=checked,
        outlet=outlet,
        clerk=clerk,
        sale=sale,
        check=check,
        at=now,
        effects=sale_effects,
    )
    try:
        with transaction.atomic():
            SaleLineSerial.objects.bulk_create(
                SaleLineSerial(line=sale_lines[index], serial=record) for index, record in units
            )
    except IntegrityError as error:
        # The status check under the lock makes this unreachable through this
        # service; the constraint is what holds for any other code path.
        raise ValidationError(
            _("One of these units is already on an open sale."), code="already_sold"
        ) from error
    if effects is None:
        sale_effects.apply()
    else:
        effects.include(sale_effects)
    return sale


def _record_new_units(
    *,
    plan: _Plan,
    lines: Sequence[CheckedLine],
    outlet: Outlet,
    clerk: User | None,
    sale: Sale,
    check: SaleCheck,
    at: datetime,
    effects: UnitEffects,
) -> list[tuple[int, SerialRecord]]:
    """Record the serials the clerk confirmed as new, Sold on this sale.

    Inserted in one order for the whole sale, (product, key), whatever the
    lines: the unique index on (product, key) is where two clerks recording the
    same serials meet, and one order means they cannot deadlock there.
    """
    line_of: dict[tuple[int, str], int] = {}
    by_product: dict[int, list[str]] = {}
    for index, text in plan.record:
        product_id = lines[index].product.pk
        line_of[(product_id, SerialRecord.normalise(text))] = index
        by_product.setdefault(product_id, []).append(text)
    products = {line.product.pk: line.product for line in lines}
    units: list[tuple[int, SerialRecord]] = []
    for product_id, texts in sorted(by_product.items()):
        texts.sort(key=SerialRecord.normalise)
        try:
            with transaction.atomic():
                records = serials_record_sold(
                    product=products[product_id],
                    outlet=outlet,
                    texts=texts,
                    user=clerk,
                    document=sale,
                    at=at,
                    effects=effects,
                )
        except IntegrityError:
            # Another clerk recorded (and so sold) one of them a moment ago.
            taken = SerialRecord.objects.filter(
                product_id=product_id,
                serial_normalised__in=[SerialRecord.normalise(t) for t in texts],
            )
            open_sales = _open_sales([r.pk for r in taken])
            for record in taken:
                index = line_of[(product_id, record.serial_normalised)]
                if record.status == IN_STOCK:
                    # Pre-recorded meanwhile (Add Serial numbers): sellable now.
                    message = _(
                        "“%(serial)s” was recorded a moment ago by someone else: "
                        "press Complete sale again to attach it."
                    ) % {"serial": record.serial}
                    problem = SaleProblem("recorded_meanwhile", message, serial=record.serial)
                else:
                    problem = _unsellable(record, open_sales)
                check.line_errors.setdefault(index, []).append(problem)
            check.not_recorded = []
            raise SaleRefused(check) from None
        units += [(line_of[(product_id, r.serial_normalised)], r) for r in records]
    return units


# Customers ------------------------------------------------------------------
