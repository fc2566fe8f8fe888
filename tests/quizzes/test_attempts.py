"""Starting, saving, submitting and resuming attempts through quizzes.services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses.models import LessonProgress
from quizzes.models import Attempt, Question
from quizzes.services import (
    QuizError,
    save_answers,
    start_attempt,
    submit_attempt,
)
from tests.factories import answers_for, make_question, make_quiz

pytestmark = pytest.mark.django_db


def start(learner, enrolment, lesson, **kw):
    from courses.selectors import lesson_quiz

    return start_attempt(
        learner=learner,
        quiz=lesson_quiz(lesson),
        enrolment=enrolment,
        lesson=lesson,
        **kw,
    )


def save_all(attempt, learner, data):
    for page in range(1, len(attempt.questions) + 1):
        attempt = save_answers(attempt=attempt, learner=learner, data=data, page=page)
    return attempt


def test_start_fixes_questions_order_and_tokens(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    assert attempt.number == 1
    assert [s["type"] for s in attempt.questions] == [
        "single",
        "multiple",
        "truefalse",
        "short",
        "matching",
        "ordering",
    ]
    assert [s["key"] for s in attempt.questions] == [f"q{i}" for i in range(1, 7)]
    tokens = [o["token"] for s in attempt.questions for o in s["options"]]
    option_ids = {
        str(pk) for pk in Question.objects.values_list("options__pk", flat=True)
    }
    assert not option_ids & set(tokens)
    ordering = attempt.questions[5]
    assert [o["token"] for o in ordering["options"]] != ordering["correct_order"]


def test_starting_again_resumes_the_attempt_in_progress(trainee, enrolment, lesson):
    first = start(trainee, enrolment, lesson)
    again = start(trainee, enrolment, lesson)
    assert again.pk == first.pk
    assert Attempt.objects.count() == 1


def test_right_answers_pass_and_record_the_result_on_the_lesson(
    trainee, enrolment, lesson
):
    attempt = start(trainee, enrolment, lesson)
    attempt = save_all(attempt, trainee, answers_for(attempt))
    attempt = submit_attempt(attempt=attempt, learner=trainee)
    assert attempt.state == Attempt.State.GRADED
    assert attempt.score == Decimal("100.00")
    assert attempt.passed is True
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert progress.quiz_passed_at is not None
    assert progress.quiz_score == Decimal("100.00")


def test_wrong_answers_fail_and_do_not_unlock_the_lesson(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    attempt = save_all(attempt, trainee, answers_for(attempt, right=False))
    attempt = submit_attempt(attempt=attempt, learner=trainee)
    assert attempt.passed is False
    assert attempt.score < 50
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
    assert progress is None or progress.quiz_passed_at is None


def test_answers_survive_between_pages_and_requests(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    data = answers_for(attempt)
    save_answers(attempt=attempt, learner=trainee, data={"q1": data["q1"]}, page=1)
    reloaded = Attempt.objects.get(pk=attempt.pk)
    assert reloaded.answers == {"q1": data["q1"]}
    # Saving another page keeps the first page's answer.
    save_answers(attempt=reloaded, learner=trainee, data={"q2": data["q2"]}, page=2)
    reloaded = Attempt.objects.get(pk=attempt.pk)
    assert set(reloaded.answers) == {"q1", "q2"}
    assert reloaded.current_page == 2


def test_clearing_a_choice_removes_the_saved_answer(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    save_answers(attempt=attempt, learner=trainee, data=answers_for(attempt), page=1)
    save_answers(attempt=attempt, learner=trainee, data={}, page=1)
    assert "q1" not in Attempt.objects.get(pk=attempt.pk).answers


def test_submitting_grades_with_the_snapshot_not_later_edits(
    trainee, enrolment, lesson, single
):
    attempt = start(trainee, enrolment, lesson)
    attempt = save_all(attempt, trainee, answers_for(attempt))
    # A trainer flips the key after the attempt started.
    for option in single.options.all():
        option.is_correct = not option.is_correct
        option.save()
    attempt = submit_attempt(attempt=attempt, learner=trainee)
    assert attempt.results["q1"]["state"] == "correct"


def test_highest_grading_method_reports_best_score(trainee, enrolment, lesson):
    first = start(trainee, enrolment, lesson)
    first = save_all(first, trainee, answers_for(first))
    submit_attempt(attempt=first, learner=trainee)
    second = start(trainee, enrolment, lesson)
    assert second.number == 2
    submit_attempt(attempt=second, learner=trainee)
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=lesson)
    assert progress.quiz_score == Decimal("100.00")


def test_random_slots_draw_without_repeats_from_the_category(
    trainee, enrolment, course, category
):
    from tests.factories import set_lesson_quiz

    questions = [
        make_question(category, "truefalse", name=f"Đúng sai {i}") for i in range(6)
    ]
    quiz = make_quiz([questions[0]], random_from=category, draw=4)
    lesson = set_lesson_quiz(course.lessons().first(), quiz)
    attempt = start_attempt(
        learner=trainee, quiz=quiz, enrolment=enrolment, lesson=lesson
    )
    ids = [s["question_id"] for s in attempt.questions]
    assert len(ids) == 5 and len(set(ids)) == 5
    assert ids[0] == questions[0].pk


def test_a_quiz_without_questions_cannot_start(trainee, enrolment, course):
    from quizzes.models import Quiz

    quiz = Quiz.objects.create(title="Trống")
    with pytest.raises(QuizError):
        start_attempt(learner=trainee, quiz=quiz, enrolment=enrolment)


def test_someone_elses_enrolment_cannot_start(
    trainee, other_agency_trainee, enrolment, lesson
):
    from courses.selectors import lesson_quiz

    with pytest.raises(QuizError):
        start_attempt(
            learner=other_agency_trainee,
            quiz=lesson_quiz(lesson),
            enrolment=enrolment,
            lesson=lesson,
        )


def test_time_limit_sets_a_deadline(trainee, enrolment, lesson, auto_quiz):
    auto_quiz.time_limit_minutes = 20
    auto_quiz.save()
    now = timezone.now()
    attempt = start(trainee, enrolment, lesson, now=now)
    assert attempt.deadline == now + timedelta(minutes=20)
