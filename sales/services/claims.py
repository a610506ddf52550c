"""Warranty claims: opened on a sold unit, followed through to a resolution."""

from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from catalog.models import Supplier
from catalog.selectors import products_by_gtin
from inventory.models import (
    SerialEventKind,
    SerialRecord,
    SerialStatus,
    StockMoveReason,
    SupplierReturn,
    SupplierReturnReason,
)
from inventory.services import UnitEffects, serials_change
from inventory.services.scans import scan_product_problem
from inventory.services.supplier_returns import supplier_return_send, supplier_return_unit_released
from lib.dates import date_display
from lib.scans import ScanError, scan_parse, scan_trim
from sales.models import (
    CLOSED_CLAIM_STATUSES,
    ClaimStatus,
    ClaimUpdate,
    SaleLineSerial,
    WarrantyClaim,
)
from sales.selectors import claim_replacement_options, warranty_until
from sales.services.selling import LineInput, SaleRefused, sale_create


def _lock_unit(serial: SerialRecord) -> SerialRecord:
    record = SerialRecord.objects.select_for_update().filter(pk=serial.pk).first()
    if record is None:
        raise ValidationError(_("This serial number no longer exists."), code="not_found")
    return record


def _open_link(record: SerialRecord) -> SaleLineSerial | None:
    # Only the link row is locked: the customer is an outer join, which
    # PostgreSQL cannot lock.
    return (
        SaleLineSerial.objects.select_for_update(of=("self",))
        .select_related("line__sale__customer", "line__product")
        .filter(serial=record, returned_at__isnull=True)
        .first()
    )


@transaction.atomic
def claim_open(
    *,
    serial: SerialRecord,
    fault_description: str,
    user: User | None,
    confirm_expired: bool = False,
    at: datetime | None = None,
) -> WarrantyClaim:
    """Open a claim on a sold unit for its customer; an expired warranty needs confirming."""
    fault_description = fault_description.strip()
    if not fault_description:
        raise ValidationError(
            {"fault_description": ValidationError(_("Describe the fault."), code="required")}
        )
    record = _lock_unit(serial)
    link = _open_link(record)
    if link is None or record.status != SerialStatus.SOLD:
        raise ValidationError(
            _("“%(serial)s” is not sold to a customer, so no claim can be opened.")
            % {"serial": record.serial},
            code="not_sold",
        )
    sale = link.line.sale
    until = warranty_until(sold_at=sale.created_at, months=link.line.product.warranty_months)
    now = at or timezone.now()
    expired = until < timezone.localdate(now)
    if expired and not confirm_expired:
        raise ValidationError(
            _(
                "The warranty expired on %(date)s. Confirm to open the claim anyway "
                "(for example a goodwill repair)."
            )
            % {"date": date_display(until)},
            code="warranty_expired",
        )
    claim = WarrantyClaim.objects.create(
        serial=record,
        sale=sale,
        customer=sale.customer,
        fault_description=fault_description,
        warranty_expired=expired,
        opened_by=user,
        created_at=now,
    )
    ClaimUpdate.objects.create(
        claim=claim, to_status=ClaimStatus.OPEN, note=fault_description, user=user, created_at=now
    )
    # A history event only: the unit stays Sold, so nothing is counted.
    effects = UnitEffects(reason=StockMoveReason.RETURNED, user=user, document=claim)
    serials_change(
        serials=[record],
        kind=SerialEventKind.CLAIM_OPENED,
        user=user,
        document=claim,
        note=fault_description,
        at=now,
        effects=effects,
    )
    effects.apply()
    return claim


@transaction.atomic
def claim_update(
    *,
    claim: WarrantyClaim,
    status: str,
    note: str,
    user: User | None,
    replacement_serial: SerialRecord | None = None,
    at: datetime | None = None,
) -> WarrantyClaim:
    """Move a claim on, with a note; Resolved: replaced sells a replacement at no charge.

    Each change is kept (`ClaimUpdate`) and is an event on the unit's history.
    A replacement must be In stock, of the same product, at any outlet: it is sold
    to the claim's customer on a sale of its own at a price of zero, and the
    faulty unit comes back as Faulty. The replacement sale's stock and tally
    changes join the claim's, applied once, last.
    """
    claim = WarrantyClaim.objects.select_for_update().select_related("serial").get(pk=claim.pk)
    note = note.strip()
    if status not in ClaimStatus.values:
        raise ValidationError({"status": ValidationError(_("Choose a status."), code="invalid")})
    if claim.status in CLOSED_CLAIM_STATUSES:
        raise ValidationError(
            _("This claim is closed (%(status)s).") % {"status": claim.get_status_display()},
            code="claim_closed",
        )
    if status == claim.status and not note:
        raise ValidationError(_("Change the status or write a note."), code="nothing_to_change")
    record = _lock_unit(claim.serial)
    now = at or timezone.now()
    label = ClaimStatus(status).label
    # The claimed unit coming back is a return on the claim; a replacement's
    # sale keeps its own cause (Sold, on that sale) when it is included.
    effects = UnitEffects(reason=StockMoveReason.RETURNED, user=user, document=claim)
    if status == ClaimStatus.RESOLVED_REPLACED:
        _replace(
            claim=claim,
            record=record,
            replacement=replacement_serial,
            user=user,
            note=note,
            at=now,
            effects=effects,
        )
    elif record.status != SerialStatus.WRITTEN_OFF:
        serials_change(
            serials=[record],
            kind=SerialEventKind.CLAIM_UPDATED,
            user=user,
            document=claim,
            note=f"{label}. {note}" if note else str(label),
            at=now,
            effects=effects,
        )
    # A Written off unit (its supplier credited or replaced it) takes no more
    # events; the claim's own updates say what happened.
    effects.apply()
    ClaimUpdate.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=status,
        note=note,
        user=user,
        created_at=now,
    )
    claim.status = status
    claim.save()
    return claim


@transaction.atomic
def claim_send_to_supplier(
    *,
    claim: WarrantyClaim,
    supplier: Supplier,
    supplier_reference: str = "",
    note: str = "",
    user: User | None,
) -> SupplierReturn:
    """Send an open claim's Sold unit to `supplier` on a one-unit supplier return.

    The return (reason Warranty claim, from the outlet the unit was sold at) is
    inventory's `supplier_return_send`; the claim becomes Sent to supplier, with
    an update naming the return, and links it. The unit stays its customer's:
    the supplier's Repaired gives it back Sold.
    """
    claim = WarrantyClaim.objects.select_for_update().select_related("serial").get(pk=claim.pk)
    if claim.status in CLOSED_CLAIM_STATUSES:
        raise ValidationError(
            _("This claim is closed (%(status)s).") % {"status": claim.get_status_display()},
            code="claim_closed",
        )
    record = _lock_unit(claim.serial)
    if record.status != SerialStatus.SOLD or _open_link(record) is None:
        raise ValidationError(
            _("“%(serial)s” is %(status)s, not with its customer, so it cannot be sent.")
            % {"serial": record.serial, "status": record.get_status_display()},
            code="not_sold",
        )
    supplier_return = supplier_return_send(
        supplier=supplier,
        outlet=record.outlet,
        serials=[record],
        reason=SupplierReturnReason.WARRANTY,
        supplier_reference=supplier_reference,
        note=note or str(claim),
        user=user,
        allow_sold=True,
    )
    ClaimUpdate.objects.create(
        claim=claim,
        from_status=claim.status,
        to_status=ClaimStatus.SENT_TO_SUPPLIER,
        note=". ".join(filter(None, [str(supplier_return), note.strip()])),
        user=user,
        created_at=supplier_return.created_at,
    )
    claim.status = ClaimStatus.SENT_TO_SUPPLIER
    claim.supplier_return = supplier_return
    claim.save(update_fields=["status", "supplier_return", "updated_at"])
    return supplier_return


def _replace(
    *,
    claim: WarrantyClaim,
    record: SerialRecord,
    replacement: SerialRecord | None,
    user: User | None,
    note: str,
    at: datetime,
    effects: UnitEffects,
) -> None:
    def refuse(message: str, code: str) -> ValidationError:
        return ValidationError({"replacement_serial": ValidationError(message, code=code)})

    if replacement is None:
        raise refuse(_("Enter the replacement serial number."), "required")
    if replacement.pk == record.pk:
        raise refuse(_("The replacement must be another unit."), "same_unit")
    if replacement.product_id != record.product_id:
        raise refuse(
            _("The replacement must be a %(product)s.") % {"product": record.product.name},
            "other_product",
        )
    try:
        sale = sale_create(
            outlet=replacement.outlet,
            customer=claim.customer,
            lines=[
                LineInput(
                    product=record.product,
                    quantity=1,
                    unit_price=Decimal(0),
                    serials=[replacement.serial],
                    # The unit is known: its serial as stored, not read again as a scan.
                    scans=False,
                )
            ],
            clerk=user,
            at=at,
            effects=effects,
        )
    except SaleRefused as refused:
        problems = [p for found in refused.check.line_errors.values() for p in found]
        raise refuse(
            " ".join(p.message for p in problems + refused.check.form_errors)
            or _("The replacement must be In stock."),
            "replacement_unavailable",
        ) from None
    # The faulty unit comes back from its sale and is Faulty. One at its supplier
    # stays there, the shop's now (Repaired brings it In stock); one the supplier
    # credited or replaced is Written off already.
    SaleLineSerial.objects.filter(serial=record, returned_at__isnull=True).update(returned_at=at)
    if record.status == SerialStatus.AT_SUPPLIER:
        supplier_return_unit_released(serial=record)
    if record.status != SerialStatus.WRITTEN_OFF:
        serials_change(
            serials=[record],
            kind=SerialEventKind.CLAIM_UPDATED,
            user=user,
            to_status=SerialStatus.FAULTY if record.status == SerialStatus.SOLD else None,
            document=claim,
            note=_("Replaced by %(serial)s (Sale %(sale)s). %(note)s")
            % {"serial": replacement.serial, "sale": sale.pk, "note": note},
            at=at,
            effects=effects,
        )
    claim.replacement_serial = replacement
    claim.replacement_sale = sale


# Units an unknown Replacement serial's message names; the claim page lists more.
AVAILABLE_NAMED = 5


def _available(claim: WarrantyClaim) -> str:
    """What a refused Replacement serial could have been: In stock units of the product."""
    options = claim_replacement_options(claim=claim, limit=AVAILABLE_NAMED)
    if not options.units:
        return _("None is in stock at any outlet.")
    names = ", ".join(f"{unit.serial} ({unit.outlet.name})" for unit in options.units)
    if options.more:
        more = number_format(options.more, force_grouping=True)
        return _("In stock: %(units)s and %(more)s more.") % {"units": names, "more": more}
    return _("In stock: %(units)s.") % {"units": names}


def claim_replacement_find(*, claim: WarrantyClaim, status: str, text: str) -> SerialRecord | None:
    """The unit a typed or scanned Replacement serial names, or a coded reason it cannot be one.

    The claim page and the API both read the typed text through this, then pass
    the unit to `claim_update`. A scan gives its serial (AI 21), and its GTIN
    (AI 01) must be the claimed unit's product's. A refusal names the units that
    could be one.
    """

    def refuse(message: str, code: str) -> ValidationError:
        return ValidationError({"replacement_serial": ValidationError(message, code=code)})

    def refuse_naming_available(message: str, code: str) -> ValidationError:
        return refuse(f"{message} {_available(claim)}", code)

    # As scans are trimmed: a GS at either end (FNC1) is part of the scan.
    text = scan_trim(text)
    if status != ClaimStatus.RESOLVED_REPLACED:
        if text:
            raise refuse(
                _("A replacement serial is only for %(status)s.")
                % {"status": ClaimStatus.RESOLVED_REPLACED.label},
                "not_replacing",
            )
        return None
    try:
        scan = scan_parse(text)
    except ScanError as error:
        raise refuse(error.messages[0], error.code or "scan_invalid") from None
    text = scan.serial
    key = SerialRecord.normalise(text)
    if not key:
        return None  # the service asks for it
    product = claim.serial.product
    if scan.gtin:
        problem = scan_product_problem(scan, product, products_by_gtin([scan.gtin]))
        if problem is not None:
            raise refuse_naming_available(f"“{text}”: {problem[1]}", problem[0])
    units = list(
        SerialRecord.objects.select_related("product", "outlet").filter(serial_normalised=key)
    )
    same_product = next((unit for unit in units if unit.product_id == product.pk), None)
    if same_product is None:
        if units:
            raise refuse_naming_available(
                _("“%(serial)s” is a %(other)s, not a %(product)s.")
                % {"serial": text, "other": units[0].product.name, "product": product.name},
                "other_product",
            )
        raise refuse_naming_available(
            _("No In stock unit of %(product)s has the serial number “%(serial)s”.")
            % {"product": product.name, "serial": text},
            "not_found",
        )
    if same_product.pk != claim.serial_id and same_product.status != SerialStatus.IN_STOCK:
        raise refuse_naming_available(
            _("“%(serial)s” is %(status)s, not In stock.")
            % {"serial": same_product.serial, "status": same_product.get_status_display()},
            "not_in_stock",
        )
    return same_product
