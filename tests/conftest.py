import pytest

from tests.factories import UserFactory


@pytest.fixture
def staff_user(db):
    return UserFactory(username="sam", groups=["Staff"])


@pytest.fixture
def manager_user(db):
    return UserFactory(username="mia", groups=["Managers"])


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def roles(transactional_db):
    """Groups again after a transactional test's flush (the data migration made them)."""
    from django.apps import apps

    from config.roles import sync_groups

    sync_groups(apps, None)
