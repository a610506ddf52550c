import pytest
from django.test import override_settings

from tests.factories import UserFactory
from tests.fast_password_hashing import fast_password_hashing  # noqa: F401 (autouse)


@pytest.fixture(scope="session", autouse=True)
def _media_of_this_run(tmp_path_factory):
    """Files jobs write go to a folder of this test process, never the project's media/.

    Under pytest-xdist every worker has its own test database, so two workers
    make jobs with the same ids (jobs/1/...): each needs a folder of its own.
    Tests that read the files back also take tests.inventory.job_helpers.media.
    """
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


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
