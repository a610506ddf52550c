"""The Return form. It validates what was typed; `return_create` decides the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.forms import active_outlets
from lib.ids import IdChoiceField
from sales.models import ReturnOutcome, ReturnReason


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReturnOutcome.choices)
    outlet = IdChoiceField(
        label=_("Outlet"),
        queryset=active_outlets(),
        empty_label=_("Select an outlet"),
        help_text=_("Where a restocked unit goes."),
    )
    # No minimum here: the service says why a negative refund is refused.
    refund_amount = forms.DecimalField(label=_("Refund amount"), max_digits=10, decimal_places=2)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
