"""Transfer stock: units and quantities sent from one outlet, in transit, received at another.

`transfer_send` checks every entry of the box (a serial, a GS1 scan, or a
product's barcode naming the product of the serials after it) and every
quantity, then, in one transaction, makes the units In transit (still at the
sender's outlet) and takes the quantities off the sender's on hand.
`transfer_receive_check` is the Receive page's live answer and saves nothing;
`transfer_receive` checks the same text again under the transfer's lock and
puts the matched units In stock at the destination, with the quantities.

Locks are taken in the one order every path takes (docs/architecture.md): the
transfer (on Receive, and on a write-off of one of its units), then the units
in primary-key order, then stock rows, then tally rows (`effects.apply`).
"""

import logging
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import products_by_gtin
from inventory import sql
from inventory.models import (
    Outlet,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    StockLevel,
    StockMoveReason,
    Transfer,
    TransferLine,
    TransferStatus,
    TransferUnit,
)
from inventory.services.effects import UnitEffects
from inventory.services.scans import scan_product_problem
from inventory.services.serial_state import serials_change
from inventory.services.serials import outlet_problem, serial_text_problem, serials_parse
from lib.scans import Scan, ScanError, gtin_normalise, scan_gtin, scan_parse

logger = logging.getLogger(__name__)

# The most units of one product without serial numbers a line may send.
MAX_LINE_QUANTITY = 100_000
# The most lines of quantities one transfer may have.
MAX_LINES = 500
# How many refused entries a refusal names before "and N more".
NAMED_IN_REFUSAL = 20

OPEN_STATUSES = (TransferStatus.IN_TRANSIT, TransferStatus.PARTLY_RECEIVED)


@dataclass(frozen=True)
class TransferQuantity:
    """A line of Transfer stock for a product without serial numbers: the product, how many."""

    product: Product
    quantity: int


@dataclass(frozen=True, slots=True)
class TransferEntry:
    """One entry of a box (or a unit of the transfer): as typed, its serial, and its verdict.

    `position` is the entry's place in the box, 1-based (None for a unit of the
    transfer no entry named: a Missing one). `unit_id` is the matched unit's.
    """

    text: str
    serial: str
    position: int | None
    reason: str = ""
    code: str = ""
    unit_id: int | None = None
    product: str = ""


class TransferRefused(ValidationError):
    """Send refused: every problem, by field; `problems` are the box's refused entries."""

    def __init__(self, errors: dict[str, list[ValidationError]], problems: list[TransferEntry]):
        self.problems = problems
        super().__init__(errors)


def _cap_check(entries: Sequence[str]) -> None:
    cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
    if len(entries) > cap:
        raise ValidationError(
            _("At most %(max)s serial numbers can be transferred at once; this has %(count)s.")
            % {
                "max": number_format(cap, force_grouping=True),
                "count": number_format(len(entries), force_grouping=True),
            },
            code="too_many",
        )


def _control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in text)


def _product_label(product: Product) -> str:
    return f"{product.name} ({product.sku})"


def _status_label(status: str) -> str:
    return str(SerialStatus(status).label)


# Reading a box ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Read:
    """An entry read: its serial's scan (or error), and the product a barcode before it named."""

    position: int
    text: str
    scan: Scan | ScanError
    key: str
    product: Product | None
    catalog: Mapping[str, Product]


def _read_box(entries: Sequence[str]) -> list[_Read]:
    """Each serial entry of the box with the product named by the barcode scanned before it.

    A product's barcode (a GS1 scan with AI 01 and no serial, or a bare GTIN that
    is a product's) names the product of the serials after it, as on Receive;
    other entries are serials. One query for every GTIN named.
    """
    parsed: list[tuple[int, str, Scan | ScanError, str]] = []
    gtins: set[str] = set()
    for position, text in enumerate(entries, start=1):
        try:
            scan: Scan | ScanError = scan_parse(text)
        except ScanError as error:
            scan = error
        barcode = ""
        if isinstance(scan, ScanError):
            barcode = scan_gtin(text) if scan.code == "scan_no_serial" else ""
        elif not scan.is_gs1:
            barcode = gtin_normalise(scan.serial)
        if barcode:
            gtins.add(barcode)
        if isinstance(scan, Scan) and scan.gtin:
            gtins.add(scan.gtin)
        parsed.append((position, text, scan, barcode))
    catalog = products_by_gtin(gtins) if gtins else {}
    read: list[_Read] = []
    current: Product | None = None
    for position, text, scan, barcode in parsed:
        if barcode and barcode in catalog:
            current = catalog[barcode]
            continue
        key = SerialRecord.normalise(scan.serial) if isinstance(scan, Scan) else ""
        read.append(_Read(position, text, scan, key, current, catalog))
    return read


def _unreadable(item: _Read) -> TransferEntry | None:
    """The entry refused for its text (a broken scan, a comma...), if it is."""
    if isinstance(item.scan, ScanError):
        return TransferEntry(
            item.text, item.text, item.position, item.scan.message, item.scan.code
        )
    problem = serial_text_problem(item.scan.serial)
    if problem:
        return TransferEntry(item.text, item.scan.serial, item.position, problem[1], problem[0])
    return None


def _of_product(item: _Read, units: Sequence[SerialRecord]) -> tuple[list[SerialRecord], str]:
    """The units an entry may mean: those of the product its scan or barcode names.

    Also the reason none is left when the scan names another product ("" if not).
    """
    assert isinstance(item.scan, Scan)
    kept = list(units)
    if item.product is not None:
        kept = [unit for unit in kept if unit.product_id == item.product.pk]
    reason = ""
    if item.scan.gtin:
        problems = {
            unit.pk: scan_product_problem(item.scan, unit.product, item.catalog) for unit in kept
        }
        if kept and all(problems.values()):
            reason = next(problem for problem in problems.values() if problem)[1]
        kept = [unit for unit in kept if not problems[unit.pk]]
    return kept, reason


def _ambiguous(serial: str, units: Sequence[SerialRecord]) -> str:
    products = sorted({_product_label(unit.product) for unit in units})
    return _(
        "“%(serial)s” is a serial number of %(products)s: scan the product's barcode before "
        "it, or scan its GS1 label."
    ) % {"serial": serial, "products": _(" and ").join(products)}


# Send ------------------------------------------------------------------------------


@dataclass
class SendCheck:
    """What Send would do with the box: the units it sends, and the entries it refuses."""

    units: list[SerialRecord] = field(default_factory=list)
    entries: list[TransferEntry] = field(default_factory=list)  # one per unit sent
    problems: list[TransferEntry] = field(default_factory=list)
    repeated: int = 0


def _where(unit: SerialRecord, from_outlet: Outlet, transfers: Mapping[int, Transfer]) -> str:
    """Why a unit cannot be sent from `from_outlet`: where it is, or what it is."""
    values = {
        "serial": unit.serial,
        "product": unit.product.name,
        "outlet": unit.outlet.name,
        "from": from_outlet.name,
        "status": _status_label(unit.status),
    }
    if unit.status == SerialStatus.IN_STOCK:
        return _("“%(serial)s” (%(product)s) is In stock at %(outlet)s, not at %(from)s.") % values
    on = transfers.get(unit.pk)
    if unit.status == SerialStatus.IN_TRANSIT and on is not None:
        values |= {"transfer": str(on), "to": on.to_outlet.name}
        return (
            _(
                "“%(serial)s” (%(product)s) is In transit on %(transfer)s "
                "(%(outlet)s to %(to)s), so it cannot be sent."
            )
            % values
        )
    return (
        _("“%(serial)s” (%(product)s) is %(status)s at %(outlet)s, so it cannot be sent.") % values
    )


def _open_transfers_of(unit_ids: Sequence[int]) -> dict[int, Transfer]:
    """The transfer each In transit unit is on (one query)."""
    if not unit_ids:
        return {}
    rows = (
        TransferUnit.objects.filter(
            serial_id__in=unit_ids, received_at__isnull=True, transfer__status__in=OPEN_STATUSES
        )
        .select_related("transfer__to_outlet")
        .order_by("-transfer_id")
    )
    found: dict[int, Transfer] = {}
    for row in rows:
        found.setdefault(row.serial_id, row.transfer)
    return found


def _send_check(*, from_outlet: Outlet, entries: Sequence[str], lock: bool) -> SendCheck:
    """The box checked against the units recorded (locked, in key order, when `lock`)."""
    check = SendCheck()
    read = _read_box(entries)
    serials: list[_Read] = []
    for item in read:
        problem = _unreadable(item)
        if problem:
            check.problems.append(problem)
        else:
            serials.append(item)
    keys = sorted({item.key for item in serials})
    found: dict[str, list[SerialRecord]] = defaultdict(list)
    if keys:
        units = SerialRecord.objects.filter(serial_normalised__in=sql.text_values(keys))
        if lock:
            # Every unit of these keys, in primary-key order: two sends of
            # overlapping units cannot deadlock. Only the units' rows are locked.
            units = units.select_for_update(of=("self",))
        for unit in units.select_related("product", "outlet").order_by("pk"):
            found[unit.serial_normalised].append(unit)
    refused: list[tuple[_Read, list[SerialRecord]]] = []
    seen: set[int] = set()
    for item in serials:
        assert isinstance(item.scan, Scan)
        serial = item.scan.serial
        candidates, gtin_reason = _of_product(item, found.get(item.key, []))
        if not candidates:
            if gtin_reason:
                reason, code = gtin_reason, "gtin_other_product"
            elif item.product is not None and found.get(item.key):
                reason = _("“%(serial)s” is not recorded for %(product)s.") % {
                    "serial": serial,
                    "product": _product_label(item.product),
                }
                code = "not_recorded"
            else:
                reason, code = (
                    _("“%(serial)s” is not recorded.") % {"serial": serial},
                    "not_recorded",
                )
            check.problems.append(TransferEntry(item.text, serial, item.position, reason, code))
            continue
        here = [
            unit
            for unit in candidates
            if unit.status == SerialStatus.IN_STOCK and unit.outlet_id == from_outlet.pk
        ]
        if len(here) > 1:
            check.problems.append(
                TransferEntry(
                    item.text, serial, item.position, _ambiguous(serial, here), "ambiguous"
                )
            )
            continue
        if not here:
            refused.append((item, candidates))
            continue
        unit = here[0]
        if unit.pk in seen:
            check.repeated += 1
            continue
        seen.add(unit.pk)
        check.units.append(unit)
        check.entries.append(
            TransferEntry(
                item.text, serial, item.position, unit_id=unit.pk, product=unit.product.name
            )
        )
    if refused:
        transfers = _open_transfers_of(
            [
                unit.pk
                for _item, elsewhere in refused
                for unit in elsewhere
                if unit.status == SerialStatus.IN_TRANSIT
            ]
        )
        for item, elsewhere in refused:
            check.problems.append(
                TransferEntry(
                    item.text,
                    elsewhere[0].serial,
                    item.position,
                    " ".join(_where(unit, from_outlet, transfers) for unit in elsewhere),
                    "not_in_stock_here",
                    unit_id=elsewhere[0].pk,
                )
            )
    check.problems.sort(key=lambda entry: entry.position or 0)
    check.units.sort(key=lambda unit: unit.pk)
    return check


def _entry_error(entry: TransferEntry) -> ValidationError:
    return ValidationError(
        _("Entry %(position)s: %(reason)s") % {"position": entry.position, "reason": entry.reason},
        code=entry.code,
    )


def _entry_errors(problems: Sequence[TransferEntry]) -> list[ValidationError]:
    errors = [_entry_error(entry) for entry in problems[:NAMED_IN_REFUSAL]]
    more = len(problems) - NAMED_IN_REFUSAL
    if more > 0:
        errors.append(
            ValidationError(
                _("and %(count)s more entries that cannot be sent.") % {"count": more},
                code=problems[NAMED_IN_REFUSAL].code,
            )
        )
    return errors


def _quantity_errors(
    *, from_outlet: Outlet, quantities: Sequence[TransferQuantity]
) -> list[ValidationError]:
    """Refusals of the quantity lines; the stock rows read are locked (product order)."""
    if len(quantities) > MAX_LINES:
        return [
            ValidationError(
                _("Send at most %(limit)s lines at once.") % {"limit": MAX_LINES},
                code="too_many_lines",
            )
        ]
    errors = []
    seen: set[int] = set()
    for line in quantities:
        values = {"product": line.product.name, "sku": line.product.sku}
        if line.product.pk in seen:
            errors.append(
                ValidationError(
                    _(
                        "%(product)s (%(sku)s) is on two lines: one line per product, "
                        "add the quantities up."
                    )
                    % values,
                    code="duplicate_product",
                )
            )
        seen.add(line.product.pk)
        if line.product.has_serial_numbers:
            errors.append(
                ValidationError(
                    _(
                        "%(product)s (%(sku)s) has serial numbers: scan or pick its units "
                        "instead of a quantity."
                    )
                    % values,
                    code="serialised_by_quantity",
                )
            )
        if not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            errors.append(
                ValidationError(
                    _("%(product)s: the quantity must be between 1 and %(limit)s.")
                    % {**values, "limit": number_format(MAX_LINE_QUANTITY)},
                    code="quantity_invalid",
                )
            )
    if errors:
        return errors
    product_ids = sorted(line.product.pk for line in quantities)
    on_hand = dict(
        StockLevel.objects.select_for_update()
        .filter(outlet=from_outlet, product_id__in=product_ids)
        .order_by("product_id")
        .values_list("product_id", "on_hand")
    )
    for line in quantities:
        have = on_hand.get(line.product.pk, 0)
        if line.quantity > have:
            errors.append(
                ValidationError(
                    _(
                        "%(product)s (%(sku)s): %(quantity)s to send, but %(outlet)s has "
                        "only %(on_hand)s on hand."
                    )
                    % {
                        "product": line.product.name,
                        "sku": line.product.sku,
                        "quantity": number_format(line.quantity),
                        "outlet": from_outlet.name,
                        "on_hand": number_format(have),
                    },
                    code="over_on_hand",
                )
            )
    return errors


@dataclass(frozen=True)
class SendResult:
    transfer: Transfer
    units: int
    quantity: int
    repeated: int


@transaction.atomic
def transfer_send(
    *,
    from_outlet: Outlet,
    to_outlet: Outlet,
    text: str = "",
    quantities: Sequence[TransferQuantity] = (),
    note: str = "",
    user: User | None,
) -> SendResult:
    """Send units (the box) and quantities from one outlet to another: Transfer stock's Send.

    Every unit must be In stock at `from_outlet`; every quantity at most what it
    has on hand. Anything refused refuses the whole send (`TransferRefused`,
    naming each entry and line), and nothing is saved. Sent units are In
    transit, still at the sender; quantities leave the sender's on hand now and
    arrive when received. A unit entered twice is sent once.
    """
    note = note.strip()
    entries = serials_parse(text)
    _cap_check(entries)
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    if from_outlet.pk == to_outlet.pk:
        errors["to_outlet"].append(
            ValidationError(_("From and To must be different outlets."), code="same_outlet")
        )
    problem = outlet_problem(to_outlet)
    if problem:
        errors["to_outlet"].append(ValidationError(problem[1], code=problem[0]))
    if _control_characters(note):
        errors["note"].append(
            ValidationError(
                _("Remove the control character: it cannot be typed, printed or scanned."),
                code="control_character",
            )
        )
    check = _send_check(from_outlet=from_outlet, entries=entries, lock=True)
    if check.problems:
        errors["serial_numbers"].extend(_entry_errors(check.problems))
    line_errors = _quantity_errors(from_outlet=from_outlet, quantities=quantities)
    if line_errors:
        errors["lines"].extend(line_errors)
    if not errors and not check.units and not quantities:
        errors["serial_numbers"].append(
            ValidationError(
                _("Nothing to send: scan or pick serial numbers, or add a line with a quantity."),
                code="nothing_to_send",
            )
        )
    if errors:
        raise TransferRefused(dict(errors), check.problems)

    transfer = Transfer.objects.create(
        from_outlet=from_outlet, to_outlet=to_outlet, note=note, created_by=user
    )
    by_product: dict[int, list[SerialRecord]] = defaultdict(list)
    for unit in check.units:
        by_product[unit.product_id].append(unit)
    lines = TransferLine.objects.bulk_create(
        [
            TransferLine(transfer=transfer, product_id=product_id, quantity=len(units))
            for product_id, units in sorted(by_product.items())
        ]
        + [
            TransferLine(transfer=transfer, product=line.product, quantity=line.quantity)
            for line in sorted(quantities, key=lambda line: line.product.pk)
        ]
    )
    line_of = {line.product_id: line for line in lines}
    TransferUnit.objects.bulk_create(
        TransferUnit(transfer=transfer, line=line_of[unit.product_id], serial=unit)
        for unit in check.units
    )
    effects = UnitEffects(reason=StockMoveReason.TRANSFERRED, user=user, document=transfer)
    if check.units:
        serials_change(
            serials=check.units,
            kind=SerialEventKind.TRANSFER_SENT,
            user=user,
            to_status=SerialStatus.IN_TRANSIT,
            document=transfer,
            note=note,
            at=transfer.created_at,
            effects=effects,
        )
    for line in quantities:
        effects.quantity_moved(
            product_id=line.product.pk, outlet_id=from_outlet.pk, change=-line.quantity
        )
    effects.apply()
    logger.info(
        "Transfer %s sent by %s: %s units, %s by quantity",
        transfer.pk,
        getattr(user, "pk", None),
        len(check.units),
        sum(line.quantity for line in quantities),
    )
    return SendResult(
        transfer=transfer,
        units=len(check.units),
        quantity=sum(line.quantity for line in quantities),
        repeated=check.repeated,
    )


# Receive ---------------------------------------------------------------------------


@dataclass
class LineProgress:
    """A line of the transfer as this Receive would leave it."""

    line: TransferLine
    matched: int = 0

    @property
    def received(self) -> int:
        return self.line.received + self.matched

    @property
    def serialised(self) -> bool:
        return self.line.product.has_serial_numbers


@dataclass
class TransferReceiveCheck:
    """The verdict on the Receive box: Matched, Missing, Unexpected, Scanned twice."""

    matched: list[TransferEntry] = field(default_factory=list)
    missing: list[TransferEntry] = field(default_factory=list)
    unexpected: list[TransferEntry] = field(default_factory=list)
    scanned_twice: list[TransferEntry] = field(default_factory=list)
    lines: list[LineProgress] = field(default_factory=list)
    entries: int = 0


class TransferReceiveRejected(ValidationError):
    """Nothing on the box (nor in the quantities) can be received; nothing was saved."""

    def __init__(self, check: TransferReceiveCheck):
        self.check = check
        super().__init__(
            _("Nothing to receive: no entry matches a unit still in transit on this transfer."),
            code="nothing_to_receive",
        )


def receivable_problem(transfer: Transfer) -> tuple[str, str] | None:
    """The (code, reason) why nothing can be received on `transfer`, if any."""
    if transfer.status == TransferStatus.CLOSED_SHORT:
        return "transfer_closed", _(
            "%(transfer)s was closed short: nothing more can be received on it."
        ) % {"transfer": transfer}
    if transfer.status not in OPEN_STATUSES:
        return "transfer_received", _(
            "%(transfer)s is received: nothing more can be received on it."
        ) % {"transfer": transfer}
    return None


def transfer_lines(transfer: Transfer) -> list[TransferLine]:
    return list(
        TransferLine.objects.filter(transfer=transfer).select_related("product").order_by("pk")
    )


def _transfer_units(transfer: Transfer) -> list[TransferUnit]:
    return list(
        TransferUnit.objects.filter(transfer=transfer)
        .select_related("serial__product")
        .order_by("pk")
    )


def _unexpected_reason(serial: str, units: Sequence[SerialRecord]) -> tuple[str, str]:
    """What a unit scanned that is not on this transfer is, and where (or "not recorded")."""
    if not units:
        return "not_recorded", _("“%(serial)s” is not recorded.") % {"serial": serial}
    described = [
        _("%(product)s, %(status)s at %(outlet)s")
        % {
            "product": _product_label(unit.product),
            "status": _status_label(unit.status),
            "outlet": unit.outlet.name,
        }
        for unit in units
    ]
    return "not_on_transfer", _("Not on this transfer: %(units)s.") % {
        "units": "; ".join(described)
    }


def _receive_check(
    *, transfer: Transfer, lines: Sequence[TransferLine], entries: Sequence[str]
) -> TransferReceiveCheck:
    """The box against the transfer's units, in a fixed number of queries."""
    check = TransferReceiveCheck(
        lines=[LineProgress(line) for line in lines], entries=len(entries)
    )
    units = _transfer_units(transfer)
    by_key: dict[str, list[SerialRecord]] = defaultdict(list)
    on_transfer = {unit.serial_id: unit for unit in units}
    for unit in units:
        by_key[unit.serial.serial_normalised].append(unit.serial)
    others: list[tuple[_Read, str]] = []
    matched_units: set[int] = set()
    first_seen: dict[int, int] = {}
    for item in _read_box(entries):
        problem = _unreadable(item)
        if problem:
            check.unexpected.append(problem)
            continue
        assert isinstance(item.scan, Scan)
        serial = item.scan.serial
        candidates, gtin_reason = _of_product(item, by_key.get(item.key, []))
        if not candidates:
            if gtin_reason:
                check.unexpected.append(
                    TransferEntry(
                        item.text, serial, item.position, gtin_reason, "gtin_other_product"
                    )
                )
            else:
                others.append((item, serial))
            continue
        waiting = [unit for unit in candidates if on_transfer[unit.pk].received_at is None]
        if len(candidates) > 1 and len(waiting) != 1:
            check.unexpected.append(
                TransferEntry(
                    item.text, serial, item.position, _ambiguous(serial, candidates), "ambiguous"
                )
            )
            continue
        record = waiting[0] if waiting else candidates[0]
        line_unit = on_transfer[record.pk]
        entry = TransferEntry(
            item.text, serial, item.position, unit_id=record.pk, product=record.product.name
        )
        if record.pk in first_seen:
            reason = _("Scanned before (entry %(position)s).") % {
                "position": first_seen[record.pk]
            }
            check.scanned_twice.append(
                TransferEntry(
                    item.text,
                    serial,
                    item.position,
                    reason,
                    "repeated",
                    record.pk,
                    record.product.name,
                )
            )
            continue
        first_seen[record.pk] = item.position
        if line_unit.received_at is not None:
            reason = _("Received on this transfer already.")
            check.unexpected.append(
                TransferEntry(
                    item.text,
                    serial,
                    item.position,
                    reason,
                    "received_already",
                    record.pk,
                    record.product.name,
                )
            )
            continue
        if record.status != SerialStatus.IN_TRANSIT:
            reason = _("On this transfer, but %(status)s now.") % {
                "status": _status_label(record.status)
            }
            check.unexpected.append(
                TransferEntry(
                    item.text,
                    serial,
                    item.position,
                    reason,
                    "not_in_transit",
                    record.pk,
                    record.product.name,
                )
            )
            continue
        matched_units.add(record.pk)
        check.matched.append(entry)
    if others:
        keys = sorted({item.key for item, _serial in others})
        recorded: dict[str, list[SerialRecord]] = defaultdict(list)
        rows = SerialRecord.objects.filter(serial_normalised__in=sql.text_values(keys))
        for record in rows.select_related("product", "outlet").order_by("pk"):
            recorded[record.serial_normalised].append(record)
        for item, serial in others:
            known = recorded.get(item.key, [])
            if item.product is not None:
                known = [unit for unit in known if unit.product_id == item.product.pk]
            code, reason = _unexpected_reason(serial, known)
            check.unexpected.append(TransferEntry(item.text, serial, item.position, reason, code))
        check.unexpected.sort(key=lambda entry: entry.position or 0)
    progress = {item.line.pk: item for item in check.lines}
    for unit in units:
        if unit.serial_id in matched_units:
            progress[unit.line_id].matched += 1
        elif unit.received_at is None and unit.serial.status == SerialStatus.IN_TRANSIT:
            check.missing.append(
                TransferEntry(
                    unit.serial.serial,
                    unit.serial.serial,
                    None,
                    unit.serial.product.name,
                    "missing",
                    unit.serial_id,
                    unit.serial.product.name,
                )
            )
    return check


def transfer_receive_check(*, transfer: Transfer, text: str) -> TransferReceiveCheck:
    """What Receive would do with `text` on `transfer` (and what not, and why); saves nothing."""
    entries = serials_parse(text)
    _cap_check(entries)
    return _receive_check(transfer=transfer, lines=transfer_lines(transfer), entries=entries)


def _quantities_check(
    lines: Sequence[TransferLine], quantities: Mapping[int, int]
) -> dict[int, int]:
    """The quantities received of lines without serial numbers, checked against what was sent."""
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
                _("%(product)s: %(quantity)s received, but only %(remaining)s more were sent.")
                % {"product": line.product.name, "quantity": quantity, "remaining": remaining},
                code="over_sent",
            )
        if quantity:
            checked[line_pk] = quantity
    return checked


def _settle(transfer: Transfer, lines: Sequence[TransferLine], now: datetime) -> None:
    """The transfer's status from what is still to arrive (its row is locked by the caller).

    Received once nothing is: every unit received or no longer In transit (a
    Manager wrote it off), every quantity received.
    """
    waiting_units = TransferUnit.objects.filter(
        transfer=transfer, received_at__isnull=True, serial__status=SerialStatus.IN_TRANSIT
    ).exists()
    waiting_quantities = any(
        line.received < line.quantity for line in lines if not line.product.has_serial_numbers
    )
    fields = ["status", "updated_at"]
    if not waiting_units and not waiting_quantities:
        transfer.status = TransferStatus.RECEIVED
        transfer.received_at = now
        fields.append("received_at")
    elif any(line.received for line in lines):
        transfer.status = TransferStatus.PARTLY_RECEIVED
    else:
        transfer.status = TransferStatus.IN_TRANSIT
    transfer.save(update_fields=fields)


@dataclass(frozen=True)
class ReceiveResult:
    transfer: Transfer
    units: int
    quantity: int
    check: TransferReceiveCheck


def _locked(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("from_outlet", "to_outlet")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def transfer_receive(
    *,
    transfer: Transfer,
    text: str = "",
    quantities: Mapping[int, int] | None = None,
    user: User | None,
) -> ReceiveResult:
    """Receive at the transfer's To: matched units In stock there, quantities on hand.

    Under the transfer's lock the box is checked again, so a unit scanned on two
    devices at once is received once; what does not match is left out and
    listed. Missing units stay In transit for a later Receive. Receiving nothing
    is refused (`TransferReceiveRejected`).
    """
    entries = serials_parse(text)
    _cap_check(entries)
    transfer = _locked(transfer)
    problem = receivable_problem(transfer) or outlet_problem(transfer.to_outlet)
    if problem:
        raise ValidationError(problem[1], code=problem[0])
    lines = transfer_lines(transfer)
    counted = _quantities_check(lines, quantities or {})
    check = _receive_check(transfer=transfer, lines=lines, entries=entries)
    if not check.matched and not counted:
        raise TransferReceiveRejected(check)

    now = timezone.now()
    matched_ids = sorted(entry.unit_id for entry in check.matched if entry.unit_id)
    units = list(
        SerialRecord.objects.select_for_update().filter(pk__in=matched_ids).order_by("pk")
    )
    # Under the transfer's lock only this transfer moves its units on; a unit
    # changed anyway (in the admin) is left for the next Receive to explain.
    units = [unit for unit in units if unit.status == SerialStatus.IN_TRANSIT]
    effects = UnitEffects(reason=StockMoveReason.TRANSFERRED, user=user, document=transfer)
    if units:
        serials_change(
            serials=units,
            kind=SerialEventKind.TRANSFER_RECEIVED,
            user=user,
            to_status=SerialStatus.IN_STOCK,
            to_outlet=transfer.to_outlet,
            document=transfer,
            at=now,
            effects=effects,
        )
    by_pk = {line.pk: line for line in lines}
    for line_pk, quantity in sorted(counted.items()):
        effects.quantity_moved(
            product_id=by_pk[line_pk].product_id, outlet_id=transfer.to_outlet_id, change=quantity
        )
    effects.apply()

    received_ids = [unit.pk for unit in units]
    TransferUnit.objects.filter(transfer=transfer, serial_id__in=received_ids).update(
        received_at=now
    )
    arrived: Counter[int] = Counter(counted)
    line_of_unit = dict(
        TransferUnit.objects.filter(transfer=transfer, serial_id__in=received_ids).values_list(
            "serial_id", "line_id"
        )
    )
    arrived.update(line_of_unit[pk] for pk in received_ids)
    for line_pk, count in sorted(arrived.items()):
        TransferLine.objects.filter(pk=line_pk).update(received=F("received") + count)
        by_pk[line_pk].received += count
    _settle(transfer, lines, now)
    logger.info(
        "Transfer %s received by %s: %s units, %s by quantity",
        transfer.pk,
        getattr(user, "pk", None),
        len(units),
        sum(counted.values()),
    )
    return ReceiveResult(
        transfer=transfer, units=len(units), quantity=sum(counted.values()), check=check
    )


# A missing unit written off ----------------------------------------------------------


def transfer_lock_of_unit(*, serial: SerialRecord) -> Transfer | None:
    """The open transfer a unit waits on (not received yet), locked before the unit is.

    A write-off of a missing unit takes the transfer's lock first, as Receive
    does, so the two take turns and never deadlock.
    """
    row = (
        TransferUnit.objects.filter(
            serial=serial, received_at__isnull=True, transfer__status__in=OPEN_STATUSES
        )
        .order_by("-transfer_id")
        .values_list("transfer_id", flat=True)
        .first()
    )
    if row is None:
        return None
    return Transfer.objects.select_for_update().filter(pk=row).first()


def transfer_settle(*, transfer: Transfer) -> Transfer:
    """After a unit of `transfer` was written off: Received when nothing else is to arrive."""
    _settle(transfer, transfer_lines(transfer), timezone.now())
    return transfer


# Closing short -----------------------------------------------------------------------


@dataclass(frozen=True)
class CloseShortResult:
    transfer: Transfer
    units: int  # serial numbers written off
    quantity: int  # units by quantity that never arrived


def transfer_shortfall(transfer: Transfer, lines: Sequence[TransferLine]) -> tuple[int, int]:
    """(serial numbers still In transit, units by quantity not received) on an open transfer."""
    units = TransferUnit.objects.filter(
        transfer=transfer, received_at__isnull=True, serial__status=SerialStatus.IN_TRANSIT
    ).count()
    quantity = sum(
        line.quantity - line.received for line in lines if not line.product.has_serial_numbers
    )
    return units, quantity


@transaction.atomic
def transfer_close_short(
    *, transfer: Transfer, reason: str, user: User | None
) -> CloseShortResult:
    """Close an open transfer whose rest will never arrive (a Manager's decision).

    Its units still In transit are written off, with the reason and the transfer
    on their history; its quantities not received are kept on their lines as
    Never arrived. Nothing on hand changes: all of it left From at Send and never
    reached To. Takes the transfer's lock first, as Receive does.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Give a reason for closing it short."), code="required")}
        )
    transfer = _locked(transfer)
    problem = receivable_problem(transfer)
    if problem:
        raise ValidationError(problem[1], code=problem[0])
    lines = transfer_lines(transfer)
    waiting = TransferUnit.objects.filter(
        transfer=transfer, received_at__isnull=True, serial__status=SerialStatus.IN_TRANSIT
    ).values_list("serial_id", flat=True)
    units = list(
        SerialRecord.objects.select_for_update()
        .filter(pk__in=list(waiting), status=SerialStatus.IN_TRANSIT)
        .order_by("pk")
    )
    now = timezone.now()
    effects = UnitEffects(reason=StockMoveReason.TRANSFERRED, user=user, document=transfer)
    if units:
        serials_change(
            serials=units,
            kind=SerialEventKind.WRITTEN_OFF,
            user=user,
            to_status=SerialStatus.WRITTEN_OFF,
            document=transfer,
            note=reason,
            at=now,
            effects=effects,
        )
    effects.apply()
    quantity = 0
    for line in lines:
        missing = line.quantity - line.received
        if missing and not line.product.has_serial_numbers:
            TransferLine.objects.filter(pk=line.pk).update(never_arrived=missing)
            quantity += missing
    transfer.status = TransferStatus.CLOSED_SHORT
    transfer.closed_reason = reason
    transfer.closed_by = user
    transfer.closed_at = now
    transfer.save(
        update_fields=["status", "closed_reason", "closed_by", "closed_at", "updated_at"]
    )
    logger.info(
        "Transfer %s closed short by %s: %s units written off, %s by quantity never arrived",
        transfer.pk,
        getattr(user, "pk", None),
        len(units),
        quantity,
    )
    return CloseShortResult(transfer=transfer, units=len(units), quantity=quantity)
