"""Returns: a sold unit comes back from its sale, restocked or faulty, once per sale."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Outlet, SerialEventKind, SerialRecord, SerialStatus, StockMoveReason
from inventory.services import UnitEffects, serials_change
from sales.models import Return, ReturnOutcome, ReturnReason, Sale, SaleLineSerial


def _refuse(message: str, code: str, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


@transaction.atomic
def return_create(
    *,
    serial: SerialRecord,
    reason: str,
    outcome: str,
    outlet: Outlet,
    refund_amount: Decimal,
    clerk: User | None,
    note: str = "",
    sale: Sale | None = None,
    at: datetime | None = None,
) -> Return:
    """Take a sold unit back: Restock puts it In stock at `outlet`, Faulty makes it Faulty.

    The refund is at most what was paid for the unit. Locks the unit first, then
    its sale link (the order selling takes them in), so two clerks returning one
    unit are served in turn and the second is told it is already returned.
    """
    if reason not in ReturnReason.values or outcome not in ReturnOutcome.values:
        raise _refuse(_("Choose a reason and an outcome."), "invalid_choice")
    record = SerialRecord.objects.select_for_update().filter(pk=serial.pk).first()
    if record is None:
        raise _refuse(_("This serial number no longer exists."), "not_found")
    links = SaleLineSerial.objects.select_for_update(of=("self",)).filter(serial=record)
    if sale is not None:
        links = links.filter(line__sale=sale)
    # The open link first (both databases put NULLs first only when told), then
    # the latest returned one, which says "already returned".
    link = (
        links.select_related("line__sale")
        .order_by(F("returned_at").desc(nulls_first=True), "-pk")
        .first()
    )
    if link is None:
        raise _refuse(
            _("“%(serial)s” was not sold, so it cannot be returned.") % {"serial": record.serial},
            "not_sold",
        )
    if link.returned_at is not None or record.status != SerialStatus.SOLD:
        raise _refuse(
            _("“%(serial)s” was already returned from Sale %(sale)s.")
            % {"serial": record.serial, "sale": link.line.sale_id},
            "already_returned",
        )
    paid = link.line.unit_price
    if refund_amount < 0:
        raise _refuse(_("The refund cannot be negative."), "negative_refund", "refund_amount")
    if refund_amount > paid:
        raise _refuse(
            _("The refund cannot be more than the %(paid)s paid for this unit.") % {"paid": paid},
            "refund_too_high",
            "refund_amount",
        )
    if not outlet.is_active:
        raise _refuse(
            _("The outlet %(outlet)s is inactive.") % {"outlet": outlet.name},
            "outlet_inactive",
            "outlet",
        )
    now = at or timezone.now()
    link.returned_at = now
    link.save(update_fields=["returned_at"])
    sale_of_unit = link.line.sale
    returned = Return.objects.create(
        unit=link,
        sale=sale_of_unit,
        serial=record,
        customer_id=sale_of_unit.customer_id,
        reason=reason,
        outcome=outcome,
        outlet=outlet,
        refund_amount=refund_amount,
        note=note.strip(),
        clerk=clerk,
        created_at=now,
    )
    effects = UnitEffects(reason=StockMoveReason.RETURNED, user=clerk, document=returned)
    serials_change(
        serials=[record],
        kind=SerialEventKind.RETURNED,
        user=clerk,
        to_status=(
            SerialStatus.IN_STOCK if outcome == ReturnOutcome.RESTOCK else SerialStatus.FAULTY
        ),
        to_outlet=outlet,
        document=returned,
        note=note,
        at=now,
        effects=effects,
    )
    effects.apply()
    return returned
