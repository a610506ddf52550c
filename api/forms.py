from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from api.services import ROLES

ROLE_LABELS = {"Staff": _("Staff"), "Managers": _("Managers")}


class IntegrationUserForm(forms.Form):
    """A user for a till, web shop or script; the service checks the name is free."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("For example “till-harbour-1” or “web-shop”. Letters, digits and @.+-_ only."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role, ROLE_LABELS[role]) for role in ROLES],
        help_text=_("What the key may do: the same as a person in this group."),
    )
