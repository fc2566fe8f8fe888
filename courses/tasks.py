"""Background work for courses: sending reminder emails, one task per email."""

import logging

from django_tasks import task

from .reminders import (
    record_cancelled,
    record_failure,
    record_sent,
    reminder_message,
    start_attempt,
)

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
