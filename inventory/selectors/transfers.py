"""Reads of transfers: the transfer page, the overdue ones, a unit's open transfer."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from inventory.models import (
    SerialRecord,
    SerialStatus,
    Transfer,
    TransferLine,
    TransferStatus,
    TransferUnit,
)

# A transfer still waiting for (some of) its units or quantities.
OPEN_STATUSES = (TransferStatus.IN_TRANSIT, TransferStatus.PARTLY_RECEIVED)
# The units the transfer page lists; a bigger transfer says how many more it has.
UNITS_SHOWN = 500


def overdue_since(now: datetime | None = None) -> datetime:
    """Transfers sent before this time and not fully received are overdue."""
    now = now or timezone.now()
    return now - timedelta(days=settings.SERIALDESK_TRANSFER_OVERDUE_DAYS)


def overdue_q(now: datetime | None = None) -> Q:
    # The (status, created_at) index serves it.
    return Q(status__in=OPEN_STATUSES, created_at__lt=overdue_since(now))


def transfers_overdue(*, now: datetime | None = None) -> QuerySet[Transfer]:
    """Transfers not fully received SERIALDESK_TRANSFER_OVERDUE_DAYS days after they were sent,
    oldest first."""
    return (
        Transfer.objects.filter(overdue_q(now))
        .select_related("from_outlet", "to_outlet")
        .order_by("created_at", "id")
    )


def transfer_is_overdue(transfer: Transfer, *, now: datetime | None = None) -> bool:
    return transfer.status in OPEN_STATUSES and transfer.created_at < overdue_since(now)


def transfer_age_days(transfer: Transfer, *, now: datetime | None = None) -> int:
    """Whole days since the transfer was sent."""
    return max(((now or timezone.now()) - transfer.created_at).days, 0)


def transfer_detail(pk: int) -> Transfer:
    """One transfer with its outlets and who sent it (the transfer page)."""
    return Transfer.objects.select_related("from_outlet", "to_outlet", "created_by").get(pk=pk)


def transfer_lines(transfer: Transfer) -> QuerySet[TransferLine]:
    """The transfer's lines, each with its product."""
    return TransferLine.objects.filter(transfer=transfer).select_related("product").order_by("id")


def transfer_units(transfer: Transfer, *, limit: int = UNITS_SHOWN) -> list[TransferUnit]:
    """The first `limit` units of the transfer with their serial and product (one query)."""
    return list(
        TransferUnit.objects.filter(transfer=transfer)
        .select_related("serial__product")
        .order_by("line_id", "id")[:limit]
    )


def transfer_of_unit(*, serial: SerialRecord) -> Transfer | None:
    """The transfer an In transit unit is on (with its outlets); None for any other unit."""
    if serial.status != SerialStatus.IN_TRANSIT:
        return None
    row = (
        TransferUnit.objects.filter(serial=serial, received_at__isnull=True)
        .select_related("transfer__from_outlet", "transfer__to_outlet")
        .order_by("-transfer_id")
        .first()
    )
    return row.transfer if row else None
