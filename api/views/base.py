"""What every API view shares."""

from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from lib.ids import parse_id


class ApiViewMixin:
    """What our API views add to DRF's: permissions per action, and the browsable pages' CSP.

    Their permissions are listed per action in `action_permissions` (see
    `api.permissions.ActionPermissions`). DRF marks its views exempt from the
    login-required middleware, so an anonymous call is answered 401 JSON by the
    token authentication, never with the login page's redirect.
    """

    action_permissions: dict[str, str | tuple[str, ...]] = {}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        renderer = getattr(response, "accepted_renderer", None)
        if renderer is not None and renderer.format == "api":
            # DRF's browsable API pages lay out a few buttons with style
            # attributes (and Bootstrap 3's script sets some): allow inline style
            # attributes on these pages only. Scripts and <style> stay refused.
            response._csp_update = {"style-src-attr": ["'unsafe-inline'"]}
        return response


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """A viewset with the API's authentication, permissions and errors."""


ModelT = TypeVar("ModelT", bound=Model)


class ByIdViewSet(ApiViewSet, Generic[ModelT]):
    """Finds `{id}` by the pages' rule: "١٢" or 10**30 is nobody's id, and never a 500."""

    def get_queryset(self) -> QuerySet[ModelT]:
        raise NotImplementedError

    def get_object(self) -> ModelT:
        pk = parse_id(self.kwargs["pk"])
        found = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise NotFound(_("Not found."))
        self.check_object_permissions(self.request, found)
        return found


def valid_data(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The request's values checked by `serializer_class`; a 400 with each problem if not."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
