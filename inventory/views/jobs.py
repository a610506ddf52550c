"""Background jobs: the list of a user's jobs, a job's page with its progress and result."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from inventory.models import SerialJob, SerialJobKind
from inventory.selectors.jobs import serial_job_unclaimed_for, serial_jobs_visible
from inventory.services import jobs
from lib.mixins import ListPageMixin, signed_in_user

# A job needs the permission of the action it does.
JOB_PERMISSIONS = {
    SerialJobKind.ADD: "inventory.add_serialrecord",
    SerialJobKind.IMPORT: "inventory.add_serialrecord",
    SerialJobKind.EXPORT: "inventory.view_serialrecord",
}


def _job_for(request: HttpRequest, pk: int) -> SerialJob:
    """The job if the user may see it: 404 for someone else's, 403 without the permission."""
    if not request.user.has_perm("inventory.view_serialrecord"):
        raise PermissionDenied
    job = get_object_or_404(serial_jobs_visible(user=signed_in_user(request)), pk=pk)
    if not request.user.has_perm(JOB_PERMISSIONS[SerialJobKind(job.kind)]):
        raise PermissionDenied
    return job


class JobListView(ListPageMixin, ListView):
    """Background jobs: the user's own, or everyone's for Managers."""

    permission_required = "inventory.view_serialrecord"
    template_name = "inventory/job_list.html"
    context_object_name = "jobs"

    def get_queryset(self):
        return serial_jobs_visible(user=signed_in_user(self.request))


def _job_context(job: SerialJob) -> dict:
    return {"job": job, "unclaimed_for": serial_job_unclaimed_for(job=job)}


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "inventory/job_detail.html", _job_context(job))


@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress and result (htmx polls it while the job runs)."""
    job = _job_for(request, pk)
    return render(request, "inventory/includes/_job_status.html", _job_context(job))


@require_POST
def export_job_start(request: HttpRequest) -> HttpResponse:
    """Export CSV of a long list: the file is made by a worker; its page shows the progress."""
    if not request.user.has_perm("inventory.view_serialrecord"):
        raise PermissionDenied
    # The job's page says it was sent to a worker, while it waits or runs.
    job = jobs.serial_export_job_start(user=signed_in_user(request), query=request.GET)
    return redirect(job)


@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        jobs.serial_job_resume(job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    # Resumed, the job's page shows it waiting for a worker again.
    return redirect(job)


@require_GET
def job_download(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """The export's file or the list of all problems, for the job's owner or a Manager."""
    job = _job_for(request, pk)
    file = {"result": job.result, "problems": job.problems_file}.get(which)
    if not file:
        raise Http404
    name = file.name.rsplit("/", 1)[-1]
    if which == "problems":
        name = f"job-{job.pk}-problems.csv"
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type="text/csv"
    )
