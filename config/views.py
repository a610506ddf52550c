import logging
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import requires_csrf_token

from roles.permissions import GROUPS

logger = logging.getLogger(__name__)


# Error pages (wired in config/urls.py): in the app's layout, so a signed-in
# user keeps the menus, each saying what happened, what is needed and a way back.

TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def _back_url(request: HttpRequest) -> str | None:
    """The page the user came from, if it is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return None


# The REST API's address space (api/urls.py): its errors are JSON in the API's
# shape, also those Django answers before any API view runs (a NUL in the
# address, an unknown path, a server error). The docs page is a page.
API_PREFIX, API_DOCS = "/api/", "/api/v1/docs/"
API_ERRORS = {
    400: ("bad_request", _lazy("The request cannot be read.")),
    403: ("permission_denied", _lazy("You do not have permission to perform this action.")),
    404: ("not_found", _lazy("Not found.")),
    500: ("server_error", _lazy("Something went wrong on our side and has been logged.")),
    503: ("unavailable", _lazy("The database is not reachable. Try again in a moment.")),
}


def _api_error(request: HttpRequest, status: int, reason: str = "") -> JsonResponse | None:
    path = request.path
    if not path.startswith(API_PREFIX) or path.startswith(API_DOCS):
        return None
    code, message = API_ERRORS[status]
    if reason == "invalid_character":
        code, message = "nul_character", _lazy("The request holds a NUL character.")
    elif reason == "too_large":
        code, message = "too_large", _lazy("The request body is larger than the server accepts.")
        status = 413  # As api.parsers answers a JSON body it measures before reading.
    elif reason:
        code = reason
    return JsonResponse({"errors": [{"code": code, "message": str(message)}]}, status=status)


def _error_page(request, template_name, status, context=None) -> HttpResponse:
    api_error = _api_error(request, status, (context or {}).get("reason", ""))
    if api_error is not None:
        return api_error
    try:
        back_url = _back_url(request)
    except DisallowedHost:  # the 400 for a bad Host header: get_host() refuses it again
        back_url = None
    return render(request, template_name, {"back_url": back_url, **(context or {})}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception, *, reason: str = "") -> HttpResponse:
    """400: an unreadable, oversized or invalid request."""
    if not reason and isinstance(exception, TOO_LARGE):
        reason = "too_large"
    context = {
        "reason": reason,
        "max_megabytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024),
    }
    return _error_page(request, "400.html", 400, context)


def _needed_permissions(request: HttpRequest) -> list[dict]:
    """The permissions the refused page's view asks for, with the groups that grant them."""
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    names = getattr(view_class, "permission_required", None) or []
    if isinstance(names, str):
        names = [names]
    needed = []
    for name in names:
        app_label, _dot, codename = name.partition(".")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        needed.append(
            {
                "name": permission.name if permission else name,
                "groups": [group for group, names in GROUPS.items() if name in names],
            }
        )
    return needed


@requires_csrf_token
def permission_denied(request: HttpRequest, exception) -> HttpResponse:
    """403: the user's groups do not allow this page or action."""
    return _error_page(request, "403.html", 403, {"needed": _needed_permissions(request)})


@requires_csrf_token
def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    """404: no page at this address, or the record is gone."""
    return _error_page(request, "404.html", 404)


def _plain_page(status: int, title: str, text: str, *, home: str = "") -> HttpResponse:
    """An error page without the layout, for when rendering the layout failed too."""
    link = format_html('<p><a href="/">{}</a></p>', home) if home else ""
    return HttpResponse(
        format_html(
            '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head>'
            "<body><h1>{}</h1><p>{}</p>{}</body></html>",
            title,
            title,
            text,
            link,
        ),
        status=status,
    )


# A database outage (PostgreSQL restarting, the network to it down) is not a
# bug: 503 with Retry-After, so a till or script waits and tries again, and the
# page tells the clerk the same. Only errors about reaching the database count:
# a deadlock, a lock or statement timeout stays a 500, since trying the same
# request again is no cure for those.
RETRY_AFTER_SECONDS = 30
# PostgreSQL's SQLSTATEs for a server that is shutting down or starting up;
# class 08 is every "connection exception".
PG_SERVER_GOING = {"57P01", "57P02", "57P03"}
SQLITE_CANTOPEN = 14


def is_database_outage(exc: BaseException | None) -> bool:
    """True for an error about reaching the database, not about the statement sent."""
    if isinstance(exc, InterfaceError):
        return True  # The connection is closed or unusable: nothing was sent.
    if not isinstance(exc, OperationalError):
        return False
    cause: Any = exc.__cause__  # The driver's own error, which Django wraps.
    if hasattr(cause, "sqlite_errorcode"):
        return cause.sqlite_errorcode == SQLITE_CANTOPEN
    if hasattr(cause, "sqlstate"):
        # psycopg: an error the server sent has its SQLSTATE; one without any is
        # the client's (connection refused, the server closed the connection).
        state = cause.sqlstate
        return state is None or state.startswith("08") or state in PG_SERVER_GOING
    return False


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database is not reachable; a page (or the API's JSON) saying to try again.

    Who is signed in is in the database too: the page is drawn as for a visitor
    without the menus, and nothing on it reads the database.
    """
    request.user = AnonymousUser()  # so no layer after this one asks the database
    # A GET may simply be sent again; a form is not sent again behind the user's
    # back. A path like "//elsewhere.example/" would be a link to another site.
    path = request.get_full_path()
    retry = request.method in ("GET", "HEAD") and url_has_allowed_host_and_scheme(path, None)
    context = {"retry_url": path if retry else None, "retry_seconds": RETRY_AFTER_SECONDS}
    try:
        response = _error_page(request, "503.html", 503, context)
    except Exception:
        logger.exception("The 503 page failed to render; sent the plain one instead.")
        response = _plain_page(
            503,
            _("Service unavailable (503)"),
            _("The database is not reachable. Try again in a moment."),
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered with the request when that still works, as a plain page when not.

    The error may have broken what the layout needs (the database for the
    user, a template), so a failure here must not hide the page. A database
    outage met outside a view (loading the session for the login check) ends
    here too, and gets the 503 answer.
    """
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    try:
        return _error_page(request, "500.html", 500)
    except Exception:
        logger.exception("The 500 page failed to render; sent the plain one instead.")
        return _plain_page(
            500,
            _("Server error (500)"),
            _(
                "Something went wrong on our side and has been logged. What you were "
                "doing may not have been saved: check it before trying again."
            ),
            home=_("Go to the Dashboard"),
        )
