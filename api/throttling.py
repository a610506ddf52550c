"""Per-token request limits (SERIALDESK_API_RATE)."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Count calls per token; a browser session counts per user.

    A bulk create of 20,000 serials is one call: the limit is on calls, and the
    page's cap bounds what one call can do.
    """

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
