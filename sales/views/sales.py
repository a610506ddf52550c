import itertools

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_filters.views import FilterView

from lib.csvfile import csv_pieces
from lib.mixins import ListPageMixin
from sales import selectors
from sales.filters import SaleFilter


class SaleListView(ListPageMixin, FilterView):
    permission_required = "sales.view_sale"
    filterset_class = SaleFilter
    template_name = "sales/sale_list.html"

    def get_queryset(self):
        return selectors.sale_list()


# Rows per piece of the streamed export, as many as the database sends at once.
EXPORT_CHUNK_ROWS = 2000


def _export_cells(row: tuple) -> list[str]:
    number, created_at, outlet, customer, clerk, items, total = row
    time = timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")
    values = (number, time, outlet, customer or "", clerk or "", items, total)
    # All as text, so the writer makes every cell formula-safe.
    return [str(value) for value in values]


@require_GET
@permission_required("sales.view_sale", raise_exception=True)
def sale_export(request: HttpRequest) -> StreamingHttpResponse:
    """The Sales list as CSV, with the list's filters and sort, streamed in chunks."""
    filterset = SaleFilter(request.GET, queryset=selectors.sale_list())
    # As on the list (FilterView's strict mode): invalid filters match no rows, not all.
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = selectors.sale_export_rows(queryset)
    # Run the query before the response starts, so a database error gives an
    # error page rather than a file cut short.
    first_chunk = list(itertools.islice(rows, EXPORT_CHUNK_ROWS))
    header = [_("Sale"), _("Time"), _("Outlet"), _("Customer"), _("Clerk"), _("Items"), _("Total")]

    def chunks():
        chunk = first_chunk
        while chunk:
            yield [_export_cells(row) for row in chunk]
            chunk = list(itertools.islice(rows, EXPORT_CHUNK_ROWS))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        csv_pieces(header, chunks()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="sales-{stamp}.csv"'
    return response
