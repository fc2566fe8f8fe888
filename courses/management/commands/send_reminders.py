from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from courses.models import ReminderLog
from courses.reminders.selectors import (
    due_soon_enrolments,
    overdue_enrolments,
    retryable_reminders,
)
from courses.reminders.services import (
    plan_digests,
    plan_reminders,
    queue_digests,
    queue_reminders,
    retry_failed_reminders,
)

Kind = ReminderLog.Kind


class Command(BaseCommand):
    help = (
        "Run daily: retry failed reminders, remind learners whose due date is near "
        "or past, and (on REMINDER_DIGEST_WEEKDAY, or with --digest) send each "
        "agency manager a digest of their laggards. Nobody gets the same reminder "
        "twice within REMINDER_MIN_INTERVAL_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent; send and record nothing.",
        )
        parser.add_argument(
            "--digest",
            action="store_true",
            help="Send the weekly digest today, whatever the day.",
        )

    def handle(self, *args, dry_run=False, digest=False, **options):
        now = timezone.now()
        with_digest = digest or timezone.localdate(now).weekday() == (
            settings.REMINDER_DIGEST_WEEKDAY
        )
        prefix = "Would send" if dry_run else "Queued"

        if dry_run:
            retried = retryable_reminders().count()
        else:
            retried = retry_failed_reminders()
        self.stdout.write(f"{prefix} {retried} failed reminder(s) again.")

        for kind, enrolments in (
            (Kind.DUE_SOON, due_soon_enrolments(now=now)),
            (Kind.OVERDUE, overdue_enrolments(now=now)),
        ):
            enrolments = enrolments.select_related("learner")
            if dry_run:
                batch = plan_reminders(enrolments, kind=kind, now=now)
            else:
                batch = queue_reminders(enrolments=enrolments, kind=kind, now=now)
            self.stdout.write(
                f"{prefix} {batch.count} {kind} reminder(s); "
                f"{len(batch.throttled)} reminded within the last "
                f"{settings.REMINDER_MIN_INTERVAL_DAYS} day(s)."
            )

        if with_digest:
            if dry_run:
                count = len(plan_digests(now=now))
            else:
                count = len(queue_digests(now=now))
            self.stdout.write(f"{prefix} {count} digest(s) to agency managers.")
        else:
            self.stdout.write("No digest today.")
        self.stdout.write(self.style.SUCCESS("Done."))
