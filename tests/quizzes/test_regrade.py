"""Regrading: a corrected key re-marks past attempts, logs it, updates courses."""

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from courses.models import LessonProgress
from quizzes import services
from quizzes.models import Attempt, RegradeLog
from quizzes.services import (
    regrade_question,
    save_answers,
    start_attempt,
    submit_attempt,
)
from tests.factories import make_quiz, set_lesson_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_lesson(course, single, short):
    return set_lesson_quiz(
        course.lessons().first(), make_quiz([single, short], pass_mark=100)
    )


def take(learner, enrolment, lesson, data):
    from courses.selectors import lesson_quiz

    attempt = start_attempt(
        learner=learner, quiz=lesson_quiz(lesson), enrolment=enrolment, lesson=lesson
    )
    for page in (1, 2):
        attempt = save_answers(
            attempt=attempt, learner=learner, data=data(attempt), page=page
        )
    return submit_attempt(attempt=attempt, learner=learner)


def chosen(text):
    def data(attempt):
        option = next(o for o in attempt.questions[0]["options"] if o["text"] == text)
        return {"q1": option["token"], "q2": "09"}

    return data


def test_correcting_a_key_and_regrading_changes_scores_and_logs_it(
    trainee, enrolment, quiz_lesson, single, short, trainer
):
    attempt = take(trainee, enrolment, quiz_lesson, chosen("Bất kỳ cán bộ nào"))
    assert attempt.score == Decimal("0.00")
    # The trainer accepts "09" as a short answer and fixes the single choice key.
    short.options.create(text="09", sort_order=1)
    for option in single.options.all():
        option.is_correct = option.text == "Bất kỳ cán bộ nào"
        option.save()
    single.save()
    short.save()

    preview = regrade_question(question=single, regraded_by=trainer, dry_run=True)
    assert len(preview) == 1 and not RegradeLog.objects.exists()
    assert Attempt.objects.get(pk=attempt.pk).score == Decimal("0.00")

    with mock.patch.object(
        services, "record_quiz_result", wraps=services.record_quiz_result
    ) as recorded:
        logs = regrade_question(question=single, regraded_by=trainer)
        logs += regrade_question(question=short, regraded_by=trainer)
    assert recorded.call_count == 2
    attempt.refresh_from_db()
    assert attempt.score == Decimal("100.00") and attempt.passed
    (first, second) = RegradeLog.objects.order_by("pk")
    assert (first.old_marks, first.new_marks) == (Decimal("0.00"), Decimal("1.00"))
    assert (first.old_score, first.new_score) == (Decimal("0.00"), Decimal("50.00"))
    assert (second.old_score, second.new_score) == (Decimal("50.00"), Decimal("100.00"))
    assert first.from_version < first.to_version and first.regraded_by == trainer
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=quiz_lesson)
    assert progress.quiz_passed_at is not None


def test_regrade_keeps_what_the_learner_saw(
    trainee, enrolment, quiz_lesson, single, trainer
):
    attempt = take(trainee, enrolment, quiz_lesson, chosen("Bất kỳ cán bộ nào"))
    shown = [(o["token"], o["text"]) for o in attempt.questions[0]["options"]]
    single.options.filter(text="Bất kỳ cán bộ nào").update(
        text="Đổi chữ", is_correct=True
    )
    single.options.filter(text="Người đứng đầu cơ quan").update(is_correct=False)
    regrade_question(question=single, regraded_by=trainer)
    attempt.refresh_from_db()
    assert [(o["token"], o["text"]) for o in attempt.questions[0]["options"]] == shown
    assert attempt.results["q1"]["state"] == "correct"


def test_regrade_without_changes_does_nothing(
    trainee, enrolment, quiz_lesson, single, trainer
):
    take(trainee, enrolment, quiz_lesson, chosen("Bất kỳ cán bộ nào"))
    assert regrade_question(question=single, regraded_by=trainer) == []
    assert not RegradeLog.objects.exists()


def test_in_progress_attempts_are_not_regraded(
    trainee, enrolment, quiz_lesson, single, trainer
):
    from courses.selectors import lesson_quiz

    start_attempt(
        learner=trainee,
        quiz=lesson_quiz(quiz_lesson),
        enrolment=enrolment,
        lesson=quiz_lesson,
    )
    single.options.update(is_correct=False)
    assert regrade_question(question=single, regraded_by=trainer) == []


def test_admin_regrade_action_previews_then_applies(
    client, trainer, trainee, enrolment, quiz_lesson, single
):
    attempt = take(trainee, enrolment, quiz_lesson, chosen("Bất kỳ cán bộ nào"))
    single.options.filter(text="Bất kỳ cán bộ nào").update(is_correct=True)
    single.options.filter(text="Người đứng đầu cơ quan").update(is_correct=False)
    client.force_login(trainer)
    url = reverse("quizzes_questions:regrade", args=[single.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert re.search(r"0[.,]00 → 1[.,]00", page.content.decode())
    assert not RegradeLog.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert RegradeLog.objects.get().attempt_id == attempt.pk
    listing = client.get(response["Location"])
    assert listing.status_code == 200


def test_agency_manager_cannot_regrade(client, agency_manager, single):
    client.force_login(agency_manager)
    url = reverse("quizzes_questions:regrade", args=[single.pk])
    assert client.post(url).status_code == 403
