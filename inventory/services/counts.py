"""Inventory counts: New count, scans from several devices, quantities, Apply and Cancel.

Scans are rows of the count (`InventoryCountScan`, one per serial key), written by
one statement each (`inventory.sql.count_scans_add`), so two devices scanning the
same count never count a unit twice and never lose a scan. The lists are read from
those rows (`inventory.selectors.counts`). Apply turns the Manager's choices into
history and stock rows of the count, in one transaction under the count's lock.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.selectors import products_by_gtin
from inventory import sql
from inventory.models import (
    InventoryCount,
    InventoryCountQuantity,
    InventoryCountStatus,
    Outlet,
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    SerialTally,
    StockLevel,
    StockMove,
    StockMoveReason,
)
from inventory.selectors.counts import (
    SHELF,
    count_has_counts,
    count_sort,
    scans_listed,
    scope_products,
)
from inventory.services.effects import UnitEffects
from inventory.services.serial_state import serials_change
from inventory.services.serials import (
    FORMAT_OVERRIDE_PERMISSION,
    SerialEntry,
    SerialsRecordedMeanwhile,
    outlet_problem,
    serial_text_problem,
    serials_entries_check,
)
from inventory.services.stock_moves import move_cause
from lib.dates import date_display
from lib.scans import ScanError, scan_parse

OPEN = InventoryCountStatus.OPEN
# The most units of one product a count may say it found.
MAX_COUNTED = 1_000_000
NAME_LENGTH = InventoryCount._meta.get_field("name").max_length or 100


def count_default_name(outlet: Outlet) -> str:
    """What New count calls a count left unnamed: "<Outlet> <today>"."""
    return f"{outlet.name} {date_display(timezone.localdate())}"[:NAME_LENGTH]


def _open_check(count: InventoryCount) -> None:
    if count.status != OPEN:
        raise ValidationError(
            _("This count is %(status)s: it can no longer change.")
            % {"status": count.get_status_display().lower()},
            code="count_closed",
        )


def _scope_refusal() -> ValidationError:
    return ValidationError(_("Count a product or a brand, not both."), code="product_and_brand")


@transaction.atomic
def count_create(
    *,
    outlet: Outlet,
    name: str = "",
    product: Product | None = None,
    brand: str = "",
    user: User | None,
) -> InventoryCount:
    """Start a count at an outlet, of one product, of one brand, or of everything."""
    brand = brand.strip()
    if product is not None and brand:
        raise _scope_refusal()
    problem = outlet_problem(outlet)
    if problem:
        raise ValidationError(problem[1], code=problem[0])
    return InventoryCount.objects.create(
        name=name.strip()[:NAME_LENGTH] or count_default_name(outlet),
        outlet=outlet,
        product=product,
        brand=brand,
        created_by=user,
    )


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One entry of the scan box, and what the count makes of it."""

    text: str
    serial: str
    # counted, elsewhere, not_recorded, twice, problem
    verdict: str
    message: str


def _cap_check(entries: Sequence[str]) -> None:
    cap = settings.SERIALDESK_MAX_SERIALS_PER_SUBMISSION
    if len(entries) > cap:
        raise ValidationError(
            _("At most %(max)s serial numbers can be scanned at once; this has %(count)s.")
            % {
                "max": number_format(cap, force_grouping=True),
                "count": number_format(len(entries), force_grouping=True),
            },
            code="too_many",
        )


@dataclass
class _Read:
    text: str
    serial: str = ""
    key: str = ""
    gtin: str = ""
    problem: str = ""


@transaction.atomic
def count_scan(
    *, count: InventoryCount, entries: Sequence[str], user: User | None
) -> list[ScanResult]:
    """Add scanned serials to an open count; a serial scanned again only adds a repeat.

    Each entry is read by `lib.scans.scan_parse` (a GS1 scan names its serial and
    product). One statement writes them all, whatever the number of devices
    scanning at once; one query says where each new serial's unit is.
    """
    _open_check(count)
    _cap_check(entries)
    read: list[_Read] = []
    for text in entries:
        try:
            scan = scan_parse(text)
        except ScanError as error:
            read.append(_Read(text, text, problem=error.message))
            continue
        problem = serial_text_problem(scan.serial)
        if problem:
            read.append(_Read(text, scan.serial, problem=problem[1]))
        else:
            read.append(_Read(text, scan.serial, SerialRecord.normalise(scan.serial), scan.gtin))
    gtins = {r.gtin for r in read if r.gtin}
    by_gtin = products_by_gtin(gtins) if gtins else {}
    times = Counter(r.key for r in read if r.key)
    first: dict[str, _Read] = {}
    for r in read:
        if r.key and r.key not in first:
            first[r.key] = r
    rows = [
        (
            r.serial,
            key,
            by_gtin[r.gtin].pk if r.gtin in by_gtin else None,
            times[key] - 1,
        )
        # In key order: two devices' statements take the unique index's entries in one
        # order, so they wait for each other instead of deadlocking.
        for key, r in sorted(first.items())
    ]
    written = sql.count_scans_add(
        count_id=count.pk,
        open_status=OPEN,
        rows=rows,
        user_id=user.pk if user is not None else None,
        at=timezone.now(),
    )
    if rows and not written:
        # Applied or cancelled between our read of it and the statement.
        count.refresh_from_db(fields=["status"])
        _open_check(count)
    # A key is new to the count when its row holds only this batch's repeats.
    new = {key for _pk, key, repeats in written if repeats == times[key] - 1}
    places = _places(count, new)
    products = {product.pk: product for product in by_gtin.values()}
    results: list[ScanResult] = []
    seen: set[str] = set()
    for r in read:
        if r.problem:
            results.append(ScanResult(r.text, r.serial, "problem", r.problem))
            continue
        if r.key in seen or r.key not in new:
            results.append(
                ScanResult(r.text, r.serial, "twice", _("Scanned twice: counted once."))
            )
            continue
        seen.add(r.key)
        product = by_gtin.get(r.gtin) if r.gtin else None
        results.append(_verdict(count, r, places.get(r.key, []), product, products))
    return results


def _places(count: InventoryCount, keys: Collection[str]) -> dict[str, list[SerialRecord]]:
    """The units of the count's scope with these keys, with their outlets (one query)."""
    found: dict[str, list[SerialRecord]] = defaultdict(list)
    if not keys:
        return found
    units = (
        SerialRecord.objects.filter(serial_normalised__in=sql.text_values(sorted(keys)))
        .filter(product__in=scope_products(count))
        .select_related("outlet")
        .only("product_id", "outlet__name", "status", "serial_normalised")
        .order_by("id")
    )
    for unit in units:
        found[unit.serial_normalised].append(unit)
    return found


def _verdict(
    count: InventoryCount,
    read: _Read,
    units: list[SerialRecord],
    product: Product | None,
    products: Mapping[int, Product],
) -> ScanResult:
    if product is not None:
        units = [unit for unit in units if unit.product_id == product.pk]
    here = [u for u in units if u.outlet_id == count.outlet_id and u.status in SHELF]
    if here:
        return ScanResult(read.text, read.serial, "counted", _("Counted."))
    if units:
        unit = units[0]
        values = {"outlet": unit.outlet.name, "status": unit.get_status_display()}
        if unit.status in SHELF:
            message = _("At another outlet: %(status)s at %(outlet)s.") % values
        else:
            message = _("Not on a shelf: %(status)s at %(outlet)s.") % values
        return ScanResult(read.text, read.serial, "elsewhere", message)
    if product is not None and not scope_products(count).filter(pk=product.pk).exists():
        message = _(
            "Not recorded: the scan is of %(product)s (%(sku)s), which this count does not cover."
        ) % {"product": product.name, "sku": product.sku}
    else:
        message = _("Not recorded: no unit of this count's products has this serial number.")
    return ScanResult(read.text, read.serial, "not_recorded", message)


@transaction.atomic
def count_quantity_set(
    *, count: InventoryCount, product: Product, counted: int, user: User | None
) -> InventoryCountQuantity:
    """Say how many units of a product without serial numbers the count found (the last
    value given wins)."""
    count = InventoryCount.objects.select_for_update().get(pk=count.pk)
    _open_check(count)
    if product.has_serial_numbers:
        raise ValidationError(
            _("%(product)s has serial numbers: scan its units instead.")
            % {"product": product.name},
            code="product_serialised",
        )
    if not scope_products(count).filter(pk=product.pk).exists():
        raise ValidationError(
            _("This count does not cover %(product)s.") % {"product": product.name},
            code="product_not_in_scope",
        )
    if not 0 <= counted <= MAX_COUNTED:
        raise ValidationError(
            _("Enter a number from 0 to %(max)s.") % {"max": MAX_COUNTED}, code="counted_range"
        )
    # One upsert: two devices entering the same product at once leave the later value.
    InventoryCountQuantity.objects.bulk_create(
        [InventoryCountQuantity(count=count, product=product, counted=counted, user=user)],
        update_conflicts=True,
        unique_fields=["count", "product"],
        update_fields=["counted", "user", "updated_at"],
    )
    return InventoryCountQuantity.objects.select_related("product").get(
        count=count, product=product
    )


@transaction.atomic
def count_cancel(*, count: InventoryCount, user: User | None) -> InventoryCount:
    """Cancel an open count: nothing it counted changes anything."""
    count = InventoryCount.objects.select_for_update().get(pk=count.pk)
    _open_check(count)
    count.status = InventoryCountStatus.CANCELLED
    count.save(update_fields=["status", "updated_at"])
    return count


@dataclass
class CountApplied:
    """What Apply did."""

    count: InventoryCount
    written_off: int = 0
    transferred: int = 0
    recorded: int = 0
    stock_changes: int = 0
    # Chosen units that changed since the Complete page (sold, moved...): left as they are.
    left: list[str] = field(default_factory=list)
    # Chosen ids that are no longer missing or at another outlet (scanned, moved meanwhile).
    unseen: int = 0

    @property
    def left_count(self) -> int:
        return len(self.left) + self.unseen


def _unchanged(unit: SerialRecord, as_of: datetime | None) -> bool:
    return as_of is None or unit.updated_at <= as_of


@transaction.atomic
def count_apply(
    *,
    count: InventoryCount,
    user: User | None,
    write_off: Collection[int] = (),
    write_off_all: bool = False,
    transfer: Collection[int] = (),
    record: Mapping[int, int | None] | None = None,
    as_of: datetime | None = None,
) -> CountApplied:
    """Apply a count: write off, transfer here and record as chosen, then set on hand.

    Missing units are kept unless chosen (`write_off` ids, or all with
    `write_off_all`); units at another outlet move here when in `transfer`;
    scans not recorded become In stock units here when in `record` (scan id ->
    product id, or None for the count's or the scan's product). Then on hand of
    each serialised product of the scope here is its In stock units, and of each
    counted product without serial numbers the quantity counted. A chosen unit
    that changed after `as_of` (the Complete page's time) or is no longer where the
    choice saw it is left alone and named in `left`. Locks: the count, the units
    in primary-key order, the products of the units recorded, the stock rows in
    (product, outlet) order, the unit counts; all or nothing.
    """
    count = InventoryCount.objects.select_for_update().get(pk=count.pk)
    _open_check(count)
    if not count_has_counts(count):
        raise ValidationError(
            _(
                "Nothing was counted: scan serial numbers or enter a counted quantity first. "
                "Applying an empty count would set the outlet's stock to zero."
            ),
            code="count_empty",
        )
    outlet = Outlet.objects.get(pk=count.outlet_id)
    now = timezone.now()
    result = CountApplied(count=count)

    # 1. The units to change, locked in primary-key order and read again.
    sort = count_sort(count)
    missing = set(sort.expected)
    off_ids = missing if write_off_all else missing & set(write_off)
    move_ids = sort.transferable & set(transfer)
    asked = (set(write_off) if not write_off_all else off_ids) | set(transfer)
    locked = list(
        SerialRecord.objects.select_for_update()
        .filter(pk__in=sorted(off_ids | move_ids))
        .order_by("pk")
    )
    to_write_off, to_move = [], []
    for unit in locked:
        if not _unchanged(unit, as_of):
            result.left.append(unit.serial)
        elif unit.pk in off_ids and unit.outlet_id == outlet.pk and unit.status in SHELF:
            to_write_off.append(unit)
        elif unit.pk in move_ids and unit.outlet_id != outlet.pk and unit.status in SHELF:
            to_move.append(unit)
        else:
            result.left.append(unit.serial)
    result.unseen = len(asked - off_ids - move_ids)

    # 2. The scans to record, checked as Add Serial numbers checks them.
    entries = _record_entries(count, outlet, record or {}, unrecorded=sort.not_recorded)
    if entries:
        check = serials_entries_check(
            entries=entries,
            format_confirmed=user is not None and user.has_perm(FORMAT_OVERRIDE_PERMISSION),
        )
        if check.problems:
            problem = check.problems[0]
            raise ValidationError(
                _("“%(serial)s” cannot be recorded: %(reason)s Nothing was applied.")
                % {"serial": problem.text, "reason": problem.reason},
                code="record_refused",
            )
        entries = check.valid

    # 3. Every stock row this Apply changes, locked once, in (product, outlet) order.
    serialised = scope_products(count).filter(has_serial_numbers=True)
    set_here = set(
        SerialTally.objects.filter(
            outlet_id=outlet.pk, status=SerialStatus.IN_STOCK, count__gt=0, product__in=serialised
        ).values_list("product_id", flat=True)
    ) | set(
        StockLevel.objects.filter(outlet_id=outlet.pk, product__in=serialised).values_list(
            "product_id", flat=True
        )
    )
    set_here |= {e.product.pk for e in entries} | {u.product_id for u in to_move}
    quantities = {
        q.product_id: q.counted
        for q in count.quantities.select_related("product")
        if not q.product.has_serial_numbers
    }
    by_outlet: dict[int, set[int]] = defaultdict(set)
    by_outlet[outlet.pk] = set_here | quantities.keys()
    for unit in to_move:
        by_outlet[unit.outlet_id].add(unit.product_id)
    _stock_rows_lock(by_outlet, at=now)

    # 4. The changed units, then the new ones, then stock and unit counts (effects).
    cause = move_cause(reason=StockMoveReason.COUNTED, user=user, document=count)
    effects = UnitEffects(reason=StockMoveReason.COUNTED, user=user, document=count)
    if to_write_off:
        serials_change(
            serials=to_write_off,
            kind=SerialEventKind.COUNTED,
            user=user,
            to_status=SerialStatus.WRITTEN_OFF,
            document=count,
            note=_("Not found at count “%(name)s”.") % {"name": count.name},
            at=now,
            effects=effects,
        )
    if to_move:
        serials_change(
            serials=to_move,
            kind=SerialEventKind.COUNTED,
            user=user,
            to_outlet=outlet,
            document=count,
            note=_("Found at count “%(name)s”.") % {"name": count.name},
            at=now,
            effects=effects,
        )
    if entries:
        note = _("Recorded at count “%(name)s”.") % {"name": count.name}
        result.recorded = _record(
            entries, outlet=outlet, count=count, user=user, at=now, cause=cause, note=note
        )
    effects.apply()
    result.written_off, result.transferred = len(to_write_off), len(to_move)

    # 5. On hand from the count: In stock units, or the quantity counted.
    targets = dict.fromkeys(set_here, 0)
    targets.update(
        SerialTally.objects.filter(
            outlet_id=outlet.pk, status=SerialStatus.IN_STOCK, product_id__in=set_here
        ).values_list("product_id", "count")
    )
    targets.update(quantities)
    on_hand = dict(
        StockLevel.objects.filter(outlet_id=outlet.pk, product_id__in=targets).values_list(
            "product_id", "on_hand"
        )
    )
    changes = {
        (product_id, outlet.pk): sql.StockChange(delta=target - on_hand.get(product_id, 0))
        for product_id, target in targets.items()
        if target != on_hand.get(product_id, 0)
    }
    sql.stock_apply(changes=changes, cause=cause, at=now)
    result.stock_changes = StockMove.objects.filter(
        document_type_id=cause.document_type_id, document_id=count.pk
    ).count()

    count.status = InventoryCountStatus.APPLIED
    count.applied_by, count.applied_at = user, now
    count.save(update_fields=["status", "applied_by", "applied_at", "updated_at"])
    return result


def _record_entries(
    count: InventoryCount,
    outlet: Outlet,
    record: Mapping[int, int | None],
    *,
    unrecorded: Collection[int],
) -> list[SerialEntry]:
    """The chosen scans still Not recorded, as entries to record, each with its product."""
    chosen = sorted(set(record) & set(unrecorded))
    if not chosen:
        return []
    scans = scans_listed(chosen)
    chosen_ids = {pk for pk in record.values() if pk is not None}
    in_scope = {
        product.pk: product for product in scope_products(count).filter(pk__in=sorted(chosen_ids))
    }
    default = count.product if count.product_id else None
    entries = []
    for position, scan in enumerate(scans, start=1):
        picked = record[scan.pk]
        if picked is not None and picked not in in_scope:
            raise ValidationError(
                _("This count does not cover the product chosen for “%(serial)s”.")
                % {"serial": scan.serial},
                code="product_not_in_scope",
            )
        product = in_scope.get(picked) if picked is not None else (default or scan.product)
        if product is None:
            raise ValidationError(
                _("Choose the product of “%(serial)s” to record it.") % {"serial": scan.serial},
                code="record_product_missing",
            )
        entries.append(
            SerialEntry(
                text=scan.serial, product=product, outlet=outlet, position=position, read=True
            )
        )
    return entries


def _stock_rows_lock(by_outlet: Mapping[int, Collection[int]], *, at: datetime) -> None:
    """Create the missing stock rows of these (outlet: products), then lock them all in
    (product, outlet) order, so every later statement of the Apply finds its rows held."""
    where = Q(pk__in=[])
    for outlet_id, products in by_outlet.items():
        if products:
            where |= Q(outlet_id=outlet_id, product_id__in=sorted(products))
    existing = set(StockLevel.objects.filter(where).values_list("product_id", "outlet_id"))
    StockLevel.objects.bulk_create(
        [
            StockLevel(product_id=product_id, outlet_id=outlet_id, on_hand=0, updated_at=at)
            for outlet_id, products in sorted(by_outlet.items())
            for product_id in sorted(products)
            if (product_id, outlet_id) not in existing
        ],
        ignore_conflicts=True,
    )
    list(
        StockLevel.objects.select_for_update()
        .filter(where)
        .order_by("product_id", "outlet_id")
        .values_list("pk", flat=True)
    )


def _record(
    entries: Sequence[SerialEntry],
    *,
    outlet: Outlet,
    count: InventoryCount,
    user: User | None,
    at: datetime,
    cause: sql.MoveCause,
    note: str,
) -> int:
    """Insert the new units In stock here (origin Recorded at count), with an event each
    naming the count."""
    rows = [
        (entry.product.pk, outlet.pk, entry.text, SerialRecord.normalise(entry.text))
        for entry in entries
    ]
    try:
        with transaction.atomic():
            inserted = sql.serial_records_insert(
                rows=rows,
                status=SerialStatus.IN_STOCK,
                origin=SerialEventKind.RECORDED_AT_COUNT,
                created_by_id=user.pk if user is not None else None,
                created_at=at,
                cause=cause,
            )
    except IntegrityError:
        raise SerialsRecordedMeanwhile from None
    units = SerialRecord.objects.filter(
        outlet_id=outlet.pk,
        origin=SerialEventKind.RECORDED_AT_COUNT,
        created_at=at,
        serial_normalised__in=sql.text_values([row[3] for row in rows]),
    ).only("pk")
    SerialEvent.objects.bulk_create(
        SerialEvent(
            serial=unit,
            kind=SerialEventKind.COUNTED,
            created_at=at,
            user=user,
            note=note,
            document_type_id=cause.document_type_id,
            document_id=count.pk,
        )
        for unit in units
    )
    return inserted
