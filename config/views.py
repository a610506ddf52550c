import logging

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
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


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered with the request when that still works, as a plain page when not.

    The error may have broken what the layout needs (the database for the
    user, a template), so a failure here must not hide the page.
    """
    try:
        return _error_page(request, "500.html", 500)
    except Exception:
        logger.exception("The 500 page failed to render; sent the plain one instead.")
        return HttpResponseServerError(
            format_html(
                '<!doctype html><html><head><meta charset="utf-8"><title>{}</title></head>'
                '<body><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></body></html>',
                _("Server error (500)"),
                _("Server error (500)"),
                _(
                    "Something went wrong on our side and has been logged. What you were "
                    "doing may not have been saved: check it before trying again."
                ),
                _("Go to the Dashboard"),
            )
        )
