"""Sending reminder emails in the background, one task per email."""

import logging

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from ..models import ReminderLog
from .emails import reminder_message
from .selectors import Status


def start_attempt(*, log_id: int) -> ReminderLog | None:
    """Count an attempt at a queued reminder; None when it is not queued (already
    sent, cancelled, or gone)."""
    if not ReminderLog.objects.filter(pk=log_id, status=Status.QUEUED).update(
        attempts=F("attempts") + 1
    ):
        return None
    return ReminderLog.objects.select_related(
        "recipient", "requested_by", "enrolment__course", "enrolment__learner"
    ).get(pk=log_id)


def record_sent(*, log: ReminderLog) -> None:
    log.status = Status.SENT
    log.sent_at = timezone.now()
    log.last_error = ""
    log.save(update_fields=["status", "sent_at", "last_error"])


def record_failure(*, log: ReminderLog, error: BaseException) -> None:
    log.status = Status.FAILED
    log.last_error = f"{type(error).__name__}: {error}"[:2000]
    log.save(update_fields=["status", "last_error"])


def record_cancelled(*, log: ReminderLog) -> None:
    log.status = Status.CANCELLED
    log.save(update_fields=["status"])


logger = logging.getLogger(__name__)


@task()
def send_reminder(log_id: int) -> bool:
    """Send one queued reminder; a failure is logged and recorded for a later retry."""
    log = start_attempt(log_id=log_id)
    if log is None:
        return False
    try:
        message = reminder_message(log=log)
        if message is None:
            record_cancelled(log=log)
            return False
        message.send()
    except Exception as error:
        # SMTP refusals and dropped connections (OSError) above all, but any
        # error: it is recorded on the log for the retry and never stops a batch.
        logger.exception(
            "Reminder %s (%s) to %s failed on attempt %s",
            log.pk,
            log.kind,
            log.recipient.email,
            log.attempts,
        )
        record_failure(log=log, error=error)
        return False
    record_sent(log=log)
    return True
