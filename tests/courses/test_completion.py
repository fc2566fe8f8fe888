"""A course completes by its rule over published required lessons, and stays so."""

from decimal import Decimal

import pytest

from courses.models import CoursePage, Enrolment
from courses.selectors import course_state
from courses.services import (
    CourseRuleError,
    complete_lesson,
    enrol_learner,
    evaluate_completion,
    record_quiz_result,
)
from quizzes.models import Quiz
from tests.factories import make_course, make_lesson

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _refresh(enrolment):
    enrolment.refresh_from_db()
    return enrolment


@pytest.fixture
def mixed_course(catalogue_page):
    """Two required lessons and an optional one in the middle."""
    course = make_course(catalogue_page, lessons=0)
    make_lesson(course, title="Bắt buộc 1")
    make_lesson(course, title="Tự chọn", is_required=False)
    make_lesson(course, title="Bắt buộc 2")
    return course


def test_required_lessons_complete_the_course_and_optional_ones_do_not_count(
    trainee, mixed_course
):
    first, optional, second = mixed_course.lessons()
    enrolment = enrol_learner(learner=trainee, course=mixed_course)

    complete_lesson(enrolment=enrolment, lesson=optional)
    assert _refresh(enrolment).completed_at is None
    assert course_state(user=trainee, course=mixed_course).percent == 0

    complete_lesson(enrolment=enrolment, lesson=first)
    assert course_state(user=trainee, course=mixed_course).percent == 50
    assert _refresh(enrolment).status == Enrolment.Status.IN_PROGRESS

    complete_lesson(enrolment=enrolment, lesson=second)
    enrolment = _refresh(enrolment)
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert enrolment.completed_at is not None
    assert course_state(user=trainee, course=mixed_course).percent == 100


def test_unpublished_lessons_do_not_count(trainee, catalogue_page):
    course = make_course(catalogue_page, lessons=3)
    first, second, draft = course.lessons()
    draft.unpublish()
    enrolment = enrol_learner(learner=trainee, course=course)
    complete_lesson(enrolment=enrolment, lesson=first)
    assert course_state(user=trainee, course=course).required_total == 2
    complete_lesson(enrolment=enrolment, lesson=second)
    assert _refresh(enrolment).completed_at is not None


def test_completion_survives_unpublishing_and_new_lessons(trainee, course):
    enrolment = enrol_learner(learner=trainee, course=course)
    for lesson in course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    completed_at = _refresh(enrolment).completed_at
    assert completed_at is not None

    course.lessons().first().unpublish()
    make_lesson(course, title="Bài bổ sung")
    evaluate_completion(enrolment=enrolment)

    enrolment = _refresh(enrolment)
    assert enrolment.completed_at == completed_at
    assert enrolment.status == Enrolment.Status.COMPLETED
    assert course_state(user=trainee, course=course).percent == 100


def test_a_new_lesson_lowers_progress_of_an_unfinished_enrolment(
    trainee, catalogue_page
):
    course = make_course(catalogue_page, lessons=2)
    enrolment = enrol_learner(learner=trainee, course=course)
    complete_lesson(enrolment=enrolment, lesson=course.lessons().first())
    assert course_state(user=trainee, course=course).percent == 50
    make_lesson(course)
    make_lesson(course)
    assert course_state(user=trainee, course=course).percent == 25


@pytest.fixture
def final_quiz(db):
    return Quiz.objects.create(title="Kiểm tra cuối khóa", pass_mark=70)


@pytest.fixture
def quiz_course(catalogue_page, final_quiz):
    return make_course(
        catalogue_page,
        final_quiz=final_quiz,
        completion_rule=CoursePage.CompletionRule.LESSONS_AND_FINAL_QUIZ,
    )


def test_the_final_quiz_completes_the_course_when_the_rule_asks(
    trainee, quiz_course, final_quiz
):
    enrolment = enrol_learner(learner=trainee, course=quiz_course)
    for lesson in quiz_course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    assert _refresh(enrolment).completed_at is None
    assert course_state(user=trainee, course=quiz_course).final_quiz_pending

    record_quiz_result(
        enrolment=enrolment, quiz=final_quiz, passed=False, score=Decimal("40")
    )
    enrolment = _refresh(enrolment)
    assert enrolment.completed_at is None
    assert enrolment.score == Decimal("40")

    record_quiz_result(
        enrolment=enrolment, quiz=final_quiz, passed=True, score=Decimal("85")
    )
    enrolment = _refresh(enrolment)
    assert enrolment.completed_at is not None
    assert enrolment.final_quiz_passed_at is not None

    passed_at = enrolment.final_quiz_passed_at
    record_quiz_result(
        enrolment=enrolment, quiz=final_quiz, passed=True, score=Decimal("75")
    )
    enrolment = _refresh(enrolment)
    assert enrolment.score == Decimal("85")  # the best score is kept
    assert enrolment.final_quiz_passed_at == passed_at


def test_passing_the_final_quiz_first_completes_on_the_last_lesson(
    trainee, quiz_course, final_quiz
):
    enrolment = enrol_learner(learner=trainee, course=quiz_course)
    record_quiz_result(enrolment=enrolment, quiz=final_quiz, passed=True, score=None)
    first, second = quiz_course.lessons()
    complete_lesson(enrolment=enrolment, lesson=first)
    assert _refresh(enrolment).completed_at is None
    complete_lesson(enrolment=enrolment, lesson=second)
    assert _refresh(enrolment).completed_at is not None


def test_a_final_quiz_outside_the_rule_is_not_needed(
    trainee, catalogue_page, final_quiz
):
    course = make_course(catalogue_page, final_quiz=final_quiz)
    enrolment = enrol_learner(learner=trainee, course=course)
    for lesson in course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    assert _refresh(enrolment).completed_at is not None


def test_a_rule_needing_a_final_quiz_needs_one_chosen(catalogue_page):
    course = make_course(catalogue_page, lessons=0)
    course.completion_rule = CoursePage.CompletionRule.LESSONS_AND_FINAL_QUIZ
    with pytest.raises(Exception, match="final quiz"):
        course.full_clean()


def test_another_quiz_is_not_taken_for_the_final_quiz(trainee, quiz_course):
    enrolment = enrol_learner(learner=trainee, course=quiz_course)
    other = Quiz.objects.create(title="Khác")
    with pytest.raises(CourseRuleError):
        record_quiz_result(enrolment=enrolment, quiz=other, passed=True, score=None)


@pytest.fixture
def quiz_lesson(course, final_quiz):
    return make_lesson(
        course,
        title="Bài có kiểm tra",
        body=[
            {"type": "text", "value": "<p>Đọc kỹ.</p>"},
            {"type": "quiz", "value": {"quiz": final_quiz.pk, "introduction": ""}},
        ],
    )


def test_a_lesson_quiz_must_be_passed_before_mark_as_done(
    trainee, course, quiz_lesson, final_quiz
):
    from courses.selectors import lesson_quiz

    assert lesson_quiz(quiz_lesson) == final_quiz
    enrolment = enrol_learner(learner=trainee, course=course)
    with pytest.raises(CourseRuleError, match="quiz"):
        complete_lesson(enrolment=enrolment, lesson=quiz_lesson)

    record_quiz_result(
        enrolment=enrolment,
        quiz=final_quiz,
        passed=False,
        score=Decimal("30"),
        lesson=quiz_lesson,
    )
    with pytest.raises(CourseRuleError):
        complete_lesson(enrolment=enrolment, lesson=quiz_lesson)

    record_quiz_result(
        enrolment=enrolment,
        quiz=final_quiz,
        passed=True,
        score=Decimal("90"),
        lesson=quiz_lesson,
    )
    progress = enrolment.lesson_progress.get(lesson=quiz_lesson)
    assert progress.quiz_passed_at is not None
    assert progress.quiz_score == Decimal("90")
    assert progress.completed_at is None  # passing does not mark the lesson done

    complete_lesson(enrolment=enrolment, lesson=quiz_lesson)
    progress.refresh_from_db()
    assert progress.completed_at is not None


def test_a_lesson_quiz_result_needs_the_lessons_own_quiz_and_course(
    trainee, course, quiz_lesson, catalogue_page
):
    enrolment = enrol_learner(learner=trainee, course=course)
    with pytest.raises(CourseRuleError):
        record_quiz_result(
            enrolment=enrolment,
            quiz=Quiz.objects.create(title="Khác"),
            passed=True,
            score=None,
            lesson=quiz_lesson,
        )
    other_lesson = make_course(catalogue_page).lessons().first()
    with pytest.raises(CourseRuleError, match="not part of the course"):
        record_quiz_result(
            enrolment=enrolment,
            quiz=Quiz.objects.first(),
            passed=True,
            score=None,
            lesson=other_lesson,
        )
