"""Reads of Inventory > Stock control: stock orders, transfers and supplier returns in one list.

The list is one UNION ALL of the three tables' (kind, number, date), sorted and
paged in the database, so a page costs the same whether there are ten documents
or ten thousand; the rows of the page are then read with one query per kind of
document on it (`stock_control_rows`).
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from inventory.models import (
    StockOrder,
    StockOrderStatus,
    SupplierReturn,
    SupplierReturnStatus,
    Transfer,
    TransferStatus,
)
from inventory.selectors.stock_orders import stock_order_list
from inventory.selectors.supplier_returns import days_since, supplier_return_list
from inventory.selectors.transfers import overdue_q, transfer_is_overdue

STOCK_ORDER, TRANSFER, SUPPLIER_RETURN = "stock_order", "transfer", "supplier_return"

# The Type filter's choices and each row's Type, in the order the filter offers them.
STOCK_DOCUMENT_TYPES = [
    (STOCK_ORDER, gettext_lazy("Stock order")),
    (TRANSFER, gettext_lazy("Transfer")),
    (SUPPLIER_RETURN, gettext_lazy("Supplier return")),
]

# Who may see each kind of document in the list.
VIEW_PERMISSIONS = {
    STOCK_ORDER: "inventory.view_stockorder",
    TRANSFER: "inventory.view_transfer",
    SUPPLIER_RETURN: "inventory.view_supplierreturn",
}

# Every status of the three kinds, each value once: a value two kinds share
# (Partly received, Received) filters both.
STOCK_DOCUMENT_STATUSES = [
    (StockOrderStatus.OPEN.value, StockOrderStatus.OPEN.label),
    (StockOrderStatus.SENT.value, StockOrderStatus.SENT.label),
    (TransferStatus.IN_TRANSIT.value, TransferStatus.IN_TRANSIT.label),
    (SupplierReturnStatus.AT_SUPPLIER.value, SupplierReturnStatus.AT_SUPPLIER.label),
    (StockOrderStatus.PARTLY_RECEIVED.value, StockOrderStatus.PARTLY_RECEIVED.label),
    (StockOrderStatus.RECEIVED.value, StockOrderStatus.RECEIVED.label),
    (SupplierReturnStatus.RESOLVED.value, SupplierReturnStatus.RESOLVED.label),
    (TransferStatus.CLOSED_SHORT.value, TransferStatus.CLOSED_SHORT.label),
    (StockOrderStatus.CANCELLED.value, StockOrderStatus.CANCELLED.label),
]

_STATUSES_OF = {
    STOCK_ORDER: set(StockOrderStatus.values),
    TRANSFER: set(TransferStatus.values),
    SUPPLIER_RETURN: set(SupplierReturnStatus.values),
}


@dataclass(frozen=True)
class StockDocumentFilters:
    """What the list is filtered by; empty or None means "any"."""

    kind: str = ""
    status: str = ""
    outlet_id: int | None = None
    supplier_id: int | None = None
    created_from: datetime | None = None  # on or after
    created_before: datetime | None = None  # before
    overdue: bool = False


def _kinds(filters: StockDocumentFilters, allowed: Collection[str]) -> list[str]:
    kinds = [kind for kind, _label in STOCK_DOCUMENT_TYPES if kind in allowed]
    if filters.kind:
        kinds = [kind for kind in kinds if kind == filters.kind]
    if filters.status:
        kinds = [kind for kind in kinds if filters.status in _STATUSES_OF[kind]]
    if filters.supplier_id is not None:
        kinds = [kind for kind in kinds if kind != TRANSFER]
    if filters.overdue:
        kinds = [kind for kind in kinds if kind == TRANSFER]
    return kinds


def _part(kind: str, filters: StockDocumentFilters) -> QuerySet:
    """One kind's documents, filtered, as (kind, number, at) rows."""
    queryset: QuerySet
    wanted = Q()
    if filters.status:
        wanted &= Q(status=filters.status)
    if kind == TRANSFER:
        queryset = Transfer.objects.all()
        if filters.outlet_id is not None:
            wanted &= Q(from_outlet_id=filters.outlet_id) | Q(to_outlet_id=filters.outlet_id)
        if filters.overdue:
            wanted &= overdue_q()
    else:
        # Stock orders and supplier returns: one outlet and a supplier each.
        queryset = (
            StockOrder.objects.all() if kind == STOCK_ORDER else SupplierReturn.objects.all()
        )
        if filters.outlet_id is not None:
            wanted &= Q(outlet_id=filters.outlet_id)
        if filters.supplier_id is not None:
            wanted &= Q(supplier_id=filters.supplier_id)
    queryset = queryset.filter(wanted)
    if filters.created_from is not None:
        queryset = queryset.filter(created_at__gte=filters.created_from)
    if filters.created_before is not None:
        queryset = queryset.filter(created_at__lt=filters.created_before)
    return queryset.order_by().values(
        kind=Value(kind, output_field=CharField()), number=F("pk"), at=F("created_at")
    )


def stock_documents(
    *, filters: StockDocumentFilters | None = None, kinds: Collection[str] | None = None
) -> QuerySet:
    """Stock orders, transfers and supplier returns as (kind, number, at) rows, newest first.

    `kinds` are the kinds the user may see (all by default). The sort ends in
    (kind, number), unique, so pages neither skip nor repeat a document.
    """
    filters = filters or StockDocumentFilters()
    chosen = _kinds(filters, VIEW_PERMISSIONS.keys() if kinds is None else kinds)
    if not chosen:
        # No kind can match: an empty list of the same shape.
        return _part(STOCK_ORDER, filters).none()
    first, *others = (_part(kind, filters) for kind in chosen)
    combined = first.union(*others, all=True) if others else first
    return combined.order_by("-at", "kind", "-number")


@dataclass(frozen=True)
class StockDocumentRow:
    """One line of the Stock control list."""

    kind: str
    document: StockOrder | Transfer | SupplierReturn
    supplier: str  # "" when none
    from_outlet: str
    to_outlet: str
    reference: str
    status: str
    status_label: str
    units: str
    created_at: datetime
    due: date | None = None  # a stock order's
    overdue: bool = False

    @property
    def kind_label(self) -> str:
        return str(dict(STOCK_DOCUMENT_TYPES)[self.kind])

    @property
    def badge(self) -> str:
        """The status badge's Bootstrap class: open work blue, waiting amber, done green."""
        if self.status in (StockOrderStatus.OPEN, TransferStatus.IN_TRANSIT):
            return "text-bg-primary"
        if self.status == SupplierReturnStatus.AT_SUPPLIER:
            return "text-bg-dark"
        if self.status == StockOrderStatus.SENT:
            return "text-bg-info"
        if self.status == StockOrderStatus.PARTLY_RECEIVED:
            return "text-bg-warning"
        if self.status in (StockOrderStatus.RECEIVED, SupplierReturnStatus.RESOLVED):
            return "text-bg-success"
        return "text-bg-secondary"


def _received_of(received: int, of: int) -> str:
    return _("%(received)s of %(of)s received") % {"received": received, "of": of}


def _order_rows(pks: Sequence[int]) -> Iterable[StockDocumentRow]:
    # Any: the rows carry the selector's annotations, which the model's type does not know.
    orders: Iterable[Any] = stock_order_list().filter(pk__in=pks)
    for order in orders:
        yield StockDocumentRow(
            kind=STOCK_ORDER,
            document=order,
            supplier=order.supplier.name,
            from_outlet="",
            to_outlet=order.outlet.name,
            reference=order.reference,
            status=order.status,
            status_label=order.get_status_display(),
            units=_received_of(order.units_received, order.units_ordered),
            created_at=order.created_at,
            due=order.due,
        )


def _transfer_rows(pks: Sequence[int], now: datetime) -> Iterable[StockDocumentRow]:
    transfers = (
        Transfer.objects.filter(pk__in=pks)
        .select_related("from_outlet", "to_outlet")
        .annotate(
            units_sent=Coalesce(Sum("lines__quantity"), 0),
            units_received=Coalesce(Sum("lines__received"), 0),
        )
    )
    for transfer in transfers:
        yield StockDocumentRow(
            kind=TRANSFER,
            document=transfer,
            supplier="",
            from_outlet=transfer.from_outlet.name,
            to_outlet=transfer.to_outlet.name,
            reference="",
            status=transfer.status,
            status_label=transfer.get_status_display(),
            units=_received_of(transfer.units_received, transfer.units_sent),
            created_at=transfer.created_at,
            overdue=transfer_is_overdue(transfer, now=now),
        )


def _return_units(supplier_return: Any) -> str:
    """ "2 at supplier, oldest 5 days": the units still away and how long the oldest has been."""
    at_supplier = supplier_return.units_at_supplier
    if not at_supplier:
        return _("All %(count)s resolved") % {"count": supplier_return.units_count}
    days = days_since(supplier_return.oldest_at_supplier) or 0
    if days:
        age = ngettext("oldest %(days)s day", "oldest %(days)s days", days) % {"days": days}
    else:
        age = _("sent today")
    return _("%(count)s at supplier, %(age)s") % {"count": at_supplier, "age": age}


def _return_rows(pks: Sequence[int]) -> Iterable[StockDocumentRow]:
    returns: Iterable[Any] = supplier_return_list().filter(pk__in=pks)
    for supplier_return in returns:
        yield StockDocumentRow(
            kind=SUPPLIER_RETURN,
            document=supplier_return,
            supplier=supplier_return.supplier.name,
            from_outlet=supplier_return.outlet.name,
            to_outlet="",
            reference=supplier_return.supplier_reference,
            status=supplier_return.status,
            status_label=supplier_return.get_status_display(),
            units=_return_units(supplier_return),
            created_at=supplier_return.created_at,
        )


def stock_control_rows(page: Iterable[dict]) -> list[StockDocumentRow]:
    """The documents of one page of `stock_documents`, in its order, with what the list shows.

    One query per kind of document on the page (each a join to its lines or units).
    """
    entries = list(page)
    pks: dict[str, list[int]] = {STOCK_ORDER: [], TRANSFER: [], SUPPLIER_RETURN: []}
    for entry in entries:
        pks[entry["kind"]].append(entry["number"])
    now = timezone.now()
    found: dict[tuple[str, int], StockDocumentRow] = {}
    if pks[STOCK_ORDER]:
        found.update(((STOCK_ORDER, r.document.pk), r) for r in _order_rows(pks[STOCK_ORDER]))
    if pks[TRANSFER]:
        found.update(((TRANSFER, r.document.pk), r) for r in _transfer_rows(pks[TRANSFER], now))
    if pks[SUPPLIER_RETURN]:
        rows = _return_rows(pks[SUPPLIER_RETURN])
        found.update(((SUPPLIER_RETURN, r.document.pk), r) for r in rows)
    # A document deleted between the two reads is left out rather than failing the page.
    keys = ((entry["kind"], entry["number"]) for entry in entries)
    return [found[key] for key in keys if key in found]
