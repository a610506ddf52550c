"""Background tasks (Django's tasks API): thin wrappers over `inventory.services.jobs`.

Arguments are ids, not objects: the queue (our database, or Redis) holds JSON.
"""

from django_tasks import task

from inventory.services import jobs


@task()
def serial_batch_task(*, job_id: int, run_id: str) -> None:
    """Add or import a job's serial numbers, chunk by chunk."""
    jobs.serial_job_run(job_id=job_id, run_id=run_id)


@task()
def serial_export_task(*, job_id: int, run_id: str) -> None:
    """Write a job's export file, attached only when complete."""
    jobs.serial_job_run(job_id=job_id, run_id=run_id)
