"""Token authentication against stored digests, not keys."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import ApiToken

# `last_used_at` is written at most this often, so a busy till does not write a
# row on every call (the same reasoning as the session's end, config/sessions.py).
LAST_USED_EVERY = timedelta(minutes=5)


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` (or `Bearer <key>`), checked against the key's digest."""

    keywords = ("Token", "Bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Token <key>”."), code="token_malformed"
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid."), code="token_invalid"
            ) from None
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key: str):
        try:
            token = ApiToken.objects.select_related("user").get(key_digest=ApiToken.digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid."), code="token_invalid"
            ) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The token's user is inactive."), code="user_inactive"
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
