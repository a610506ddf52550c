"""The Dashboard (home page): what needs doing, each figure a link to the list behind it."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inventory.models import SerialStatus
from reports import selectors, selectors_dashboard
from sales.filters import OPEN_ANY


def _url(name: str, **query: object) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every signed-in user may open it; a figure whose list the user may not open is
    neither counted nor shown."""
    user = request.user
    context: dict[str, object] = {}
    if user.has_perm("inventory.view_serialrecord"):
        context["in_stock"] = [
            (
                row,
                _url("inventory:serial_list", outlet=row.outlet.pk, status=SerialStatus.IN_STOCK),
            )
            for row in selectors_dashboard.serials_in_stock_by_outlet()
        ]
    if user.has_perm("sales.view_sale"):
        day = selectors_dashboard.sold_since_day()
        context["sold"] = selectors_dashboard.units_sold_since(day=day)
        context["sold_url"] = _url("sales:sale_list", date_from=day.isoformat())
    if user.has_perm("sales.view_warrantyclaim"):
        context["open_claims"] = selectors_dashboard.open_claim_count()
        context["open_claims_url"] = _url("sales:claim_list", status=OPEN_ANY)
    if user.has_perm("reports.view_coverage"):
        context["coverage"] = selectors.coverage_counts()
        context["coverage_url"] = reverse("reports:coverage")
    return render(request, "reports/dashboard.html", context)
