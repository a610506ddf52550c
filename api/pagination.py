"""Cursor pagination: the next page is found by the last row's id, never by counting."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Newest first, `?cursor=` for the next page, `?page_size=` up to 500.

    A keyset on the primary key stays as fast on page 10,000 of a million rows
    as on page one, and no row is skipped or shown twice while rows are added.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
