"""Reminder emails: chosen by a manager, or sent by `manage.py send_reminders`
when a due date is near or past, and a weekly digest of laggards to each agency
manager.

Each email is a ReminderLog row, queued here and sent by the
courses.reminders.tasks background task in the recipient's language. The rows
keep anyone from getting the same kind of reminder about the same enrolment
twice within REMINDER_MIN_INTERVAL_DAYS, and record failures, which later runs
retry up to REMINDER_MAX_ATTEMPTS times.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import Enrolment, ReminderLog
from .selectors import (
    Kind,
    Status,
    _blocking_logs,
    agency_managers,
    laggards_for,
    retryable_reminders,
    unfinished_enrolments,
)
from .tasks import send_reminder


@dataclass
class ReminderBatch:
    """Enrolments a reminder would go to, and those left out for now."""

    to_send: list[Enrolment] = field(default_factory=list)
    throttled: list[Enrolment] = field(default_factory=list)
    finished: list[Enrolment] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.to_send)


def plan_reminders(
    enrolments, *, kind: str, now: datetime | None = None
) -> ReminderBatch:
    """Split enrolments into those to remind, those reminded too recently, and
    those that need no reminder (completed, withdrawn, inactive learner)."""
    now = now or timezone.now()
    enrolments = list(enrolments)
    open_ids = set(
        unfinished_enrolments()
        .filter(pk__in=[e.pk for e in enrolments])
        .values_list("pk", flat=True)
    )
    recent = set(
        _blocking_logs(kind=kind, now=now)
        .filter(enrolment_id__in=open_ids)
        .values_list("enrolment_id", flat=True)
    )
    batch = ReminderBatch()
    for enrolment in enrolments:
        if enrolment.pk not in open_ids:
            batch.finished.append(enrolment)
        elif enrolment.pk in recent:
            batch.throttled.append(enrolment)
        else:
            batch.to_send.append(enrolment)
    return batch


def _enqueue_on_commit(log_ids: list[int]) -> None:
    def enqueue():
        for log_id in log_ids:
            send_reminder.enqueue(log_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def queue_reminders(
    *,
    enrolments,
    kind: str,
    requested_by: User | None = None,
    now: datetime | None = None,
) -> ReminderBatch:
    """Queue one email per enrolment that is unfinished and was not sent this kind
    of reminder within the interval; each goes out as a background task."""
    now = now or timezone.now()
    enrolments = list(enrolments)
    # Two managers pressing "Send" at once: the second waits here, then sees
    # the first one's rows and queues nothing twice.
    list(
        Enrolment.objects.select_for_update()
        .filter(pk__in=[e.pk for e in enrolments])
        .values_list("pk", flat=True)
    )
    batch = plan_reminders(enrolments, kind=kind, now=now)
    logs = ReminderLog.objects.bulk_create(
        [
            ReminderLog(
                enrolment=enrolment,
                recipient_id=enrolment.learner_id,
                kind=kind,
                requested_by=requested_by,
                created_at=now,
            )
            for enrolment in batch.to_send
        ]
    )
    _enqueue_on_commit([log.pk for log in logs])
    return batch


def plan_digests(*, now: datetime) -> list[User]:
    """Agency managers with laggards who were not sent a digest within the interval."""
    recent = set(
        _blocking_logs(kind=Kind.DIGEST, now=now).values_list("recipient_id", flat=True)
    )
    return [
        manager
        for manager in agency_managers()
        if manager.pk not in recent and laggards_for(manager, now=now).exists()
    ]


@transaction.atomic
def queue_digests(*, now: datetime | None = None) -> list[ReminderLog]:
    """Queue a digest for each agency manager that plan_digests picks."""
    now = now or timezone.now()
    logs = ReminderLog.objects.bulk_create(
        [
            ReminderLog(recipient=manager, kind=Kind.DIGEST, created_at=now)
            for manager in plan_digests(now=now)
        ]
    )
    _enqueue_on_commit([log.pk for log in logs])
    return logs


def retry_failed_reminders() -> int:
    """Queue again each failed reminder with attempts left; returns how many."""
    ids = []
    for log_id in retryable_reminders().values_list("pk", flat=True):
        # Claimed one by one, so that two overlapping runs do not both resend.
        if ReminderLog.objects.filter(pk=log_id, status=Status.FAILED).update(
            status=Status.QUEUED
        ):
            ids.append(log_id)
    _enqueue_on_commit(ids)
    return len(ids)
