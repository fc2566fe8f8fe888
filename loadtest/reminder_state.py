# ruff: noqa: T201
"""Reminder log counts by status (and how many e-mails the console backend printed
to the file MAIL_LOG).
Run with `manage.py shell -c "exec(open('loadtest/reminder_state.py').read())"`;
prints one JSON line, which loadtest/inner.sh keeps.
"""

import json
import os
from collections import Counter

from courses.models import ReminderLog

logs = list(
    ReminderLog.objects.values(
        "pk", "status", "attempts", "last_error", "kind", "recipient_id", "enrolment_id"
    )
)
mail_log = os.environ.get("MAIL_LOG", "")
mails = 0
if mail_log and os.path.exists(mail_log):
    with open(mail_log, "rb") as f:
        mails = f.read().count(b"\nMessage-ID: ")
keys = Counter((r["kind"], r["recipient_id"], r["enrolment_id"]) for r in logs)
print(
    json.dumps(
        {
            "total": len(logs),
            "by_status": dict(Counter(r["status"] for r in logs)),
            "attempts": dict(Counter(str(r["attempts"]) for r in logs)),
            "duplicate_keys": sum(1 for n in keys.values() if n > 1),
            "sample_error": next(
                (r["last_error"][:200] for r in logs if r["last_error"]), ""
            ),
            "mails_in_files": mails,
            "ids": sorted(r["pk"] for r in logs),
        }
    )
)
