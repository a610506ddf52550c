"""View pieces every app's pages share."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.generic.edit import ModelFormMixin

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def signed_in_user(request: HttpRequest) -> User:
    """The user making `request`, as the `User` that services record.

    Every page requires login, so a page's own permission check has already
    refused an anonymous visitor; this keeps that refusal (403) for the type.
    """
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user


class ListPageMixin(PermissionRequiredMixin):
    """A list page: its permission (403 when missing) and the shop's page size."""

    raise_exception = True

    def get_paginate_by(self, queryset) -> int:
        # Read per request, so a test or a deployment can change it at run time.
        return settings.SERIALDESK_PAGE_SIZE


class ServiceFormMixin(PermissionRequiredMixin, ModelFormMixin):
    """An Add or Edit page whose form's data goes to one service (`call_service`).

    The service's refusal goes back on the form; its row, saved, is named in the
    notice (`success_message`, with `%(name)s`) and the page goes to the row, or
    to `success_url` where one is set.
    """

    raise_exception = True
    request: HttpRequest
    success_message: "str | _StrPromise" = ""

    def call_service(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def form_valid(self, form) -> HttpResponse:
        try:
            saved = self.call_service(form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.object = saved
        messages.success(self.request, self.success_message % {"name": saved.name})
        return HttpResponseRedirect(self.get_success_url())
