"""What every API view shares."""

from django.contrib.auth.decorators import login_not_required
from rest_framework import viewsets


class ApiViewMixin:
    """API views answer an anonymous call 401 JSON, never the login page's redirect.

    Their permissions are listed per action in `action_permissions` (see
    `api.permissions.ActionPermissions`).
    """

    action_permissions: dict[str, str | tuple[str, ...]] = {}

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))  # type: ignore[misc]


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """A viewset with the API's authentication, permissions and errors."""
