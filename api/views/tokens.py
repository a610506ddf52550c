"""The API tokens pages: Managers add integration users, renew and revoke their keys.

A key is shown once, in the answer to the POST that made it: never in a
message (stored in the session), a URL or a log, so it exists only in that
page and in the integration's configuration.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, ListView

from api import services
from api.forms import IntegrationUserForm
from api.models import ApiToken
from lib.mixins import ListPageMixin, signed_in_user


def _tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user", "created_by").prefetch_related("user__groups")


def _key_page(request: HttpRequest, token: ApiToken, key: str) -> HttpResponse:
    # Rendered as the POST's answer: the key never travels in a redirect or a message.
    products_url = request.build_absolute_uri(reverse("api:product-list"))
    context = {"token": token, "key": key, "products_url": products_url}
    return render(request, "api/apitoken_key.html", context)


class ApiTokenListView(ListPageMixin, ListView):
    permission_required = "api.view_apitoken"
    template_name = "api/apitoken_list.html"

    def get_queryset(self) -> QuerySet[ApiToken]:
        return _tokens().order_by("user__username", "id")


class IntegrationUserCreateView(PermissionRequiredMixin, FormView):
    permission_required = "api.add_apitoken"
    raise_exception = True
    form_class = IntegrationUserForm
    template_name = "api/integration_user_form.html"
    # FormView treats PUT as POST: only what a browser's form sends.
    http_method_names = ["get", "post", "head", "options"]

    def form_valid(self, form: IntegrationUserForm) -> HttpResponse:
        try:
            token, key = services.integration_user_create(
                created_by=signed_in_user(self.request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return _key_page(self.request, token, key)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(("api.add_apitoken", "api.delete_apitoken"), raise_exception=True)
def token_replace(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST makes a new key for the token's user, ending the old one."""
    token = get_object_or_404(_tokens(), pk=pk)
    error = None
    if request.method == "POST":
        try:
            new_token, key = services.api_token_create(
                user=token.user, created_by=signed_in_user(request)
            )
        except ValidationError as refusal:
            error = refusal.messages[0]
        else:
            return _key_page(request, new_token, key)
    context = {"token": token, "error": error}
    return render(request, "api/apitoken_confirm_replace.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("api.delete_apitoken", raise_exception=True)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes the token (its user stays, without a key)."""
    token = get_object_or_404(_tokens(), pk=pk)
    if request.method != "POST":
        return render(request, "api/apitoken_confirm_revoke.html", {"token": token})
    services.api_token_revoke(token=token)
    messages.success(request, _("The API token of “%(user)s” was revoked.") % {"user": token.user})
    return redirect("api_tokens:token_list")
