"""Background tasks (Django's tasks API): thin wrappers over `reports.services`."""

from django_tasks import task

from reports import services


@task()
def dashboard_refresh_task() -> None:
    """Count the Dashboard's units sold per week and age of stock again."""
    services.dashboard_snapshot_take()
