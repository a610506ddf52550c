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
    """A transactional test's database, with the groups.

    Nothing to do: the flush after each transactional test sends post_migrate,
    and the roles app's receiver makes the groups again.
    """
