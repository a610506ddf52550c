from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.models import HighValueThreshold
from reports.selectors import high_value_threshold

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
