"""API tokens and the first answers to idempotent requests."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """The one token of a user, for tills, web shops and scripts.

    Only a SHA-256 digest of the key is kept: the key is shown once, when it is
    made, and a copy of the database gives no one a working key.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    key_digest = models.CharField(max_length=64, unique=True)
    # The key's first characters, so staff can tell tokens apart in the list.
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class IdempotentRequest(models.Model):
    """The first successful answer to a request sent with an `Idempotency-Key`.

    A retry with the same key gets this answer back instead of doing the work
    again. The unique key is also where two copies sent at once meet: the second
    waits for the first's transaction, then replays its answer.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What was asked (method, path, body): the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key
