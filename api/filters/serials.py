"""The Serial numbers page's filters, as query parameters.

The search and the date ranges are the page's own methods (inventory.filters),
so `q` and `added_from`/`added_to` mean exactly what they mean on the page. The
page's sort and batch time are left out: the API pages by id, or, filtered by
date added, by date added and id (api.pagination.AddedCursorPagination).
"""

from django.utils.translation import gettext_lazy as _

from api.filters.fields import IdFilter, IsoDayFilter
from inventory.filters import SerialRecordFilter

# The filters on date added: with either, the list is newest first by date added.
ADDED_FILTERS = ("added_from", "added_to")


class SerialFilter(SerialRecordFilter):
    """`q`, `product`, `outlet`, `status`, `added_from`, `added_to`: the page's filters."""

    product = IdFilter(field_name="product_id", help_text=_("The product's id."))
    outlet = IdFilter(field_name="outlet_id", help_text=_("The outlet's id."))
    added_from = IsoDayFilter(
        method="filter_added_from",
        help_text=_("Added on or after this day (YYYY-MM-DD, the shop's time zone)."),
    )
    added_to = IsoDayFilter(
        method="filter_added_to",
        help_text=_("Added on or before this day (YYYY-MM-DD, the shop's time zone)."),
    )
    # Declared None, the page's filters are left out.
    sort = None
    added_at = None

    class Meta(SerialRecordFilter.Meta):
        fields: list[str] = []
