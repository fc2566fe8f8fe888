"""Large learner-level exports, built in the background and kept for a day.

The files hold names and e-mail addresses: they live in the "private" storage
(settings.STORAGES), outside MEDIA_ROOT, and only their owner downloads them,
through ExportDownloadView. Each job has a folder of its own there,
``exports/<job id>/``, with its state as JSON and, once done, the spreadsheet.
The web process and the task worker share that storage (a local folder on one
server, an S3-compatible bucket on several), so both see the same state, with or
without Redis.
"""

import datetime
import json
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone, translation
from django_tasks import task

from accounts.models import User

from .queries import CompletionFilters, CompletionReport
from .spreadsheets import LearnerSpreadsheet, write_spreadsheet

EXPORT_TTL = datetime.timedelta(days=1)  # a job's state, and its file, are kept
EXPORT_DIR = "exports"
STATE_PREFIX = "state-"


def inline_export_max_rows() -> int:
    return getattr(settings, "REPORT_INLINE_EXPORT_MAX_ROWS", 5000)


def private_storage() -> Storage:
    return storages["private"]


def _job_folder(job_id: str) -> str:
    # Validated as a UUID so an id from a URL can never name another folder.
    return f"{EXPORT_DIR}/{uuid.UUID(str(job_id))}"


def _state_names(storage: Storage, folder: str) -> list[str]:
    """The job's state files, newest first; none for an unknown job."""
    try:
        _folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted((n for n in files if n.startswith(STATE_PREFIX)), reverse=True)


def export_job(job_id: str) -> dict | None:
    """A job's state: the newest of its state files that reads whole.

    Not every storage can replace a file in one step (an S3 object is replaced
    whole, a local file is rewritten in place), so each change is saved under a
    new name before the older ones are deleted: a reader finds the state or, while
    it is being written, the one before.
    """
    storage = private_storage()
    folder = _job_folder(job_id)
    for _attempt in range(3):
        for name in _state_names(storage, folder):
            try:
                with storage.open(f"{folder}/{name}", "rb") as state:
                    return json.loads(state.read())
            except FileNotFoundError:
                break  # replaced by a newer one meanwhile: list again
            except ValueError:
                continue  # still being written: the one before
        else:
            return None
    return None


def _save_job(job_id: str, state: dict) -> None:
    storage = private_storage()
    folder = _job_folder(job_id)
    state["version"] = state.get("version", 0) + 1
    saved = storage.save(
        f"{folder}/{STATE_PREFIX}{state['version']:06d}.json",
        ContentFile(json.dumps(state).encode("utf-8")),
    )
    newest = saved.rsplit("/", 1)[-1]
    for name in _state_names(storage, folder):
        if name < newest:
            storage.delete(f"{folder}/{name}")


def _remove_stale_exports() -> None:
    """Delete the jobs (state and file) last written more than EXPORT_TTL ago."""
    storage = private_storage()
    cutoff = timezone.now() - EXPORT_TTL
    try:
        jobs, _files = storage.listdir(EXPORT_DIR)
    except FileNotFoundError:
        return
    for job in jobs:
        folder = f"{EXPORT_DIR}/{job}"
        try:
            names = [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
            if all(storage.get_modified_time(name) < cutoff for name in names):
                for name in names:
                    storage.delete(name)
                storage.delete(folder)  # a local folder; nothing on a bucket
        except FileNotFoundError:
            continue  # removed by another process meanwhile


def start_learner_export(
    *,
    user,
    filters: CompletionFilters,
    agency: int | str | None,
    export_format: str,
    total: int,
    filename: str,
) -> str:
    """Queue a learner-level export; its state lives in the private storage under a
    new id."""
    _remove_stale_exports()
    job_id = str(uuid.uuid4())
    _save_job(
        job_id,
        {
            "owner": user.pk,
            "status": "queued",
            "done": 0,
            "total": total,
            "format": export_format,
            "name": "",
            "filename": f"{filename}.{export_format}",
        },
    )
    build_learner_export.enqueue(
        job_id=job_id,
        user_id=user.pk,
        filters=filters.to_json(),
        agency=agency,
        export_format=export_format,
        language=translation.get_language(),
    )
    return job_id


@task()
def build_learner_export(
    *, job_id, user_id, filters, agency, export_format, language
) -> str:
    """Write a learner-level export to the private storage, beside its state."""
    state = export_job(job_id) or {}
    state.update(status="running")
    _save_job(job_id, state)

    def progress(done):
        state["done"] = done
        _save_job(job_id, state)

    try:
        # Written to a local temporary file first: the storage gets a whole file.
        with translation.override(language), tempfile.TemporaryFile() as output:
            report = CompletionReport(
                user=User.objects.get(pk=user_id),
                filters=CompletionFilters.from_json(filters),
            )
            rows = report.learner_rows(agency)
            written = write_spreadsheet(
                LearnerSpreadsheet(), rows, output, export_format, progress
            )
            name = private_storage().save(
                f"{_job_folder(job_id)}/export.{export_format}", File(output)
            )
    except Exception:
        state.update(status="failed")
        _save_job(job_id, state)
        raise
    state.update(status="done", done=written, total=written, name=name)
    _save_job(job_id, state)
    return name
