from django.db.models import QuerySet

from inventory.models import Outlet


def outlet_list(*, include_inactive: bool = True) -> QuerySet[Outlet]:
    outlets = Outlet.objects.all()
    if not include_inactive:
        outlets = outlets.filter(is_active=True)
    return outlets.order_by("name", "id")
