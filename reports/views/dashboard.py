"""The Dashboard (home page): what needs doing and how the shop is going, in charts whose
every bar links to the list behind it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from inventory.selectors.transfers import transfers_overdue
from reports import dashboard as dashboard_charts
from reports import selectors, selectors_dashboard, services


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every signed-in user may open it; a chart whose lists the user may not open is
    neither counted nor shown."""
    user = request.user
    sees_serials = user.has_perm("inventory.view_serialrecord")
    sees_sales = user.has_perm("sales.view_sale")
    needs_doing, going = [], []
    if user.has_perm("sales.view_warrantyclaim"):
        claims = selectors_dashboard.open_claims_by_status_and_age(day=timezone.localdate())
        needs_doing.append(dashboard_charts.card_html(dashboard_charts.open_claims_chart(claims)))
    if user.has_perm("reports.view_coverage"):
        counts = selectors.coverage_counts()
        needs_doing.append(dashboard_charts.card_html(dashboard_charts.coverage_chart(counts)))
    if user.has_perm("inventory.view_transfer"):
        overdue = transfers_overdue().count()
        chart = dashboard_charts.overdue_transfers_chart(overdue)
        needs_doing.append(dashboard_charts.card_html(chart))
    trends = None
    if sees_serials or sees_sales:
        trends = selectors_dashboard.dashboard_trends()
        if trends is None:
            # The first view ever (or after an upgrade of its shape): counted now,
            # once; from then on a background task counts again (docs/decisions.md).
            snapshot = services.dashboard_snapshot_take()
            trends = selectors_dashboard.dashboard_trends_of(snapshot)
        elif trends.is_stale:
            services.dashboard_refresh_request()
    if trends is not None and sees_serials:
        needs_doing.append(dashboard_charts.trend_card(kind="stock_age", trends=trends))
    if trends is not None and sees_sales:
        going.append(dashboard_charts.trend_card(kind="sold", trends=trends))
    if sees_serials:
        in_stock = selectors_dashboard.serials_in_stock_by_outlet()
        going.append(dashboard_charts.card_html(dashboard_charts.in_stock_chart(in_stock)))
    return render(request, "reports/dashboard.html", {"needs_doing": needs_doing, "going": going})
