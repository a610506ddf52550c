"""The Sales, Returns and Warranty claims pages' filters, as query parameters.

Each is the page's filter set with its own search methods, so `customer` or
`serial` mean here what they mean on the page; ids are checked as the pages
check them, dates are YYYY-MM-DD. The pages' sort is left out: the API pages by id.
Customers use the Customers page's filter as it is (`q`).
"""

from django.utils.translation import gettext_lazy as _

from api.filters.fields import IdFilter, IsoDayFilter
from sales.filters import ClaimFilter, ReturnFilter, SaleFilter


class SaleApiFilter(SaleFilter):
    """`outlet`, `customer`, `serial`, `date_from`, `date_to`: the Sales page's filters."""

    outlet = IdFilter(field_name="outlet_id", help_text=_("The outlet's id."))
    date_from = IsoDayFilter(
        method="filter_date_from",
        help_text=_("Sold on or after this day (YYYY-MM-DD, the shop's time zone)."),
    )
    date_to = IsoDayFilter(
        method="filter_date_to",
        help_text=_("Sold on or before this day (YYYY-MM-DD, the shop's time zone)."),
    )
    # Declared None, the page's sort is left out.
    sort = None  # type: ignore[assignment]

    class Meta(SaleFilter.Meta):
        fields: list[str] = []


class ReturnApiFilter(ReturnFilter):
    """`outlet`, `reason`, `outcome`, `serial`, `date_from`, `date_to`: the Returns page's."""

    outlet = IdFilter(field_name="outlet_id", help_text=_("The outlet's id."))
    date_from = IsoDayFilter(
        method="filter_date_from",
        help_text=_("Returned on or after this day (YYYY-MM-DD, the shop's time zone)."),
    )
    date_to = IsoDayFilter(
        method="filter_date_to",
        help_text=_("Returned on or before this day (YYYY-MM-DD, the shop's time zone)."),
    )

    class Meta(ReturnFilter.Meta):
        fields: list[str] = []


class ClaimApiFilter(ClaimFilter):
    """`status` (or open_any), `outlet`, `serial`, `customer`, `opened_from`, `opened_to`."""

    outlet = IdFilter(field_name="sale__outlet_id", help_text=_("The selling outlet's id."))
    opened_from = IsoDayFilter(
        method="filter_opened_from",
        help_text=_("Opened on or after this day (YYYY-MM-DD, the shop's time zone)."),
    )
    opened_to = IsoDayFilter(
        method="filter_opened_to",
        help_text=_("Opened on or before this day (YYYY-MM-DD, the shop's time zone)."),
    )

    class Meta(ClaimFilter.Meta):
        fields: list[str] = []
