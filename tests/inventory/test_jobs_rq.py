"""The same add job through the RQ backend on Redis, with a real rq worker.

Runs only with SERIALDESK_TASKS_BACKEND=rq (CI does, once); elsewhere it is
skipped with a message. Under CI=true an unreachable Redis fails the run.
"""

import os

import django_rq
import pytest
from django.conf import settings
from django_tasks_rq import Job
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker

from inventory.models import SerialJobState, SerialRecord
from inventory.services import jobs
from tests.factories import OutletFactory, ProductFactory, UserFactory
from tests.inventory.job_helpers import media  # noqa: F401

pytestmark = [
    pytest.mark.redis,
    # One Redis queue ("default") for every test process: with `make test`'s
    # pytest-xdist `--dist loadgroup` these tests all run in one worker, in turn.
    pytest.mark.xdist_group("redis"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media"),
]


@pytest.fixture
def queue():
    if settings.SERIALDESK_TASKS_BACKEND != "rq":
        pytest.skip("RQ backend tests run with SERIALDESK_TASKS_BACKEND=rq and Redis at REDIS_URL")
    queue = django_rq.get_queue("default", job_class=Job)
    try:
        queue.connection.ping()
    except RedisConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is unreachable at {settings.REDIS_URL}")
        pytest.skip(f"Redis is unreachable at {settings.REDIS_URL}")
    queue.empty()
    yield queue
    queue.empty()


def test_an_add_job_runs_through_redis_with_an_rq_worker(queue, roles):
    user = UserFactory(username="sam", groups=["Staff"])
    product, outlet = ProductFactory(), OutletFactory()

    job = jobs.serial_add_job_start(user=user, product=product, outlet=outlet, text="R1, R2, R3")
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

    job.refresh_from_db()
    assert (job.state, job.total, job.done) == (SerialJobState.DONE, 3, 3)
    assert job.task_id
    assert SerialRecord.objects.filter(product=product, outlet=outlet).count() == 3
