"""The reminder and digest emails, written in the recipient's language."""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.links import absolute_url
from accounts.models import User

from ..models import Enrolment, ReminderLog
from .selectors import (
    DIGEST_HORIZON,
    DIGEST_MAX_ROWS,
    Kind,
    laggards_for,
    unfinished_enrolments,
)


def language_of(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


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
                "report_url": absolute_url(reverse("reports:completion")),
                "site_name": settings.WAGTAIL_SITE_NAME,
            },
        )


def digest_email(*, manager: User, now: datetime) -> EmailMessage | None:
    content = digest_content(manager=manager, now=now)
    if content is None:
        return None
    subject, body = content
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [manager.email])
