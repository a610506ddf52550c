"""Order stock: a stock order's lines, and its status from Open to Sent or Cancelled.

Receiving (Open/Sent/Partly received to Partly received/Received) is
`inventory.services.receiving`; it locks the order row as these do, so an
edit, a send or a cancel and a receive on one order take turns.
"""

import logging
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from catalog.models import Product, Supplier
from inventory.models import Outlet, StockOrder, StockOrderLine, StockOrderStatus

logger = logging.getLogger(__name__)

# The most units one line may order (a typo of a few extra zeros is refused).
MAX_LINE_QUANTITY = 100_000
# The most lines one order may have (the page and the receive stay quick).
MAX_LINES = 500
MAX_COST = Decimal("99999999.99")

# Where each status may go by hand; receiving moves Open/Sent on by itself.
EDITABLE = {StockOrderStatus.OPEN}
SENDABLE = {StockOrderStatus.OPEN}
CANCELLABLE = {StockOrderStatus.OPEN, StockOrderStatus.SENT}
RECEIVABLE = {StockOrderStatus.OPEN, StockOrderStatus.SENT, StockOrderStatus.PARTLY_RECEIVED}


@dataclass(frozen=True)
class OrderLineInput:
    """One line as typed on Order stock: the product, how many, the unit cost (None: 0)."""

    product: Product
    quantity: int
    cost: Decimal | None = None


def _control_characters(text: str, *, keep: str = "") -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in keep for char in text)


def _text_errors(*, reference: str, note: str) -> dict[str, ValidationError]:
    errors = {}
    if len(reference) > 100:
        errors["reference"] = ValidationError(
            _("Keep the reference to 100 characters or fewer."), code="reference_too_long"
        )
    elif _control_characters(reference):
        errors["reference"] = ValidationError(
            _("Remove the control character: it cannot be typed, printed or scanned."),
            code="control_character",
        )
    if _control_characters(note, keep="\n\r\t"):
        errors["note"] = ValidationError(
            _("Remove the control character: it cannot be typed, printed or scanned."),
            code="control_character",
        )
    return errors


def _check(
    *,
    supplier: Supplier,
    outlet: Outlet,
    reference: str,
    note: str,
    lines: list[OrderLineInput],
    order: StockOrder | None = None,
) -> None:
    """Refuse what an order may not hold; one ValidationError naming every problem."""
    errors: dict[str, ValidationError | list[ValidationError]] = {}
    errors.update(_text_errors(reference=reference, note=note))
    # An inactive supplier or outlet the order already had stays allowed on an edit.
    if not supplier.is_active and (order is None or order.supplier_id != supplier.pk):
        errors["supplier"] = ValidationError(
            _("Supplier “%(name)s” is inactive: select an active supplier."),
            code="supplier_inactive",
            params={"name": supplier.name},
        )
    if not outlet.is_active and (order is None or order.outlet_id != outlet.pk):
        errors["outlet"] = ValidationError(
            _("Outlet “%(name)s” is inactive: select an active outlet."),
            code="outlet_inactive",
            params={"name": outlet.name},
        )
    line_errors = _line_errors(lines, order=order)
    if line_errors:
        errors["lines"] = line_errors
    if errors:
        raise ValidationError(errors)


def _line_errors(
    lines: list[OrderLineInput], *, order: StockOrder | None
) -> list[ValidationError]:
    if not lines:
        return [ValidationError(_("Add at least one line."), code="no_lines")]
    if len(lines) > MAX_LINES:
        return [
            ValidationError(
                _("Order at most %(limit)s lines at once."),
                code="too_many_lines",
                params={"limit": MAX_LINES},
            )
        ]
    kept = set()
    if order is not None:
        kept = {line.product_id for line in order.lines.all()}
    problems = []
    seen: set[int] = set()
    for line in lines:
        product = line.product
        params = {"product": product.name, "sku": product.sku}
        if product.pk in seen:
            problems.append(
                ValidationError(
                    _(
                        "%(product)s (%(sku)s) is on two lines: one line per product, "
                        "add the quantities up."
                    ),
                    code="duplicate_product",
                    params=params,
                )
            )
        seen.add(product.pk)
        if not product.is_active and product.pk not in kept:
            problems.append(
                ValidationError(
                    _("%(product)s (%(sku)s) is inactive and cannot be ordered."),
                    code="product_inactive",
                    params=params,
                )
            )
        if not 1 <= line.quantity <= MAX_LINE_QUANTITY:
            problems.append(
                ValidationError(
                    _("%(product)s: the quantity must be between 1 and %(limit)s."),
                    code="quantity_invalid",
                    params={**params, "limit": MAX_LINE_QUANTITY},
                )
            )
        if line.cost is not None and not Decimal(0) <= line.cost <= MAX_COST:
            problems.append(
                ValidationError(
                    _("%(product)s: the cost cannot be negative."),
                    code="cost_invalid",
                    params=params,
                )
                if line.cost < 0
                else ValidationError(
                    _("%(product)s: the cost is too large."), code="cost_invalid", params=params
                )
            )
    return problems


def _locked(order: StockOrder) -> StockOrder:
    """`order` re-read under a row lock (what the page showed may be stale)."""
    return StockOrder.objects.select_for_update().select_related("supplier").get(pk=order.pk)


# Why a status change is refused, per action: the order's status moved on
# (another user, another tab) since the page was shown.
_REFUSED = {
    "edit": _lazy("Stock order %(number)s is %(status)s now, so it can no longer be edited."),
    "send": _lazy("Stock order %(number)s is %(status)s now, so it cannot be marked as sent."),
    "cancel": _lazy("Stock order %(number)s is %(status)s now, so it cannot be cancelled."),
}


def _status_refused(order: StockOrder, action: str) -> ValidationError:
    """A status change the order's current status does not allow (a stale page, often)."""
    return ValidationError(
        _REFUSED[action],
        code="status_changed",
        params={"number": order.pk, "status": order.get_status_display().lower()},
    )


def _write_lines(order: StockOrder, lines: list[OrderLineInput]) -> None:
    """Make the order's lines exactly `lines`: changed in place, new ones added, others gone."""
    existing = {line.product_id: line for line in order.lines.all()}
    wanted = {line.product.pk for line in lines}
    gone = [line.pk for product_id, line in existing.items() if product_id not in wanted]
    if gone:
        StockOrderLine.objects.filter(pk__in=gone).delete()
    changed, new = [], []
    for line in lines:
        cost = line.cost if line.cost is not None else Decimal("0.00")
        row = existing.get(line.product.pk)
        if row is None:
            new.append(
                StockOrderLine(
                    order=order, product=line.product, quantity=line.quantity, cost=cost
                )
            )
        elif row.quantity != line.quantity or row.cost != cost:
            row.quantity, row.cost = line.quantity, cost
            changed.append(row)
    if changed:
        StockOrderLine.objects.bulk_update(changed, ["quantity", "cost"])
    if new:
        StockOrderLine.objects.bulk_create(new)


@transaction.atomic
def stock_order_create(
    *,
    supplier: Supplier,
    outlet: Outlet,
    reference: str = "",
    due: date | None = None,
    note: str = "",
    lines: list[OrderLineInput],
    user: User | None,
) -> StockOrder:
    """Order stock from a supplier for an outlet: saved as Open, one line per product."""
    reference, note = reference.strip(), note.strip()
    _check(supplier=supplier, outlet=outlet, reference=reference, note=note, lines=lines)
    order = StockOrder.objects.create(
        supplier=supplier,
        outlet=outlet,
        reference=reference,
        due=due,
        note=note,
        created_by=user,
    )
    _write_lines(order, lines)
    logger.info(
        "Stock order %s created by %s with %s lines",
        order.pk,
        getattr(user, "pk", None),
        len(lines),
    )
    return order


@transaction.atomic
def stock_order_update(
    *,
    order: StockOrder,
    supplier: Supplier,
    outlet: Outlet,
    reference: str = "",
    due: date | None = None,
    note: str = "",
    lines: list[OrderLineInput],
    user: User | None,
    seen_updated_at: datetime | None = None,
) -> StockOrder:
    """Change an Open order's supplier, outlet, reference, due date, note and lines.

    `seen_updated_at` (the edit page's copy): an order changed since the page
    was opened is refused, so nobody saves over changes they never saw.
    """
    locked = _locked(order)
    if locked.status not in EDITABLE:
        raise _status_refused(locked, "edit")
    if seen_updated_at is not None and locked.updated_at != seen_updated_at:
        raise ValidationError(
            _(
                "Stock order %(number)s was changed by someone else after you opened it. "
                "Open it again to see the changes."
            ),
            code="stale",
            params={"number": locked.pk},
        )
    reference, note = reference.strip(), note.strip()
    _check(
        supplier=supplier,
        outlet=outlet,
        reference=reference,
        note=note,
        lines=lines,
        order=locked,
    )
    locked.supplier, locked.outlet = supplier, outlet
    locked.reference, locked.due, locked.note = reference, due, note
    locked.save(update_fields=["supplier", "outlet", "reference", "due", "note", "updated_at"])
    _write_lines(locked, lines)
    logger.info("Stock order %s edited by %s", locked.pk, getattr(user, "pk", None))
    return locked


def _status_set(order: StockOrder, status: StockOrderStatus) -> StockOrder:
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    return order


@transaction.atomic
def stock_order_send(*, order: StockOrder, user: User | None) -> StockOrder:
    """Mark an Open order as sent to its supplier (Open -> Sent)."""
    locked = _locked(order)
    if locked.status not in SENDABLE:
        raise _status_refused(locked, "send")
    _status_set(locked, StockOrderStatus.SENT)
    logger.info("Stock order %s marked as sent by %s", locked.pk, getattr(user, "pk", None))
    return locked


@transaction.atomic
def stock_order_cancel(*, order: StockOrder, user: User | None) -> StockOrder:
    """Cancel an Open or Sent order of which nothing has been received yet."""
    locked = _locked(order)
    if locked.status not in CANCELLABLE:
        raise _status_refused(locked, "cancel")
    # Under the order's lock no receive runs, so the lines' counts hold.
    if locked.lines.filter(received__gt=0).exists():
        raise ValidationError(
            _("Stock order %(number)s has units received already, so it cannot be cancelled."),
            code="received_already",
            params={"number": locked.pk},
        )
    _status_set(locked, StockOrderStatus.CANCELLED)
    logger.info("Stock order %s cancelled by %s", locked.pk, getattr(user, "pk", None))
    return locked
