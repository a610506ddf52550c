"""A JSON body is refused whole when it holds a NUL character anywhere or nests too deeply."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is larger than the server accepts.")
    default_code = "too_large"


# No request of the API nests deeper than a sale's lines' serials (3 levels).
# Python's JSON reader gives up (RecursionError) near 1,000 levels, and the code
# that walks a body after it would fail sooner: refuse well before either.
MAX_DEPTH = 32


class TooDeep(Exception):
    """The body nests lists and objects deeper than MAX_DEPTH."""


def _has_nul(data) -> bool:
    """True when a key or text anywhere in `data` holds a NUL; TooDeep past MAX_DEPTH.

    A loop over a stack, not recursion, so a deep body cannot exhaust Python's stack.
    """
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise TooDeep
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((key, depth + 1))
                stack.append((item, depth + 1))
    return False


def _declared_too_large(length: str | None) -> bool:
    """True when Content-Length, in ASCII digits, is over the upload limit.

    Other text is no size (`"²".isdigit()` is true, `int("١٢")` is 12); a number
    longer than `int()` reads, or than any body, is over it.
    """
    if not length or not length.isascii() or not length.isdigit():
        return False
    digits = length.lstrip("0")
    return len(digits) > 19 or int(digits or "0") > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _too_deep() -> ParseError:
    message = _("The JSON nests lists and objects more than %(depth)d levels deep.")
    return ParseError(message % {"depth": MAX_DEPTH}, code="parse_error")


class NulRefusingJSONParser(JSONParser):
    """JSON as DRF parses it, with the rules config.middleware keeps for forms.

    PostgreSQL refuses a NUL in text, so one would reach the database as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF reads a JSON body whole, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        # (which guards form bodies only): the same limit, for JSON too.
        request = (parser_context or {}).get("request")
        if request is not None and _declared_too_large(request.META.get("CONTENT_LENGTH")):
            raise RequestTooLarge()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        try:
            has_nul = _has_nul(data)
        except TooDeep:
            raise _too_deep() from None
        if has_nul:
            raise ParseError(_("The request holds a NUL character."), code="nul_character")
        return data
