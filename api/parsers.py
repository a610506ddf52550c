"""A JSON body is refused whole when it holds a NUL character anywhere."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is larger than the server accepts.")
    default_code = "too_large"


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class NulRefusingJSONParser(JSONParser):
    """JSON as DRF parses it, with the rules config.middleware keeps for forms.

    PostgreSQL refuses a NUL in text, so one would reach the database as a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF reads a JSON body whole, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        # (which guards form bodies only): the same limit, for JSON too.
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestTooLarge()
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError(_("The request holds a NUL character."), code="nul_character")
        return data
