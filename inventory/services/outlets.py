from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from inventory.models import Outlet

NAME_CONSTRAINT = "inventory_outlet_name_ci_unique"


def _save(outlet: Outlet, **kwargs) -> None:
    """Validate and save; a name taken meanwhile by another user is a form error."""
    outlet.full_clean()
    try:
        # A savepoint: losing the race to the same name (any case) leaves the
        # outer transaction usable and the user gets a message, not a 500.
        with transaction.atomic():
            outlet.save(**kwargs)
    except IntegrityError as error:
        if NAME_CONSTRAINT not in str(error):
            raise
        message = _("An outlet with this name already exists.")
        raise ValidationError({"name": ValidationError(message, code="name_taken")}) from error


@transaction.atomic
def outlet_create(
    *, name: str, address: str = "", require_customer_for_serialised: bool = False
) -> Outlet:
    """Add an outlet; names are unique whatever their case."""
    outlet = Outlet(
        name=name.strip(),
        address=address.strip(),
        require_customer_for_serialised=require_customer_for_serialised,
    )
    _save(outlet)
    return outlet


@transaction.atomic
def outlet_update(
    *, outlet: Outlet, name: str, address: str, require_customer_for_serialised: bool = False
) -> Outlet:
    """Change an outlet's name, address or settings; names stay unique whatever their case."""
    outlet.name = name.strip()
    outlet.address = address.strip()
    outlet.require_customer_for_serialised = require_customer_for_serialised
    fields = ["name", "address", "require_customer_for_serialised", "updated_at"]
    _save(outlet, update_fields=fields)
    return outlet


@transaction.atomic
def outlet_set_active(*, outlet: Outlet, active: bool) -> Outlet:
    """Deactivate an outlet (kept for history, no longer offered) or bring it back."""
    outlet.is_active = active
    outlet.save(update_fields=["is_active", "updated_at"])
    return outlet
