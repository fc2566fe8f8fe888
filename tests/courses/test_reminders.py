"""Reminders: preview and send from the report, scoping, throttling, failures and
retries, each recipient's language, the daily command and the weekly digest."""

import logging
import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, AGENCY_MANAGER, grant_model_permissions
from courses.models import ReminderLog
from courses.services import (
    assign_course_to_agency,
    complete_lesson,
    enrol_learner,
)
from tests.factories import UserFactory, make_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Kind = ReminderLog.Kind
Status = ReminderLog.Status


class FlakyBackend(EmailBackend):
    """The locmem backend, except that mail to FAILING addresses is refused."""

    FAILING: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            refused = set(message.to) & self.FAILING
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"Mailbox unavailable"))
                )
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.courses.test_reminders.FlakyBackend"
    FlakyBackend.FAILING = set()
    yield FlakyBackend
    FlakyBackend.FAILING = set()


@pytest.fixture
def world(
    catalogue_page, district, trainee, agency_manager, other_agency_trainee, settings
):
    """The course assigned to the district (learner and manager enrolled) and,
    separately, to the other district's learner; an English-speaking colleague.
    Due in three weeks: the daily command leaves them alone, and no digest today."""
    settings.REMINDER_DIGEST_WEEKDAY = (timezone.localdate().weekday() + 1) % 7
    for role in (ADMINISTRATOR, AGENCY_MANAGER):
        grant_model_permissions(role, "courses", ["view_enrolment"])
    course = make_course(catalogue_page, title="Kỹ năng phát ngôn", lessons=1)
    colleague = UserFactory(
        email="colleague@example.org",
        full_name="An Colleague",
        agency=trainee.agency,
        preferred_language="en",
    )
    due = timezone.now() + timedelta(days=21)
    assign_course_to_agency(course=course, agency=district, due_at=due)
    outsider = enrol_learner(learner=other_agency_trainee, course=course, due_at=due)
    enrolments = {e.learner_id: e for e in course.enrolments.all()}
    return {
        "course": course,
        "learner": enrolments[trainee.pk],
        "colleague": enrolments[colleague.pk],
        "manager": enrolments[agency_manager.pk],
        "outsider": outsider,
    }


class _Quiet:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def run(*args):
    """The command, with the tasks it queues on commit run as a worker would."""
    out = _Quiet()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", *args, stdout=out)
    return out.text


def reminder_url(**params):
    from urllib.parse import urlencode

    return reverse("reports_reminders") + "?" + urlencode(params, doseq=True)


def send(client, url, capture):
    with capture(execute=True):
        return client.post(url)


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


# Preview and send --------------------------------------------------------------


def test_the_preview_shows_the_first_recipients_email_and_the_count(
    client, agency_manager, world
):
    client.force_login(agency_manager)
    ids = [world["learner"].pk, world["colleague"].pk]
    response = client.get(reminder_url(enrolment=ids))
    assert response.status_code == 200
    page = response.content.decode()
    assert "A reminder will go to 2 learners" in page
    # Names sort "An Colleague" first; his email is in English, as he reads it.
    assert "The email to An Colleague" in page
    assert "Reminder: please complete “Kỹ năng phát ngôn”" in page
    assert "Trần Thị Học" in page  # listed among the recipients
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_sending_emails_each_recipient_in_their_language(
    client, agency_manager, world, django_capture_on_commit_callbacks
):
    client.force_login(agency_manager)
    ids = [world["learner"].pk, world["colleague"].pk]
    back = "/admin/reports/completion/"
    response = send(
        client,
        reminder_url(enrolment=ids, next=back),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response["Location"] == back

    assert sent_to() == ["colleague@example.org", "learner@example.org"]
    by_address = {m.to[0]: m for m in mail.outbox}
    english = by_address["colleague@example.org"]
    vietnamese = by_address["learner@example.org"]
    assert english.subject == "Reminder: please complete “Kỹ năng phát ngôn”"
    assert "Dear An Colleague," in english.body
    assert "Võ Đức Quản" in english.body  # who asked for it
    assert vietnamese.subject == "Nhắc nhở: vui lòng hoàn thành “Kỹ năng phát ngôn”"
    assert "Kính gửi Trần Thị Học," in vietnamese.body
    assert "http://testserver/" in vietnamese.body

    logs = ReminderLog.objects.all()
    assert {log.status for log in logs} == {Status.SENT}
    assert {log.kind for log in logs} == {Kind.MANUAL}
    assert {log.requested_by for log in logs} == {agency_manager}
    assert all(log.sent_at and log.attempts == 1 for log in logs)


def test_an_enrolment_outside_the_senders_scope_is_a_404_and_nothing_is_sent(
    client, agency_manager, world, django_capture_on_commit_callbacks
):
    client.force_login(agency_manager)
    url = reminder_url(enrolment=[world["learner"].pk, world["outsider"].pk])
    assert client.get(url).status_code == 404
    assert send(client, url, django_capture_on_commit_callbacks).status_code == 404
    assert client.get(reminder_url(enrolment=["x"])).status_code == 404
    assert client.get(reminder_url(enrolment=[999999])).status_code == 404
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_learners_without_the_report_permission_cannot_send(client, trainee, world):
    client.force_login(trainee)
    response = client.get(reminder_url(enrolment=[world["learner"].pk]))
    assert response.status_code in (302, 403)
    assert not ReminderLog.objects.exists()


def test_everyone_not_completed_under_a_report_row(
    client,
    administrator,
    agency_manager,
    district,
    other_agency,
    world,
    django_capture_on_commit_callbacks,
):
    complete_lesson(
        enrolment=world["manager"], lesson=world["course"].lessons().first()
    )
    client.force_login(agency_manager)
    url = reminder_url(agency=district.pk, course=world["course"].pk)
    page = client.get(url).content.decode()
    assert "A reminder will go to 2 learners" in page  # the manager has completed
    send(client, url, django_capture_on_commit_callbacks)
    assert sent_to() == ["colleague@example.org", "learner@example.org"]

    # Another district's row is not the manager's to remind.
    assert client.get(reminder_url(agency=other_agency.pk)).status_code == 404
    client.force_login(administrator)
    assert client.get(reminder_url(agency=other_agency.pk)).status_code == 200


def test_nobody_is_reminded_twice_within_the_interval(
    client, agency_manager, world, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_MIN_INTERVAL_DAYS = 3
    client.force_login(agency_manager)
    url = reminder_url(enrolment=[world["learner"].pk])
    send(client, url, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    page = client.get(url).content.decode()
    assert "1 learner was reminded recently" in page
    send(client, url, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    ReminderLog.objects.update(created_at=timezone.now() - timedelta(days=3, hours=1))
    send(client, url, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


# Failures ----------------------------------------------------------------------


def test_a_failed_send_is_logged_marked_and_retried_and_the_batch_goes_on(
    client, agency_manager, world, flaky, caplog, django_capture_on_commit_callbacks
):
    flaky.FAILING = {"learner@example.org"}
    client.force_login(agency_manager)
    url = reminder_url(enrolment=[world["learner"].pk, world["colleague"].pk])
    with caplog.at_level(logging.ERROR, logger="courses.reminders.tasks"):
        send(client, url, django_capture_on_commit_callbacks)

    assert sent_to() == ["colleague@example.org"]  # the other one still went
    failed = ReminderLog.objects.get(recipient__email="learner@example.org")
    assert failed.status == Status.FAILED
    assert failed.attempts == 1
    assert "SMTPRecipientsRefused" in failed.last_error
    assert "Mailbox unavailable" in failed.last_error
    assert any(
        r.exc_info and "learner@example.org" in r.getMessage() for r in caplog.records
    )

    # The next scheduled run tries again; this time the server takes it.
    flaky.FAILING = set()
    run()
    failed.refresh_from_db()
    assert failed.status == Status.SENT
    assert failed.attempts == 2
    assert failed.last_error == ""
    assert sent_to() == ["colleague@example.org", "learner@example.org"]


def test_a_reminder_is_tried_at_most_max_attempts_times(
    client, agency_manager, world, flaky, settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    flaky.FAILING = {"learner@example.org"}
    client.force_login(agency_manager)
    send(
        client,
        reminder_url(enrolment=[world["learner"].pk]),
        django_capture_on_commit_callbacks,
    )
    outputs = [run() for _ in range(4)]
    log = ReminderLog.objects.get(kind=Kind.MANUAL)
    assert log.status == Status.FAILED
    assert log.attempts == 3
    assert mail.outbox == []
    assert [o.splitlines()[0] for o in outputs] == [
        "Queued 1 failed reminder(s) again.",
        "Queued 1 failed reminder(s) again.",
        "Queued 0 failed reminder(s) again.",
        "Queued 0 failed reminder(s) again.",
    ]


def test_a_reminder_for_a_course_completed_meanwhile_is_not_sent(
    client, agency_manager, world, flaky, django_capture_on_commit_callbacks
):
    flaky.FAILING = {"learner@example.org"}
    client.force_login(agency_manager)
    send(
        client,
        reminder_url(enrolment=[world["learner"].pk]),
        django_capture_on_commit_callbacks,
    )
    complete_lesson(enrolment=world["learner"], lesson=world["course"].lessons()[0])
    flaky.FAILING = set()
    run()
    assert mail.outbox == []
    assert ReminderLog.objects.get(kind=Kind.MANUAL).status == Status.CANCELLED


# The daily command ---------------------------------------------------------------


@pytest.fixture
def due_dates(world, settings):
    """learner due in 2 days, colleague 2 days overdue, manager due in 10 days,
    the outsider done."""
    settings.REMINDER_DUE_SOON_DAYS = 3
    now = timezone.now()
    for key, days in (("learner", 2), ("colleague", -2), ("manager", 10)):
        world[key].due_at = now + timedelta(days=days)
        world[key].save(update_fields=["due_at"])
    complete_lesson(
        enrolment=world["outsider"], lesson=world["course"].lessons().first()
    )
    return world


def test_the_command_sends_due_soon_and_overdue_reminders_once(due_dates):
    output = run()
    assert "Queued 1 due_soon reminder(s)" in output
    assert "Queued 1 overdue reminder(s)" in output
    assert "No digest today." in output
    assert sent_to() == ["colleague@example.org", "learner@example.org"]
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["colleague@example.org"] == "Overdue: “Kỹ năng phát ngôn”"
    assert subjects["learner@example.org"].startswith("Sắp đến hạn")
    assert {(log.recipient.email, log.kind) for log in ReminderLog.objects.all()} == {
        ("colleague@example.org", Kind.OVERDUE),
        ("learner@example.org", Kind.DUE_SOON),
    }

    # Run again the same day: nothing new.
    output = run()
    assert "Queued 0 due_soon reminder(s); 1 reminded" in output
    assert len(mail.outbox) == 2


def test_dry_run_sends_and_records_nothing(due_dates):
    output = run("--dry-run", "--digest")
    assert "Would send 1 due_soon reminder(s)" in output
    assert "Would send 1 overdue reminder(s)" in output
    assert "Would send 1 digest(s)" in output
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_the_weekly_digest_lists_a_managers_laggards_in_their_language(
    due_dates, agency_manager, administrator, settings
):
    agency_manager.preferred_language = "en"
    agency_manager.save()
    settings.REMINDER_DIGEST_WEEKDAY = timezone.localdate().weekday()
    run()
    digests = [m for m in mail.outbox if m.to == [agency_manager.email]]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.subject == "Huyện Bình Sơn: 2 enrolments need attention"
    assert "Trần Thị Học · Kỹ năng phát ngôn" in digest.body
    assert "An Colleague · Kỹ năng phát ngôn" in digest.body
    assert "1 of them is overdue" in digest.body
    assert "Lê Văn Khác" not in digest.body  # another district
    assert "http://testserver/admin/reports/completion/" in digest.body
    assert administrator.email not in sent_to()  # administrators get no digest

    # Daily runs later in the week send no second digest.
    run("--digest")
    assert len([m for m in mail.outbox if m.to == [agency_manager.email]]) == 1


def test_no_digest_on_other_days_unless_asked(due_dates, agency_manager):
    run()
    assert agency_manager.email not in sent_to()
    output = run("--digest")
    assert "Queued 1 digest(s)" in output
    assert agency_manager.email in sent_to()


# From the report ---------------------------------------------------------------


def test_the_drill_down_has_a_box_per_unfinished_learner_and_the_report_a_link(
    client, agency_manager, district, world
):
    complete_lesson(
        enrolment=world["manager"], lesson=world["course"].lessons().first()
    )
    client.force_login(agency_manager)
    page = client.get(reverse("reports:learners", args=[district.pk])).content.decode()
    boxes = set(
        re.findall(r'name="enrolment" value="(\d+)" form="reminder-form"', page)
    )
    assert boxes == {str(world["learner"].pk), str(world["colleague"].pk)}
    assert 'id="reminder-form"' in page
    assert f"agency={district.pk}" in page  # remind everyone here

    report = client.get("/admin/reports/completion/").content.decode()
    assert reminder_url(agency=district.pk).split("?")[0] in report
    assert re.search(rf"{reverse('reports_reminders')}\?agency={district.pk}", report)


def test_sending_with_nothing_ticked_goes_back_with_a_warning(
    client, agency_manager, world
):
    client.force_login(agency_manager)
    back = "/admin/reports/completion/"
    response = client.get(reminder_url(next=back))
    assert response.status_code == 302
    assert response["Location"] == back
    assert mail.outbox == []
