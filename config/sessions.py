"""Sessions in the database that remember when their end was last moved on.

A session ends after SESSION_COOKIE_AGE without a request. Saving it on every
request (SESSION_SAVE_EVERY_REQUEST) moves the end on but costs an UPDATE in a
transaction of its own, three of the eight queries of "Look up serial" at a
million serials. Moving the end on once it is REFRESH_SECONDS behind is enough
for an idle time counted in hours: the session then ends between
SESSION_COOKIE_AGE - REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends import db
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESH_SECONDS = 300


class SessionStore(db.SessionStore):
    """The database session, with the end it had when it was read (`stored_end`)."""

    stored_end: datetime | None = None

    # The hook `load` reads the row through; django-stubs does not declare it.
    def _get_session_from_db(self):
        stored = super()._get_session_from_db()  # type: ignore[misc]
        self.stored_end = stored.expire_date if stored is not None else None
        return stored


class SessionEndMiddleware:
    """Save a signed-in session whose end has fallen REFRESH_SECONDS behind, moving it on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        stored_end = getattr(session, "stored_end", None)
        if stored_end is not None and not session.modified:
            fresh_end = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
            if fresh_end - stored_end >= timedelta(seconds=REFRESH_SECONDS):
                session.modified = True  # SessionMiddleware saves it and resends the cookie
        return response
