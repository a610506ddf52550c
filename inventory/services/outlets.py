from django.db import transaction

from inventory.models import Outlet


@transaction.atomic
def outlet_create(*, name: str, address: str = "") -> Outlet:
    """Add an outlet; names are unique whatever their case."""
    outlet = Outlet(name=name.strip(), address=address.strip())
    outlet.full_clean()
    outlet.save()
    return outlet


@transaction.atomic
def outlet_update(*, outlet: Outlet, name: str, address: str) -> Outlet:
    """Rename an outlet or change its address."""
    outlet.name = name.strip()
    outlet.address = address.strip()
    outlet.full_clean()
    outlet.save(update_fields=["name", "address", "updated_at"])
    return outlet


@transaction.atomic
def outlet_set_active(*, outlet: Outlet, active: bool) -> Outlet:
    """Deactivate an outlet (kept for history, no longer offered) or bring it back."""
    outlet.is_active = active
    outlet.save(update_fields=["is_active", "updated_at"])
    return outlet
