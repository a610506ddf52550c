from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalog.selectors import product_counts
from inventory.models import SerialStatus
from inventory.selectors import outlet_count_active, serial_counts_by_status


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: a few figures; the menu leads to the pages behind them."""
    products = product_counts()
    serials = serial_counts_by_status()
    tiles = [
        (_("Products"), products["total"]),
        (_("Products with serial numbers"), products["with_serial_numbers"]),
        (_("Serial numbers in stock"), serials.get(SerialStatus.IN_STOCK, 0)),
        (_("Active outlets"), outlet_count_active()),
    ]
    return render(request, "home.html", {"tiles": tiles})
