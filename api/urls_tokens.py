"""Accounts > API tokens: pages of the app, not of the API (/api/v1/)."""

from django.urls import path

from api.views import tokens

app_name = "api_tokens"

urlpatterns = [
    path("", tokens.ApiTokenListView.as_view(), name="token_list"),
    path("add/", tokens.IntegrationUserCreateView.as_view(), name="integration_user_create"),
    path("<int:pk>/new-key/", tokens.token_replace, name="token_replace"),
    path("<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
]
