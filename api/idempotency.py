"""`Idempotency-Key`: a retried sale or bulk create gets the first answer, not a second sale."""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import error
from api.models import IdempotentRequest

HEADER = "Idempotency-Key"
# A key is remembered this long; a retry comes within minutes, not days.
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = IdempotentRequest._meta.get_field("key").max_length or 255


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode())
        digest.update(b"\x00")
    # The parsed body: Django's raw body cannot be read once DRF has read the stream.
    digest.update(json.dumps(request.data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _refused(code: str, message: str, status_code: int) -> Response:
    return Response({"errors": [error(code, message, field=HEADER)]}, status=status_code)


def idempotent(request: Request, work: Callable[[], Response]) -> Response:
    """Run `work` once per (user, key); a request without the header just runs it.

    The key's row is written in the same transaction as the work: a refused or
    failed attempt leaves no row, so the retry really runs. A copy sent while
    the first is still running waits on the row's unique key, then replays.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        return _refused(
            "idempotency_key_invalid",
            _("An Idempotency-Key is 1 to %(max)s printable ASCII characters.")
            % {"max": MAX_KEY_LENGTH},
            status.HTTP_400_BAD_REQUEST,
        )
    fingerprint = _fingerprint(request)
    user = request.user
    IdempotentRequest.objects.filter(user=user, created_at__lt=timezone.now() - KEPT_FOR).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            return _replay(user=user, key=key, fingerprint=fingerprint)
        response = work()
        if response.status_code >= 400:
            # Nothing was done: forget the key with the rest of the transaction.
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.body = JSONRenderer().render(response.data).decode()
        record.save(update_fields=["status_code", "body"])
    return response


def _replay(*, user, key: str, fingerprint: str) -> Response:
    record = IdempotentRequest.objects.get(user=user, key=key)
    if record.fingerprint != fingerprint:
        return _refused(
            "idempotency_key_reused",
            _("This Idempotency-Key was used for another request. Use a new key."),
            status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(json.loads(record.body), status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
