"""Reads of background jobs."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from inventory.models import SerialJob


def serial_jobs_visible(*, user: User) -> QuerySet[SerialJob]:
    """The jobs `user` may see: their own, or everyone's with the view_serialjob permission."""
    jobs = SerialJob.objects.select_related("user").defer("input_text", "problem_rows")
    if user.has_perm("inventory.view_serialjob"):
        return jobs
    return jobs.filter(user_id=user.pk)
