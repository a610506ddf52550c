"""What API tests share: a client with a token, and what they read from an answer."""

from rest_framework.test import APIClient

from api.services import api_token_create


def errors(response) -> list[dict]:
    """The answer's error objects (api/errors.py: code, message, field...)."""
    return response.json()["errors"]


def codes(response) -> list[str]:
    """The answer's error codes, in order."""
    return [error["code"] for error in errors(response)]


def token_client(user) -> APIClient:
    """A client that calls the API as a till would: with the user's token."""
    _token, key = api_token_create(user=user, created_by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
