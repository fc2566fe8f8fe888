"""Who is due a reminder, and which reminders may be tried again."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.roles import AGENCY_MANAGER, GROUP_NAMES, role_of

from ..models import Enrolment, ReminderLog
from ..permissions import enrolments_visible_to

Kind = ReminderLog.Kind


Status = ReminderLog.Status


# A weekly digest lists what falls due before the next one, and what is overdue.
DIGEST_HORIZON = timedelta(days=7)


# Longer lists are cut in the email; the report has them all.
DIGEST_MAX_ROWS = 100


def _min_interval() -> timedelta:
    return timedelta(days=settings.REMINDER_MIN_INTERVAL_DAYS)


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


def retryable_reminders() -> QuerySet[ReminderLog]:
    return ReminderLog.objects.filter(
        status=Status.FAILED, attempts__lt=settings.REMINDER_MAX_ATTEMPTS
    )
