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
