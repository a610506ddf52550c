import logging
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers

from config import views

logger = logging.getLogger(__name__)

FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class NulCharacterInRequest(BadRequest):
    """A NUL character in the address or a form field: PostgreSQL refuses it in text."""


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


class RefuseNulCharactersMiddleware:
    """Answer 400 to a NUL in the path, the query string, a form field or a cookie.

    Every look-up, filter and admin search would otherwise pass it to the
    database, where PostgreSQL fails with a 500. Uploaded files are not read
    here; the CSV import checks its own cells.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in value for value in request.COOKIES.values()):
            # A quoted cookie may spell NUL as "\000". The session key would reach
            # the database: start an empty session instead, which also makes the
            # response delete the damaged cookie.
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
            request.user = AnonymousUser()
            return views.bad_request(request, NulCharacterInRequest(), reason="invalid_cookie")
        form_post = request.method == "POST" and request.content_type in FORM_CONTENT_TYPES
        try:
            refused = (
                "\x00" in request.path
                or _has_nul(request.GET)
                or (form_post and _has_nul(request.POST))
            )
        except MultiPartParserError as error:
            # A broken multipart body: Django would answer 500 wherever it is read.
            return views.bad_request(request, error)
        if refused:
            return views.bad_request(request, NulCharacterInRequest(), reason="invalid_character")
        return self.get_response(request)


class NoStoreForSignedInUsersMiddleware:
    """Tell browsers and proxies to keep no copy of anything shown to a signed-in user.

    Pages and CSV exports hold shop data; after logging out, the Back button or
    a shared machine's cache must not show them. Static files never get here
    (whitenoise answers them first) and the login page is not signed in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class DatabaseOutageMiddleware:
    """Answer 503 with Retry-After when a view cannot reach the database.

    Pages get the 503 page, the API its JSON error (`unavailable`). Errors about
    the statement itself (a deadlock, a timeout) stay 500s: see
    `config.views.is_database_outage`. An outage met before the view runs (the
    session read by the login check) reaches `config.views.server_error`, which
    answers the same.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not views.is_database_outage(exception):
            return None
        logger.warning("The database is not reachable: %s", exception)
        return views.service_unavailable(request)
