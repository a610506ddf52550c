from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Outlet
from lib.ids import IdChoiceField
from reports.services import MAX_THRESHOLD


class CoverageFilterForm(forms.Form):
    """The report's one filter: it applies to all three sections and their exports."""

    outlet = IdChoiceField(
        label=_("Outlet"),
        queryset=Outlet.objects.order_by("name", "id"),
        required=False,
        empty_label=_("Any"),
    )


class HighValueThresholdForm(forms.Form):
    amount = forms.DecimalField(
        label=_("High-value threshold"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_THRESHOLD,
        help_text=_("Active products priced at or above this need serial numbers."),
    )
