"""Log formatting: one JSON object per line, for journald and log shippers."""

import json
import logging
from datetime import UTC, datetime


class JSONFormatter(logging.Formatter):
    """Render a record as one line of JSON.

    Structured fields travel in ``extra={"fields": {...}}`` and are merged into the
    top level; the message is kept under ``message``.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
