"""View pieces every app's pages share."""

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


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
