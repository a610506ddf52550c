from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from api import services
from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens to look at and revoke; they are made on the API tokens page, which shows the key.

    The key's digest is not shown: it is of no use to anyone reading it here.
    """

    list_display = ["user", "key_prefix", "created_at", "created_by", "last_used_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username", "prefix"]
    fields = readonly_fields = ("user", "key_prefix", "created_at", "created_by", "last_used_at")

    @admin.display(description=_("Key"), ordering="prefix")
    def key_prefix(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        services.api_token_revoke(token=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token)
