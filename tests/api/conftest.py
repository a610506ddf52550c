import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.api.helpers import token_client
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Call counts live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_staff_user(db):
    return UserFactory(username="till-1", groups=["Staff"])


@pytest.fixture
def api_manager_user(db):
    return UserFactory(username="script-1", groups=["Managers"])


@pytest.fixture
def staff_api(api_staff_user):
    return token_client(api_staff_user)


@pytest.fixture
def manager_api(api_manager_user):
    return token_client(api_manager_user)


@pytest.fixture
def anonymous_api():
    return APIClient()
