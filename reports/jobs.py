"""Large learner-level exports, built in the background and kept for a day."""

import json
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from .queries import CompletionFilters, CompletionReport
from .spreadsheets import LearnerSpreadsheet, write_spreadsheet

# Exports in the background -------------------------------------------------------

EXPORT_TTL = 24 * 60 * 60  # the job's state, and the file, are kept for a day
EXPORT_DIR = "exports"


def inline_export_max_rows() -> int:
    return getattr(settings, "REPORT_INLINE_EXPORT_MAX_ROWS", 5000)


def _job_state_path(job_id: str) -> Path:
    # Validated as a UUID so an id from a URL can never name another file.
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR / f"{uuid.UUID(job_id)}.json"


def export_job(job_id: str) -> dict | None:
    """A job's state, from a JSON file beside the export.

    A file (not the cache) so the web process and a separate task worker see
    the same state whenever they share MEDIA_ROOT, with or without Redis.
    """
    try:
        return json.loads(_job_state_path(job_id).read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None


def _save_job(job_id: str, state: dict) -> None:
    path = _job_state_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(state), encoding="utf-8")
    os.replace(partial, path)


def export_path(job_id: str, export_format: str) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORT_DIR / f"{job_id}.{export_format}"


def _remove_stale_exports() -> None:
    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    if not folder.is_dir():
        return
    cutoff = timezone.now().timestamp() - EXPORT_TTL
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def start_learner_export(
    *,
    user,
    filters: CompletionFilters,
    agency: int | str | None,
    export_format: str,
    total: int,
    filename: str,
) -> str:
    """Queue a learner-level export; its state lives in a file under a new id."""
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
            "path": "",
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
    """Write a learner-level export to MEDIA_ROOT/exports/<id>.<format>."""
    from accounts.models import User

    state = export_job(job_id) or {}
    state.update(status="running")
    _save_job(job_id, state)

    def progress(done):
        state["done"] = done
        _save_job(job_id, state)

    path = export_path(job_id, export_format)
    try:
        with translation.override(language):
            report = CompletionReport(
                user=User.objects.get(pk=user_id),
                filters=CompletionFilters.from_json(filters),
            )
            rows = report.learner_rows(agency)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            with open(partial, "wb") as output:
                written = write_spreadsheet(
                    LearnerSpreadsheet(), rows, output, export_format, progress
                )
            os.replace(partial, path)
    except Exception:
        state.update(status="failed")
        _save_job(job_id, state)
        raise
    state.update(status="done", done=written, total=written, path=str(path))
    _save_job(job_id, state)
    return str(path)
