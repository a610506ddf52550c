from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HighValueThreshold(models.Model):
    """One change of the High-value threshold: the latest row is the current value."""

    amount = models.DecimalField(_("High-value threshold"), max_digits=10, decimal_places=2)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Changed by"),
    )
    changed_at = models.DateTimeField(_("Changed"), default=timezone.now)

    class Meta:
        # Ties on the time (two changes in one clock tick) go to the later row.
        ordering = ["-changed_at", "-id"]
        verbose_name = _("high-value threshold")
        verbose_name_plural = _("high-value thresholds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="reports_highvaluethreshold_amount_not_negative",
                violation_error_message=_("The high-value threshold cannot be negative."),
            ),
        ]
        # Seeing the report is its own permission (Staff); changing the
        # threshold is this model's add_ permission (Managers).
        permissions = [("view_coverage", "Can view the serial coverage report")]

    def __str__(self) -> str:
        return f"{self.amount} ({self.changed_at:%Y-%m-%d %H:%M})"


# The one row of DashboardSnapshot: each refresh replaces it.
DASHBOARD_SNAPSHOT_ID = 1


class DashboardSnapshot(models.Model):
    """The Dashboard's trend figures (units sold per week, age of stock in hand), worked out
    in the background because they read too many rows to count on every request.

    One row: each refresh replaces it. `figures` holds what the charts draw (JSON:
    outlets and their units per week, units and retail value per age); the page
    reads the row and draws it, and asks for a refresh when it is older than
    SERIALDESK_DASHBOARD_REFRESH_SECONDS or of an earlier day.
    """

    taken_at = models.DateTimeField(_("Worked out"))
    # The shop's day the figures were counted for: weeks and ages run from it.
    day = models.DateField(_("Day"))
    figures = models.JSONField(_("Figures"))
    # Set when a refresh is queued, so a page asks a worker for one refresh at a time.
    refresh_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self) -> str:
        return f"Dashboard figures of {self.taken_at:%Y-%m-%d %H:%M}"
