"""Changing one recorded serial: correct its text, transfer, write off, delete.

Each service locks the serial rows it changes and re-reads them under the lock,
so two users acting on the same unit at once are served one after the other and
the second sees what the first did.

A change is decided on a page that showed the unit as it was then. The page
sends back the `updated_at` it showed (`seen_updated_at`; for several units,
the latest of theirs), and a unit changed since is refused with what changed,
by whom and when (`changed_meanwhile`), instead of silently undoing that change.
Callers that showed no state (the admin, a management command, a future API
without it) pass nothing: the lock still serialises the changes, and nothing is
compared. That is a choice, not an oversight: such a caller acts on the unit as
it is when its request arrives.
"""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.selectors import products_by_gtin
from inventory.models import (
    MOVABLE_STATUSES,
    Outlet,
    SerialEvent,
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    StockMoveReason,
)
from inventory.selectors.serials_detail import serial_was_sold
from inventory.services.effects import UnitEffects
from inventory.services.scans import scan_product_problem
from inventory.services.serial_state import serials_change
from inventory.services.serials import serial_text_problem
from inventory.services.transfers import transfer_lock_of_unit, transfer_settle
from lib.dates import datetime_display
from lib.scans import scan_parse

logger = logging.getLogger(__name__)

# How many offending serials an error message names before "and N more".
NAMED_IN_MESSAGE = 10


def _lock(serial: SerialRecord) -> SerialRecord:
    """The serial's row, locked for this transaction and read afresh."""
    locked = SerialRecord.objects.select_for_update().filter(pk=serial.pk).first()
    if locked is None:
        raise ValidationError(
            _("Serial number “%(serial)s” no longer exists.") % {"serial": serial.serial},
            code="not_found",
        )
    return locked


def _name_serials(serials: Sequence[SerialRecord]) -> str:
    names = [f"{s.serial} ({s.get_status_display()})" for s in serials[:NAMED_IN_MESSAGE]]
    more = len(serials) - NAMED_IN_MESSAGE
    if more > 0:
        names.append(_("and %(count)s more") % {"count": more})
    return ", ".join(names)


def _describe_change(record: SerialRecord, event: SerialEvent | None) -> str:
    """Transferred to Harbour Mall by alex on 05/05/2025 10:04."""
    if event is None:
        # Changed without a history line (e.g. in the admin): only when is known.
        change, who, when = _("Changed"), None, record.updated_at
    else:
        change, who, when = event.get_kind_display(), event.user, event.created_at
        if event.kind == SerialEventKind.TRANSFERRED and event.to_outlet:
            change = _("Transferred to %(outlet)s") % {"outlet": event.to_outlet.name}
        elif event.kind == SerialEventKind.EDITED and event.note:
            change = _("Edited (%(note)s)") % {"note": event.note}
    values = {
        "change": change,
        "user": who.get_username() if who else "",
        "time": datetime_display(when),
    }
    if who:
        return _("%(change)s by %(user)s on %(time)s") % values
    return _("%(change)s on %(time)s") % values


def _refuse_if_changed(records: Sequence[SerialRecord], seen_updated_at: datetime | None) -> None:
    """Refuse (`changed_meanwhile`) when a locked unit changed after the page showed it."""
    if seen_updated_at is None:
        return
    changed = [r for r in records if r.updated_at > seen_updated_at]
    if not changed:
        return
    named = changed[:NAMED_IN_MESSAGE]
    latest: dict[int, SerialEvent] = {}
    events = (
        SerialEvent.objects.filter(serial__in=named, created_at__gt=seen_updated_at)
        .select_related("user", "to_outlet")
        .order_by("serial_id", "-created_at", "-id")
    )
    for event in events:
        latest.setdefault(event.serial_id, event)
    if len(changed) == 1:
        message = _(
            "Serial number “%(serial)s” changed after this page was shown (%(change)s). "
            "Nothing was saved; the page now shows it as it is. Submit again if your "
            "change still applies."
        ) % {
            "serial": changed[0].serial,
            "change": _describe_change(changed[0], latest.get(changed[0].pk)),
        }
        raise ValidationError(message, code="changed_meanwhile")
    changes = [
        _("“%(serial)s” (%(change)s)")
        % {"serial": r.serial, "change": _describe_change(r, latest.get(r.pk))}
        for r in named
    ]
    if len(changed) > len(named):
        changes.append(_("and %(count)s more") % {"count": len(changed) - len(named)})
    message = ngettext(
        "%(count)s of these serial numbers changed after this page was shown: %(changes)s. "
        "Nothing was saved; the page now shows them as they are. Submit again if your "
        "change still applies.",
        "%(count)s of these serial numbers changed after this page was shown: %(changes)s. "
        "Nothing was saved; the page now shows them as they are. Submit again if your "
        "change still applies.",
        len(changed),
    ) % {"count": len(changed), "changes": "; ".join(changes)}
    raise ValidationError(message, code="changed_meanwhile")


def _duplicate_error(existing: SerialRecord) -> ValidationError:
    return ValidationError(
        _(
            "Serial number “%(serial)s” is already recorded for this product, "
            "at %(outlet)s (%(status)s)."
        )
        % {
            "serial": existing.serial,
            "outlet": existing.outlet.name,
            "status": existing.get_status_display(),
        },
        code="duplicate",
    )


def _find_duplicate(*, serial: SerialRecord, normalised: str) -> SerialRecord | None:
    return (
        SerialRecord.objects.select_related("outlet")
        .filter(product_id=serial.product_id, serial_normalised=normalised)
        .exclude(pk=serial.pk)
        .first()
    )


def _scanned_serial(text: str, record: SerialRecord) -> str:
    """The serial a new text names (a scan's AI 21), refused if the scan is of another product."""
    scan = scan_parse(text)
    if scan.gtin:
        problem = scan_product_problem(scan, record.product, products_by_gtin([scan.gtin]))
        if problem:
            raise ValidationError(problem[1], code=problem[0])
    return scan.serial


@transaction.atomic
def serial_update(
    *,
    serial: SerialRecord,
    text: str,
    notes: str,
    user: User | None,
    seen_updated_at: datetime | None = None,
) -> SerialRecord:
    """Correct a serial's text (still unique for its product) or its notes, and log it.

    A new text may be a scan: its serial (AI 21) is stored, if its GTIN is the product's.
    """
    record = _lock(serial)
    # Before measuring changes: "no change" from an older page would undo another's.
    _refuse_if_changed([record], seen_updated_at)
    text = text.strip()
    notes = notes.strip()
    if text != record.serial:
        text = _scanned_serial(text, record)
    problem = serial_text_problem(text)
    if problem:
        raise ValidationError(problem[1], code=problem[0])

    changes = []
    if text != record.serial:
        changes.append(
            _("Serial number changed from %(old)s to %(new)s.")
            % {"old": record.serial, "new": text}
        )
    if notes != record.notes:
        changes.append(_("Notes changed."))
    if not changes:
        return record

    normalised = SerialRecord.normalise(text)
    if normalised != record.serial_normalised:
        existing = _find_duplicate(serial=record, normalised=normalised)
        if existing:
            raise _duplicate_error(existing)
    record.serial = text
    record.serial_normalised = normalised
    record.notes = notes
    try:
        # The unique constraint holds when another request took the text
        # between the check above and this save.
        with transaction.atomic():
            record.save(update_fields=["serial", "serial_normalised", "notes", "updated_at"])
    except IntegrityError:
        existing = _find_duplicate(serial=record, normalised=normalised)
        if existing is None:
            raise
        raise _duplicate_error(existing) from None
    SerialEvent.objects.create(
        serial=record, kind=SerialEventKind.EDITED, user=user, note=" ".join(changes)
    )
    return record


@transaction.atomic
def serials_transfer(
    *,
    serials: Iterable[SerialRecord] | QuerySet[SerialRecord],
    to_outlet: Outlet,
    user: User | None,
    note: str = "",
    seen_updated_at: datetime | None = None,
) -> int:
    """Move In stock or Faulty serials to another active outlet; returns how many moved."""
    if isinstance(serials, QuerySet):
        pks = set(serials.values_list("pk", flat=True))
    else:
        pks = {s.pk for s in serials}
    if not pks:
        raise ValidationError(_("Select at least one serial number."), code="no_serials")
    # Locks in primary-key order, so two overlapping batches cannot deadlock.
    locked = list(SerialRecord.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    if len(locked) != len(pks):
        raise ValidationError(
            _("Some of the selected serial numbers no longer exist."), code="not_found"
        )
    _refuse_if_changed(locked, seen_updated_at)
    if not Outlet.objects.filter(pk=to_outlet.pk, is_active=True).exists():
        raise ValidationError(
            _("%(outlet)s is inactive; serial numbers cannot be transferred to it.")
            % {"outlet": to_outlet.name},
            code="inactive_outlet",
        )
    unmovable = [s for s in locked if s.status not in MOVABLE_STATUSES]
    if unmovable:
        raise ValidationError(
            _("Only In stock or Faulty serial numbers can be transferred. Not movable: %(list)s.")
            % {"list": _name_serials(unmovable)},
            code="not_movable",
        )
    moving = [s for s in locked if s.outlet_id != to_outlet.pk]
    if not moving:
        raise ValidationError(
            ngettext(
                "The serial number is already at %(outlet)s.",
                "All the selected serial numbers are already at %(outlet)s.",
                len(locked),
            )
            % {"outlet": to_outlet.name},
            code="already_there",
        )

    # Units on the shelf take their stock count along; Faulty ones were never counted.
    effects = UnitEffects(reason=StockMoveReason.TRANSFERRED, user=user, note=note)
    serials_change(
        serials=moving,
        kind=SerialEventKind.TRANSFERRED,
        user=user,
        to_outlet=to_outlet,
        note=note,
        effects=effects,
    )
    effects.apply()
    return len(moving)


@transaction.atomic
def serial_write_off(
    *,
    serial: SerialRecord,
    reason: str,
    user: User | None,
    seen_updated_at: datetime | None = None,
) -> SerialRecord:
    """Write off an In stock or Faulty serial (lost, stolen, scrapped, returned), with a reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for the write-off."), code="reason_required")
    # A unit missing on a transfer: the transfer's lock first, as its Receive takes it.
    transfer = transfer_lock_of_unit(serial=serial)
    record = _lock(serial)
    _refuse_if_changed([record], seen_updated_at)
    if record.status == SerialStatus.SOLD:
        raise ValidationError(
            _(
                "Serial number “%(serial)s” is Sold, so it cannot be written off: "
                "record a Return first."
            )
            % {"serial": record.serial},
            code="not_writable_off",
        )
    if record.status not in (*MOVABLE_STATUSES, SerialStatus.IN_TRANSIT):
        raise ValidationError(
            _(
                "Serial number “%(serial)s” is %(status)s; only In stock, Faulty or In "
                "transit serial numbers can be written off."
            )
            % {"serial": record.serial, "status": record.get_status_display()},
            code="not_writable_off",
        )
    effects = UnitEffects(
        reason=StockMoveReason.UNITS_CHANGED,
        user=user,
        document=record,
        note=_unit_note(record, SerialEventKind.WRITTEN_OFF, reason),
    )
    serials_change(
        serials=[record],
        kind=SerialEventKind.WRITTEN_OFF,
        user=user,
        to_status=SerialStatus.WRITTEN_OFF,
        note=reason,
        effects=effects,
    )
    effects.apply()
    if transfer is not None:
        transfer_settle(transfer=transfer)
    return record


def _unit_note(record: SerialRecord, kind: str, note: str) -> str:
    """A stock move's note on one unit's change: its serial, what happened, and why."""
    text = _("%(event)s “%(serial)s”") % {
        "event": SerialEventKind(kind).label,
        "serial": record.serial,
    }
    return f"{text}: {note.strip()}" if note.strip() else text


def _change_one_status(
    *,
    serial: SerialRecord,
    seen_updated_at: datetime | None,
    from_status: str,
    refusal: str,
    code: str,
    **change,
) -> SerialRecord:
    """Lock one unit, refuse it unless it is `from_status`, then change it (serials_change)."""
    record = _lock(serial)
    _refuse_if_changed([record], seen_updated_at)
    if record.status != from_status:
        raise ValidationError(
            refusal % {"serial": record.serial, "status": record.get_status_display()}, code=code
        )
    effects = UnitEffects(
        reason=StockMoveReason.UNITS_CHANGED,
        user=change["user"],
        document=record,
        note=_unit_note(record, change["kind"], change.get("note", "")),
    )
    serials_change(serials=[record], effects=effects, **change)
    effects.apply()
    return record


@transaction.atomic
def serial_mark_faulty(
    *, serial: SerialRecord, note: str, user: User | None, seen_updated_at: datetime | None = None
) -> SerialRecord:
    """Take an In stock unit off sale as Faulty (found broken on the shelf), with a note."""
    return _change_one_status(
        serial=serial,
        seen_updated_at=seen_updated_at,
        from_status=SerialStatus.IN_STOCK,
        refusal=_(
            "Serial number “%(serial)s” is %(status)s; only an In stock unit can be "
            "marked faulty here (a sold unit comes back through a return)."
        ),
        code="not_in_stock",
        kind=SerialEventKind.MARKED_FAULTY,
        user=user,
        to_status=SerialStatus.FAULTY,
        note=note,
    )


@transaction.atomic
def serial_reinstate(
    *, serial: SerialRecord, note: str, user: User | None, seen_updated_at: datetime | None = None
) -> SerialRecord:
    """Put a Faulty unit back In stock at its outlet (repaired, or not faulty after all)."""
    return _change_one_status(
        serial=serial,
        seen_updated_at=seen_updated_at,
        from_status=SerialStatus.FAULTY,
        refusal=_(
            "Serial number “%(serial)s” is %(status)s; only a Faulty unit can be reinstated."
        ),
        code="not_faulty",
        kind=SerialEventKind.REINSTATED,
        user=user,
        to_status=SerialStatus.IN_STOCK,
        note=note,
    )


@transaction.atomic
def serial_delete(
    *,
    serial: SerialRecord,
    user: User | None,
    seen_updated_at: datetime | None = None,
) -> None:
    """Delete a serial recorded by mistake; one that was ever sold must be written off instead."""
    record = _lock(serial)
    _refuse_if_changed([record], seen_updated_at)
    if record.status == SerialStatus.SOLD:
        raise ValidationError(
            _(
                "Serial number “%(serial)s” is Sold, so it cannot be deleted or written off: "
                "record a Return first."
            )
            % {"serial": record.serial},
            code="was_sold",
        )
    if serial_was_sold(serial=record):
        if record.status == SerialStatus.WRITTEN_OFF:
            message = _(
                "Serial number “%(serial)s” was sold, so it cannot be deleted; "
                "it keeps its history."
            )
        else:
            message = _(
                "Serial number “%(serial)s” was sold, so it cannot be deleted. "
                "Write it off instead."
            )
        raise ValidationError(message % {"serial": record.serial}, code="was_sold")
    # The history goes with the record, so the deletion itself is only logged.
    logger.info(
        "Serial %s (pk %s, product %s) deleted by %s",
        record.serial,
        record.pk,
        record.product_id,
        getattr(user, "pk", None),
    )
    record.delete()
    # The unit the record stood for is not there: its count goes with it, as
    # adding it counted it (or labelled a unit counted without a serial).
    # The record is gone, so the move names the serial rather than linking to it.
    effects = UnitEffects(
        reason=StockMoveReason.UNITS_CHANGED,
        user=user,
        note=_("Deleted “%(serial)s”") % {"serial": record.serial},
    )
    effects.units_changed(
        product_id=record.product_id, before=(record.outlet_id, record.status), after=None
    )
    effects.apply()
