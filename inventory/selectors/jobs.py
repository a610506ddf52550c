"""Reads of background jobs."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

from inventory.models import SerialJob, SerialJobState


def serial_jobs_visible(*, user: User) -> QuerySet[SerialJob]:
    """The jobs `user` may see: their own, or everyone's with the view_serialjob permission."""
    jobs = SerialJob.objects.select_related("user").defer("input_text", "problem_rows")
    if user.has_perm("inventory.view_serialjob"):
        return jobs
    return jobs.filter(user_id=user.pk)


def serial_job_unclaimed_for(*, job: SerialJob) -> timedelta | None:
    """How long the job has waited with no worker taking it, once that is over the limit.

    None while it waits less than SERIALDESK_JOB_UNCLAIMED_SECONDS, or once a
    worker has it. The wait counts from when its task was queued (a resumed job
    is queued again long after it was started), read from the task backend only
    when the job is old enough for the answer to matter.
    """
    if job.state != SerialJobState.QUEUED:
        return None
    now = timezone.now()
    limit = timedelta(seconds=settings.SERIALDESK_JOB_UNCLAIMED_SECONDS)
    if now - job.created_at < limit:
        return None
    queued_at = job.created_at
    if job.task_id:
        try:
            result = default_task_backend.get_result(job.task_id)
        except (TaskResultDoesNotExist, NotImplementedError):
            pass  # pruned, or a backend that cannot tell: the job's own start
        else:
            if result.status != TaskResultStatus.READY:
                return None  # a worker has taken it and is about to say so
            queued_at = result.enqueued_at or queued_at
    waited = now - queued_at
    return waited if waited >= limit else None
