"""Reminder emails: chosen by a manager, or sent by `manage.py send_reminders`
when a due date is near or past, and a weekly digest of laggards to each agency
manager.

Each email is a ReminderLog row, queued here and sent by the courses.tasks
background task in the recipient's language. The rows keep anyone from getting
the same kind of reminder about the same enrolment twice within
REMINDER_MIN_INTERVAL_DAYS, and record failures, which later runs retry up to
REMINDER_MAX_ATTEMPTS times.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.invitations import absolute_url
from accounts.models import User
from accounts.permissions import enrolments_visible_to
from accounts.roles import AGENCY_MANAGER, GROUP_NAMES, role_of

from .models import Enrolment, ReminderLog

Kind = ReminderLog.Kind
Status = ReminderLog.Status

# A weekly digest lists what falls due before the next one, and what is overdue.
DIGEST_HORIZON = timedelta(days=7)
# Longer lists are cut in the email; the report has them all.
DIGEST_MAX_ROWS = 100


def language_of(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def _min_interval() -> timedelta:
    return timedelta(days=settings.REMINDER_MIN_INTERVAL_DAYS)


# Who is due a reminder ------------------------------------------------------


def unfinished_enrolments() -> QuerySet[Enrolment]:
    """Active, not completed, in a published course, of a person who can sign in."""
    return Enrolment.objects.filter(
        withdrawn_at__isnull=True,
        completed_at__isnull=True,
        learner__is_active=True,
        course__live=True,
    )


def due_soon_enrolments(*, now: datetime) -> QuerySet[Enrolment]:
    """Due within REMINDER_DUE_SOON_DAYS and not yet past."""
    soon = now + timedelta(days=settings.REMINDER_DUE_SOON_DAYS)
    return unfinished_enrolments().filter(due_at__gt=now, due_at__lte=soon)


def overdue_enrolments(*, now: datetime) -> QuerySet[Enrolment]:
    return unfinished_enrolments().filter(due_at__lte=now)


def _blocking_logs(*, kind: str, now: datetime) -> QuerySet[ReminderLog]:
    """Reminders of this kind that rule out another now: sent or on their way
    within the interval, or failed and still to be retried."""
    return ReminderLog.objects.filter(
        kind=kind, created_at__gte=now - _min_interval()
    ).filter(
        Q(status__in=[Status.QUEUED, Status.SENT])
        | Q(status=Status.FAILED, attempts__lt=settings.REMINDER_MAX_ATTEMPTS)
    )


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


# Queueing -------------------------------------------------------------------


def _enqueue_on_commit(log_ids: list[int]) -> None:
    from .tasks import send_reminder

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


def agency_managers() -> list[User]:
    """Active agency managers with an agency; administrators get no digest."""
    candidates = User.objects.filter(
        is_active=True,
        agency__isnull=False,
        groups__name=GROUP_NAMES[AGENCY_MANAGER],
    ).distinct()
    return [user for user in candidates if role_of(user) == AGENCY_MANAGER]


def laggards_for(manager: User, *, now: datetime) -> QuerySet[Enrolment]:
    """The unfinished enrolments in a manager's scope that are overdue or fall due
    before the next digest."""
    return (
        unfinished_enrolments()
        .filter(
            pk__in=enrolments_visible_to(manager).values("pk"),
            due_at__lte=now + DIGEST_HORIZON,
        )
        .select_related("learner", "course", "agency")
        .order_by("due_at", "learner__full_name", "pk")
    )


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


def retryable_reminders() -> QuerySet[ReminderLog]:
    return ReminderLog.objects.filter(
        status=Status.FAILED, attempts__lt=settings.REMINDER_MAX_ATTEMPTS
    )


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


# Sending (called by courses.tasks.send_reminder) ------------------------------


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


def reminder_message(*, log: ReminderLog, now: datetime | None = None):
    """The email a log stands for, or None when it is no longer needed (the course
    was completed meanwhile, the person left, a manager has no laggards now)."""
    now = now or timezone.now()
    if not log.recipient.is_active:
        return None
    if log.kind == Kind.DIGEST:
        return digest_email(manager=log.recipient, now=now)
    enrolment = log.enrolment
    if (
        enrolment is None
        or not unfinished_enrolments().filter(pk=enrolment.pk).exists()
    ):
        return None
    return reminder_email(
        enrolment=enrolment, kind=log.kind, requested_by=log.requested_by, now=now
    )


def _absolute(url: str | None) -> str:
    """A page URL as a link for an email (Wagtail gives a path on a one-site setup)."""
    if not url:
        return absolute_url(reverse("courses:my_learning"))
    return absolute_url(url) if url.startswith("/") else url


def _render(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"courses/email/{template}_subject.txt", context)
    body = render_to_string(f"courses/email/{template}_message.txt", context)
    return " ".join(subject.split()), body


def reminder_content(
    *,
    enrolment: Enrolment,
    kind: str,
    requested_by: User | None = None,
    now: datetime | None = None,
) -> tuple[str, str]:
    """Subject and body of a reminder, in the learner's language."""
    now = now or timezone.now()
    learner = enrolment.learner
    course = enrolment.course
    days_left = None
    if enrolment.due_at:
        days_left = (
            timezone.localdate(enrolment.due_at) - timezone.localdate(now)
        ).days
    with translation.override(language_of(learner)):
        return _render(
            "reminder",
            {
                "learner": learner,
                "kind": kind,
                "course_title": course.title,
                "course_url": _absolute(course.get_url()),
                "my_learning_url": absolute_url(reverse("courses:my_learning")),
                "due_at": enrolment.due_at,
                "days_left": days_left,
                "overdue": days_left is not None and enrolment.due_at <= now,
                "started": enrolment.started_at is not None,
                "requested_by": requested_by,
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )


def reminder_email(**kwargs) -> EmailMessage:
    subject, body = reminder_content(**kwargs)
    to = [kwargs["enrolment"].learner.email]
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def digest_content(*, manager: User, now: datetime) -> tuple[str, str] | None:
    """Subject and body of a manager's digest in their language; None without
    laggards."""
    laggards = laggards_for(manager, now=now)
    total = laggards.count()
    if not total:
        return None
    rows = [
        {
            "learner": e.learner.get_full_name(),
            "course": e.course.title,
            "agency": e.agency.name if e.agency else "",
            "due_at": e.due_at,
            "overdue": e.due_at <= now,
        }
        for e in laggards[:DIGEST_MAX_ROWS]
    ]
    with translation.override(language_of(manager)):
        return _render(
            "digest",
            {
                "manager": manager,
                "agency": manager.agency,
                "rows": rows,
                "total": total,
                "overdue": laggards.filter(due_at__lte=now).count(),
                "more": total - len(rows),
                "horizon_days": DIGEST_HORIZON.days,
                "report_url": absolute_url(reverse("courses_reports:completion")),
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )


def digest_email(*, manager: User, now: datetime) -> EmailMessage | None:
    content = digest_content(manager=manager, now=now)
    if content is None:
        return None
    subject, body = content
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [manager.email])
