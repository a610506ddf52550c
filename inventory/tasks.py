"""Background tasks (Django's tasks API): one task runs every kind of serial job.

Arguments are ids, not objects: the queue (our database, or Redis) holds JSON.
`inventory.services.jobs` enqueues this task without importing this module: the
app registers it there when ready (`InventoryConfig.ready`).
"""

from django_tasks import task

from inventory.services import jobs


@task()
def serial_job_task(*, job_id: int, run_id: str) -> None:
    """Run a job: add or import its serial numbers chunk by chunk, or write its export."""
    jobs.serial_job_run(job_id=job_id, run_id=run_id)


# The names adds, imports and exports were queued under before they shared one
# task. A queue may still hold such a task after an upgrade; the worker looks a
# task up by its stored name, and without these it would fail it and leave the
# job queued for ever (a queued job cannot be resumed).
serial_batch_task = serial_job_task
serial_export_task = serial_job_task
