"""Double clicks, replayed POSTs and two tabs never create two rows or count twice."""

from decimal import Decimal

import pytest
from django.utils import timezone

from courses import services
from courses.models import Enrolment, LessonProgress
from courses.services import (
    ACTIVITY_GRANULARITY,
    complete_lesson,
    enrol_learner,
    open_lesson,
    record_quiz_result,
)
from quizzes.models import Quiz

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_posting_mark_as_done_twice_counts_once(client, trainee, course, enrolment):
    lesson = course.lessons().first()
    client.force_login(trainee)
    client.post(f"/my-learning/lessons/{lesson.pk}/complete/")
    first = LessonProgress.objects.get()
    response = client.post(f"/my-learning/lessons/{lesson.pk}/complete/")
    assert response.status_code == 302
    second = LessonProgress.objects.get()
    assert second.completed_at == first.completed_at
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None  # one of two lessons, counted once


def test_two_tabs_opening_the_same_lesson_share_one_row(trainee, course, enrolment):
    lesson = course.lessons().first()
    open_lesson(enrolment=enrolment, lesson=lesson)
    open_lesson(enrolment=enrolment, lesson=lesson)
    complete_lesson(enrolment=enrolment, lesson=lesson)
    open_lesson(enrolment=enrolment, lesson=lesson)
    progress = LessonProgress.objects.get()
    assert progress.completed_at is not None


def test_a_lost_race_to_enrol_returns_the_winners_row(monkeypatch, trainee, course):
    """Another request inserts between our check and our insert."""
    original = services._default_due_at

    def rival_inserts_first(course_, now):
        Enrolment.objects.bulk_create([Enrolment(learner=trainee, course=course)])
        return original(course_, now)

    monkeypatch.setattr(services, "_default_due_at", rival_inserts_first)
    enrolment = enrol_learner(learner=trainee, course=course)
    assert Enrolment.objects.filter(learner=trainee, course=course).count() == 1
    assert enrolment.pk == Enrolment.objects.get().pk


def test_opening_a_row_another_tab_just_made_keeps_one_row(trainee, course, enrolment):
    """The page read no progress row; another tab inserted one since."""
    lesson = course.lessons().first()
    earlier = timezone.now() - ACTIVITY_GRANULARITY
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(
                enrolment=enrolment,
                lesson=lesson,
                first_opened_at=earlier,
                last_opened_at=earlier,
            )
        ]
    )
    open_lesson(enrolment=enrolment, lesson=lesson, last_opened_at=None)
    progress = LessonProgress.objects.get()
    assert progress.first_opened_at == earlier
    assert progress.last_opened_at > earlier


def test_replaying_a_quiz_result_changes_nothing(trainee, catalogue_page):
    from courses.models import CoursePage
    from tests.factories import make_course

    quiz = Quiz.objects.create(title="Cuối khóa")
    course = make_course(
        catalogue_page,
        final_quiz=quiz,
        completion_rule=CoursePage.CompletionRule.LESSONS_AND_FINAL_QUIZ,
    )
    enrolment = enrol_learner(learner=trainee, course=course)
    for lesson in course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    for _ in range(2):
        record_quiz_result(
            enrolment=enrolment, quiz=quiz, passed=True, score=Decimal("80")
        )
    enrolment.refresh_from_db()
    completed_at = enrolment.completed_at
    record_quiz_result(enrolment=enrolment, quiz=quiz, passed=True, score=Decimal("80"))
    enrolment.refresh_from_db()
    assert enrolment.completed_at == completed_at
    assert enrolment.score == Decimal("80")
