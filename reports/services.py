import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Outlet
from reports import selectors_dashboard as dashboard
from reports.models import DASHBOARD_SNAPSHOT_ID, DashboardSnapshot, HighValueThreshold
from reports.selectors import high_value_threshold

logger = logging.getLogger(__name__)

# The column's limits: DecimalField(max_digits=10, decimal_places=2).
MAX_THRESHOLD = Decimal("99999999.99")


def _threshold_problem(amount: Decimal) -> ValidationError | None:
    try:
        is_finite = amount.is_finite()
    except (AttributeError, InvalidOperation):
        is_finite = False
    if not is_finite:
        return ValidationError(_("Enter a price."), code="threshold_invalid")
    if amount < 0:
        return ValidationError(
            _("The high-value threshold cannot be negative."), code="threshold_negative"
        )
    if amount > MAX_THRESHOLD or amount != amount.quantize(Decimal("0.01")):
        return ValidationError(
            _("Enter a price up to %(max)s with at most 2 decimal places.")
            % {"max": MAX_THRESHOLD},
            code="threshold_invalid",
        )
    return None


@transaction.atomic
def high_value_threshold_set(*, amount: Decimal, user: User) -> HighValueThreshold | None:
    """Change the High-value threshold, logged with who and when; None when unchanged."""
    problem = _threshold_problem(amount)
    if problem is not None:
        raise problem
    # Two managers saving at once both get a row; the later one is the value.
    if amount == high_value_threshold():
        return None
    return HighValueThreshold.objects.create(amount=amount, changed_by=user)


@transaction.atomic
def dashboard_snapshot_take(*, now: datetime | None = None) -> DashboardSnapshot:
    """Count the Dashboard's units sold per week and age of stock now, replacing the last count."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    weeks = dashboard.week_starts(day=day)
    # Every active outlet has a row, sales or not; an inactive one only with sales.
    units: dict[int, list[int]] = {
        outlet_id: [0] * len(weeks)
        for outlet_id in Outlet.objects.filter(is_active=True).values_list("id", flat=True)
    }
    for outlet_id, sold_on, sold in dashboard.units_sold_by_outlet_and_day(since=weeks[0]):
        week = (sold_on - weeks[0]).days // 7
        if 0 <= week < len(weeks):
            units.setdefault(outlet_id, [0] * len(weeks))[week] += sold
    names = dict(Outlet.objects.filter(id__in=units).order_by().values_list("id", "name"))
    outlets = sorted(units, key=lambda outlet_id: (names[outlet_id], outlet_id))
    figures = {
        "version": dashboard.SNAPSHOT_VERSION,
        "outlets": [
            {"id": outlet_id, "name": names[outlet_id], "units": units[outlet_id]}
            for outlet_id in outlets
        ],
        "stock_age": [
            {"units": count, "value": str(value)}
            for count, value in dashboard.stock_in_hand_by_age(day=day)
        ],
    }
    snapshot = DashboardSnapshot(
        id=DASHBOARD_SNAPSHOT_ID, taken_at=now, day=day, figures=figures, refresh_requested_at=None
    )
    # An upsert: two first views of the Dashboard at once both count, and the later wins.
    DashboardSnapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["taken_at", "day", "figures", "refresh_requested_at"],
    )
    return snapshot


def dashboard_refresh_request() -> bool:
    """Queue one background refresh of a stale snapshot; True when this call queued it.

    A refresh queued and not done within twice the refresh interval (no worker
    took it) may be queued again.
    """
    now = timezone.now()
    interval = timedelta(seconds=settings.SERIALDESK_DASHBOARD_REFRESH_SECONDS)
    # One conditional UPDATE: of two pages asking at once, one queues the task.
    unclaimed = Q(refresh_requested_at__isnull=True) | Q(
        refresh_requested_at__lt=now - 2 * interval
    )
    claimed = DashboardSnapshot.objects.filter(unclaimed, pk=DASHBOARD_SNAPSHOT_ID).update(
        refresh_requested_at=now
    )
    if not claimed:
        return False
    from reports import tasks

    def send() -> None:
        # The page shows the figures it has whatever the queue does: a queue that
        # is down (Redis) must not turn the Dashboard into an error page.
        try:
            tasks.dashboard_refresh_task.enqueue()
        except Exception:
            logger.exception("Could not queue the Dashboard's refresh")

    transaction.on_commit(send)
    return True
