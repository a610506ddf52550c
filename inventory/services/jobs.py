"""Background jobs: Add Serial numbers over the cap, big CSV imports, exports.

Adds and imports check every row first, with the same rules as the pages, then
insert the valid rows chunk by chunk; each chunk is one transaction that also
moves the job's progress on, so a stopped worker loses nothing and a resumed job
goes on after the last committed chunk. An export writes its file aside and
attaches it only when complete (all-or-nothing; a stopped export starts again).
"""

import logging
import tempfile
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks.base import Task

from catalog.models import Product
from inventory import selectors
from inventory.exports import serial_export_chunks
from inventory.models import (
    Outlet,
    SerialEventKind,
    SerialJob,
    SerialJobKind,
    SerialJobState,
)
from inventory.services.serials import (
    EntryProblem,
    SerialEntry,
    SerialsCheck,
    SerialsRecordedMeanwhile,
    batch_problems_csv,
    format_override_check,
    serials_add_check,
    serials_import_check,
    serials_insert_checked,
    serials_parse,
)

logger = logging.getLogger(__name__)

# Rows per committed chunk: about a second of work, so progress moves and a stop
# loses at most that much.
CHUNK_ROWS = 10_000
# Problems kept in the job's row for its page; all of them are in its CSV file.
PROBLEMS_SHOWN = 100


class JobSuperseded(Exception):
    """This run of a job was replaced by a resumed one; it must write nothing more."""


# Starting ------------------------------------------------------------------


# The task that runs a job: `inventory.tasks` defines it and imports this module, so
# this module cannot import that one; the app registers it when ready.
JobTask = Task[..., None]
_job_tasks: list[JobTask] = []


def serial_job_task_register(job_task: JobTask) -> None:
    """Run every job with `job_task(job_id=..., run_id=...)` (the last one registered)."""
    _job_tasks[:] = [job_task]


def _enqueue(job: SerialJob) -> None:
    """Send the job to a worker once the transaction that made it has committed."""
    if not _job_tasks:
        raise RuntimeError("No task runs serial jobs: InventoryConfig.ready registers it.")
    [job_task] = _job_tasks
    job_id, run_id = job.pk, job.run_id

    def send() -> None:
        result = job_task.enqueue(job_id=job_id, run_id=run_id)
        SerialJob.objects.filter(pk=job_id, run_id=run_id).update(task_id=str(result.id))

    transaction.on_commit(send)


def _job_create(**fields: Any) -> SerialJob:
    job = SerialJob.objects.create(run_id=uuid.uuid4().hex, **fields)
    _enqueue(job)
    return job


@transaction.atomic
def serial_add_job_start(
    *,
    user: User,
    product: Product,
    outlet: Outlet,
    text: str,
    only_valid: bool = False,
    format_confirmed: bool = False,
) -> SerialJob:
    """Add Serial numbers in the background: the same rules as the page, with no cap."""
    format_override_check(user=user, format_confirmed=format_confirmed)
    params = {"product": product.pk, "outlet": outlet.pk}
    return _job_create(
        kind=SerialJobKind.ADD,
        user=user,
        input_text=text,
        params={**params, "format_confirmed": True} if format_confirmed else params,
        only_valid=only_valid,
    )


@transaction.atomic
def serial_import_job_start(
    *,
    user: User,
    file_name: str,
    csv_text: str,
    only_valid: bool = False,
    format_confirmed: bool = False,
) -> SerialJob:
    """Import a CSV in the background: every row is checked before any is saved."""
    format_override_check(user=user, format_confirmed=format_confirmed)
    return _job_create(
        kind=SerialJobKind.IMPORT,
        user=user,
        input_text=csv_text,
        file_name=file_name[:255],
        params={"format_confirmed": True} if format_confirmed else {},
        only_valid=only_valid,
    )


@transaction.atomic
def serial_export_job_start(*, user: User, query: QueryDict) -> SerialJob:
    """Export the Serial numbers list with `query`'s filters to a CSV file, all or nothing."""
    kept = query.copy()
    kept.pop("page", None)
    return _job_create(kind=SerialJobKind.EXPORT, user=user, params={"query": kept.urlencode()})


@transaction.atomic
def serial_job_resume(*, job: SerialJob) -> SerialJob:
    """Run a stopped job again: adds and imports go on after their last chunk, exports restart."""
    job = SerialJob.objects.select_for_update().get(pk=job.pk)
    if not job.can_resume:
        raise ValidationError(_("Only a stopped job can be resumed."), code="not_stopped")
    job.state = SerialJobState.QUEUED
    job.run_id = uuid.uuid4().hex
    job.heartbeat_at = None
    if job.kind == SerialJobKind.EXPORT:
        job.done = 0
    job.save(update_fields=["state", "run_id", "heartbeat_at", "done"])
    _enqueue(job)
    return job


# Running -------------------------------------------------------------------


def serial_job_run(*, job_id: int, run_id: str) -> None:
    """Run one job for the worker; a run that was superseded or has finished does nothing."""
    job = SerialJob.objects.filter(pk=job_id, run_id=run_id).first()
    if job is None or job.is_finished:
        return
    try:
        _beat(job, state=SerialJobState.RUNNING)
        if job.kind == SerialJobKind.EXPORT:
            _export(job)
        else:
            _record(job)
    except JobSuperseded:
        logger.info("Job %s was resumed elsewhere; this run stops.", job_id)
    except ValidationError as error:
        _finish(job, SerialJobState.FAILED, message=" ".join(error.messages))
    except (KeyboardInterrupt, SystemExit):
        # The worker is being shut down: what was committed stays, Resume goes on.
        SerialJob.objects.filter(pk=job.pk, run_id=job.run_id).update(state=SerialJobState.STOPPED)
        raise
    except Exception:
        _finish(
            job,
            SerialJobState.FAILED,
            message=_(
                "The job failed with an unexpected error; the worker's log has the details."
            ),
        )
        raise


def _beat(job: SerialJob, **fields: Any) -> None:
    """Say this run is alive (and set `fields`); a superseded run learns it here."""
    now = timezone.now()
    updated = SerialJob.objects.filter(pk=job.pk, run_id=job.run_id).update(
        heartbeat_at=now, **fields
    )
    if not updated:
        raise JobSuperseded
    job.heartbeat_at = now
    for name, value in fields.items():
        setattr(job, name, value)


def _finish(job: SerialJob, state: str, *, message: str = "") -> None:
    _beat(job, state=state, message=message, finished_at=timezone.now())


def _format_confirmed(job: SerialJob) -> bool:
    """Whether the job's user chose "Add anyway" (checked when the job started)."""
    return job.params.get("format_confirmed") is True


def _job_check(job: SerialJob) -> SerialsCheck:
    """Check every entry or row of an add or import job, as the pages do (with no cap)."""
    if job.kind == SerialJobKind.IMPORT:
        return serials_import_check(
            csv_text=job.input_text, format_confirmed=_format_confirmed(job)
        )
    product = Product.objects.filter(pk=job.params.get("product")).first()
    outlet = Outlet.objects.filter(pk=job.params.get("outlet")).first()
    if product is None or outlet is None:
        raise ValidationError(_("The product or outlet no longer exists."), code="gone")
    return serials_add_check(
        product=product,
        outlet=outlet,
        entries=serials_parse(job.input_text),
        capped=False,
        format_confirmed=_format_confirmed(job),
    )


def _record(job: SerialJob) -> None:
    check = _job_check(job)
    if not job.checked:
        if check.problems:
            _problems_add(job, check.problems)
            if not job.only_valid:
                count = len(check.problems)
                message = ngettext(
                    "%(count)s row has a problem. Nothing was saved.",
                    "%(count)s rows have problems. Nothing was saved.",
                    count,
                ) % {"count": count}
                _finish(job, SerialJobState.FAILED, message=message)
                return
        if not check.valid:
            raise ValidationError(_("None of the entries can be recorded."), code="nothing_valid")
        _beat(job, total=len(check.valid), checked=True, batch_at=timezone.now())
        pending = check.valid
    else:
        skipped = set(job.problem_rows)
        pending = [
            entry
            for entry in check.valid
            if entry.position > job.resume_after and entry.position not in skipped
        ]
        # Rows someone else recorded while the job was stopped.
        late = [
            problem
            for problem in check.problems
            if problem.position > job.resume_after and problem.position not in skipped
        ]
        if late:
            _problems_add(job, late)
    for start in range(0, len(pending), CHUNK_ROWS):
        _chunk_insert(job, pending[start : start + CHUNK_ROWS])
    _finish(job, SerialJobState.DONE)


def _chunk_insert(job: SerialJob, chunk: Sequence[SerialEntry]) -> None:
    """Insert one chunk and move the job's progress on, in one transaction."""
    # A unit recorded by someone else between the check and the insert fails the
    # insert; the chunk is checked again and goes in without it.
    for _attempt in range(3):
        try:
            with transaction.atomic():
                _chunk_insert_once(job, chunk)
            return
        except SerialsRecordedMeanwhile:
            continue
    raise ValidationError(
        _("Other users kept recording the same serial numbers; resume the job to try again."),
        code="recorded_meanwhile",
    )


def _chunk_insert_once(job: SerialJob, chunk: Sequence[SerialEntry]) -> None:
    locked = SerialJob.objects.select_for_update().get(pk=job.pk)
    if locked.run_id != job.run_id:
        raise JobSuperseded
    assert job.batch_at is not None
    is_import = job.kind == SerialJobKind.IMPORT
    # The pages' own check and insert, products locked: a product whose serial
    # numbers were turned off since the job's check refuses the chunk as the page
    # would refuse the batch (typed entries), or its rows (an import).
    recorded = serials_insert_checked(
        entries=chunk,
        origin=SerialEventKind.IMPORTED if is_import else SerialEventKind.ADDED,
        user_id=job.user_id,
        created_at=job.batch_at,
        in_rows=is_import,
        only_valid=True,
        format_confirmed=_format_confirmed(job),
    )
    locked.done += recorded.count
    locked.resume_after = chunk[-1].position
    locked.heartbeat_at = timezone.now()
    locked.save(update_fields=["done", "resume_after", "heartbeat_at"])
    job.done, job.resume_after = locked.done, locked.resume_after
    if recorded.skipped:
        _problems_add(job, recorded.skipped)


def _problems_add(job: SerialJob, problems: Sequence[EntryProblem]) -> None:
    """Add problems to the job: the first ones in its row, all of them in its CSV file."""
    job.refresh_from_db(fields=["problems", "problem_rows", "problem_count", "problems_file"])
    room = PROBLEMS_SHOWN - len(job.problems)
    job.problems = job.problems + [
        {"row": p.position, "text": p.text, "reason": p.reason} for p in problems[: max(room, 0)]
    ]
    job.problem_rows = job.problem_rows + [p.position for p in problems]
    job.problem_count += len(problems)
    previous = ""
    if job.problems_file:
        with job.problems_file.open("rb") as kept:
            previous = kept.read().decode("utf-8")
        job.problems_file.delete(save=False)
    # The same file as a refused page's "Download all problems"; a later chunk's
    # problems go on after the earlier ones, under the one header.
    pieces = batch_problems_csv(problems=problems, in_rows=job.kind == SerialJobKind.IMPORT)
    header = next(pieces)
    text = (previous or header) + "".join(pieces)
    job.problems_file.save("problems.csv", ContentFile(text.encode("utf-8")), save=False)
    updated = SerialJob.objects.filter(pk=job.pk, run_id=job.run_id).update(
        problems=job.problems,
        problem_rows=job.problem_rows,
        problem_count=job.problem_count,
        problems_file=job.problems_file.name,
    )
    if not updated:
        raise JobSuperseded


# Exports -------------------------------------------------------------------


def _export(job: SerialJob) -> None:
    from inventory.filters import SerialRecordFilter

    filterset = SerialRecordFilter(
        QueryDict(job.params.get("query", "")), queryset=selectors.serial_list()
    )
    # As on the list: invalid filters match no rows, not all.
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    _beat(job, total=queryset.count(), done=0)
    with tempfile.TemporaryFile("w+b") as spool:
        # The Python path: a COPY would hold the connection that reports progress.
        pieces = serial_export_chunks(queryset, chunk_rows=CHUNK_ROWS, copy=False)
        spool.write(next(pieces))  # the BOM and the header
        written = 0
        for piece in pieces:
            spool.write(piece)
            written = min(written + CHUNK_ROWS, job.total)
            _beat(job, done=written)
        spool.seek(0)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        _export_attach(job, File(spool, name=f"serial-numbers-{stamp}.csv"), job.total)


@transaction.atomic
def _export_attach(job: SerialJob, file: File, written: int) -> None:
    locked = SerialJob.objects.select_for_update().get(pk=job.pk)
    if locked.run_id != job.run_id:
        raise JobSuperseded
    locked.result.save(file.name or "export.csv", file, save=False)
    locked.done = written
    locked.state = SerialJobState.DONE
    locked.heartbeat_at = locked.finished_at = timezone.now()
    locked.save(update_fields=["result", "done", "state", "heartbeat_at", "finished_at"])
