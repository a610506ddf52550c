"""The one way a unit's status or outlet changes: the rules, the history, the stock.

Every service that moves a unit (transfer, write off, mark faulty, reinstate, and
the sales app's sell and return) locks the units, checks its own rules, then calls
`serials_change`. It refuses a transition the table below does not allow, writes
one history event per unit with the user and the document behind the change (a
sale, a return, a warranty claim), and applies the one stock policy:

    on-hand counts follow units onto and off the shelf. A unit leaving In stock
    takes one off its outlet's count; a unit arriving In stock (back from a
    sale, reinstated, transferred) adds one where it arrives. A count that is
    already lower than the units say stays at zero rather than refusing the
    move of a unit that is physically there (`inventory.sql.stock_apply`); the serial
    coverage report shows such mismatches.

It also keeps the counts of units per (product, outlet, status) in SerialTally.
Both are noted on the caller's `UnitEffects` (inventory.services.effects), which
the caller applies once, last, in its transaction: stock rows, then tally rows,
each in key order, after the units it locked.
"""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from inventory.models import Outlet, SerialEvent, SerialEventKind, SerialRecord, SerialStatus
from inventory.services.effects import UnitEffects

IN_STOCK, SOLD = SerialStatus.IN_STOCK, SerialStatus.SOLD
FAULTY, WRITTEN_OFF = SerialStatus.FAULTY, SerialStatus.WRITTEN_OFF
IN_TRANSIT, AT_SUPPLIER = SerialStatus.IN_TRANSIT, SerialStatus.AT_SUPPLIER

# From each status, the statuses a unit may go to. Written off is the end.
# In transit ends In stock at the destination (or Written off if it never
# arrives). A unit goes to its supplier from the shelf or the back room, or, Sold,
# as a warranty claim's unit; it comes back In stock (or Sold, the claim's
# customer's), or is written off (credited, or replaced by another unit).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    IN_STOCK: frozenset({SOLD, FAULTY, WRITTEN_OFF, IN_TRANSIT, AT_SUPPLIER}),
    SOLD: frozenset({IN_STOCK, FAULTY, WRITTEN_OFF, AT_SUPPLIER}),
    FAULTY: frozenset({IN_STOCK, WRITTEN_OFF, AT_SUPPLIER}),
    IN_TRANSIT: frozenset({IN_STOCK, WRITTEN_OFF}),
    AT_SUPPLIER: frozenset({IN_STOCK, SOLD, WRITTEN_OFF}),
    WRITTEN_OFF: frozenset(),
}


def transition_allowed(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS[from_status]


def _document_fields(document: models.Model | None) -> dict:
    if document is None:
        return {"document_type": None, "document_id": None}
    return {
        "document_type": ContentType.objects.get_for_model(document),
        "document_id": document.pk,
    }


@transaction.atomic
def serials_change(
    *,
    serials: Sequence[SerialRecord],
    kind: str,
    user: User | None,
    to_status: str | None = None,
    to_outlet: Outlet | None = None,
    document: models.Model | None = None,
    note: str = "",
    at: datetime | None = None,
    effects: UnitEffects,
) -> list[SerialEvent]:
    """Change locked units' status and/or outlet, with one history event each.

    The caller has locked `serials` (select_for_update, primary-key order) and
    read them under the lock. The objects are updated in place. Their stock and
    tally changes go on `effects`, which the caller applies once, last, so the
    stock and tally rows are locked in one key order for the whole transaction.
    """
    # A Written off unit is gone: it neither moves nor changes. A status given
    # must be a change the table allows (the same status twice is not).
    refused = [
        s
        for s in serials
        if s.status == WRITTEN_OFF or (to_status and not transition_allowed(s.status, to_status))
    ]
    if refused:
        first = refused[0]
        values = {"serial": first.serial, "status": str(first.get_status_display())}
        if to_status:
            message = _("Serial number “%(serial)s” is %(status)s, so it cannot become %(to)s.")
            values["to"] = str(SerialStatus(to_status).label)
        else:
            message = _("Serial number “%(serial)s” is %(status)s, so it cannot change.")
        raise ValidationError(message % values, code="transition_not_allowed")
    now = at or timezone.now()
    document_fields = _document_fields(document)
    events = []
    for s in serials:
        new_status = to_status or s.status
        new_outlet_id = to_outlet.pk if to_outlet else s.outlet_id
        events.append(
            SerialEvent(
                serial=s,
                kind=kind,
                created_at=now,
                user=user,
                from_outlet_id=s.outlet_id if new_outlet_id != s.outlet_id else None,
                to_outlet_id=new_outlet_id if new_outlet_id != s.outlet_id else None,
                from_status=s.status if new_status != s.status else "",
                to_status=new_status if new_status != s.status else "",
                note=note.strip(),
                **document_fields,
            )
        )
        effects.units_changed(
            product_id=s.product_id,
            before=(s.outlet_id, s.status),
            after=(new_outlet_id, new_status),
        )
        s.status, s.outlet_id, s.updated_at = new_status, new_outlet_id, now
    SerialEvent.objects.bulk_create(events)
    fields: dict = {"updated_at": now}
    if to_status:
        fields["status"] = to_status
    if to_outlet:
        fields["outlet"] = to_outlet
    SerialRecord.objects.filter(pk__in=[s.pk for s in serials]).update(**fields)
    return events


@transaction.atomic
def serials_record_sold(
    *,
    product: Product,
    outlet: Outlet,
    texts: Sequence[str],
    user: User | None,
    document: models.Model,
    at: datetime | None = None,
    effects: UnitEffects,
) -> list[SerialRecord]:
    """Record units first seen at a sale: Sold at `outlet`, origin "Recorded at sale".

    The unit was on the shelf without a serial record: it comes off the
    outlet's count only if the count holds units without serials (stock from
    before serial numbers); otherwise it was never counted and the count stays,
    so on hand and In stock serials keep agreeing (noted on `effects`, as in
    `serials_change`). A serial recorded meanwhile by someone else raises
    IntegrityError from the unique (product, key) constraint; the caller says so.
    """
    now = at or timezone.now()
    records = SerialRecord.objects.bulk_create(
        SerialRecord(
            product=product,
            outlet=outlet,
            serial=text,
            serial_normalised=SerialRecord.normalise(text),
            status=SOLD,
            origin=SerialEventKind.RECORDED_AT_SALE,
            created_by=user,
            created_at=now,
        )
        for text in texts
    )
    SerialEvent.objects.bulk_create(
        SerialEvent(
            serial=record,
            kind=SerialEventKind.SOLD,
            created_at=now,
            user=user,
            to_status=SOLD,
            **_document_fields(document),
        )
        for record in records
    )
    effects.units_changed(
        product_id=product.pk, before=None, after=(outlet.pk, SOLD), count=len(records)
    )
    return records
