"""Cursor pagination: the next page is found by the last row's key, never by counting."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from lib.keyset import KeysetPage, Sort, cursor_dumps, cursor_loads, keyset_page


class IdCursorPagination(CursorPagination):
    """Newest first, `?cursor=` for the next page, `?page_size=` up to 500.

    A keyset on the primary key stays as fast on page 10,000 of a million rows
    as on page one, and no row is skipped or shown twice while rows are added.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# What a cursor of AddedCursorPagination reads on in: newest first for `next`,
# oldest first (then shown reversed) for `previous`.
_ADDED_READINGS = {"-added": "after", "added": "before"}


class AddedCursorPagination(IdCursorPagination):
    """Newest first by date added, then id: for a list filtered by date added.

    The (created_at, id) index serves this order, so a date range is read from
    its newest row on; by id, PostgreSQL walked the primary key back from the
    newest unit, throwing away every row after the range (640,000 of 1,000,000).
    The cursor is the last row's (created_at, id), signed as the Serial numbers
    page signs its own, so ties on created_at (a batch added at once) page as
    any other rows. A cursor that is not one of these is DRF's: an id cursor
    from before lists filtered by date were ordered so goes on paging by id, as
    its walk began, and anything else is "Invalid cursor" (404), as elsewhere.
    """

    sort = Sort(("created_at", "id"), descending=True)
    salt = "api.serials_added"

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.keyset: KeysetPage | None = None
        token = request.query_params.get(self.cursor_query_param, "")
        key, direction = None, "after"
        if token:
            loaded = self._load(token)
            if loaded is None:
                return super().paginate_queryset(queryset, request, view)
            key, direction = loaded
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.keyset = keyset_page(
            queryset, sort=self.sort, size=self.page_size, key=key, direction=direction
        )
        self.display_page_controls = self.keyset.has_previous or self.keyset.has_next
        return self.keyset.rows

    def _load(self, token: str) -> tuple[list[Any], str] | None:
        """The boundary in `token` and the way to read from it, or None if it is none of ours."""
        for reading, direction in _ADDED_READINGS.items():
            key = cursor_loads(token, salt=self.salt, sort_name=reading, length=2)
            if key is not None:
                return key, direction
        return None

    def _link(self, key: list[Any] | None, reading: str) -> str | None:
        # A page emptied meanwhile (its rows deleted) has no row to go on from,
        # and from its own boundary a link would skip the row there: none.
        if key is None:
            return None
        token = cursor_dumps(salt=self.salt, sort_name=reading, key=key)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def get_next_link(self) -> str | None:
        if self.keyset is None:
            return super().get_next_link()
        return self._link(self.keyset.last_key, "-added") if self.keyset.has_next else None

    def get_previous_link(self) -> str | None:
        if self.keyset is None:
            return super().get_previous_link()
        return self._link(self.keyset.first_key, "added") if self.keyset.has_previous else None
