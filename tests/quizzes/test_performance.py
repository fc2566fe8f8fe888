"""Query budgets: submitting and reviewing cost the same for 10 or 30 questions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from courses.services import enrol_learner
from quizzes.services import save_answers, start_attempt, submit_attempt
from tests.factories import (
    PASSWORD,
    UserFactory,
    answers_for,
    make_question,
    make_quiz,
    set_lesson_quiz,
)

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 30


def build(category, course, count):
    kinds = ["single", "multiple", "short", "matching", "ordering", "truefalse"]
    questions = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == "single":
            options = [
                (f"Đúng {i}", True),
                (f"Sai {i}", False),
                (f"Sai nữa {i}", False),
            ]
        elif kind == "multiple":
            options = [(f"A{i}", True), (f"B{i}", True), (f"C{i}", False)]
        elif kind == "short":
            options = [(f"đáp án {i}", True)]
        elif kind == "matching":
            options = [
                {"text": f"Mục {i}.{j}", "match_text": f"Ghép {i}.{j}"}
                for j in range(3)
            ]
        elif kind == "ordering":
            options = [{"text": f"Bước {i}.{j}"} for j in range(3)]
        else:
            options = []
        questions.append(make_question(category, kind, options=options))
    return set_lesson_quiz(course.lessons().first(), make_quiz(questions, pass_mark=50))


def run(client, learner, enrolment, lesson):
    """Queries for: saving one page, submitting, and rendering the result."""
    from courses.selectors import lesson_quiz

    attempt = start_attempt(
        learner=learner, quiz=lesson_quiz(lesson), enrolment=enrolment, lesson=lesson
    )
    data = answers_for(attempt)
    save_answers(attempt=attempt, learner=learner, data=data, page=1)
    client.login(email=learner.email, password=PASSWORD)
    client.get(reverse("quizzes:attempt_page", args=[attempt.pk, 1]))  # warm caches
    Site.get_site_root_paths()
    counts = {}
    with CaptureQueriesContext(connection) as ctx:
        client.post(
            reverse("quizzes:attempt_page", args=[attempt.pk, 2]),
            {k: v for k, v in data.items() if k == "q2" or k.startswith("q2-")},
        )
    counts["save"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    assert response.status_code == 302
    counts["submit"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("quizzes:attempt_result", args=[attempt.pk]))
    assert response.status_code == 200
    counts["result"] = len(ctx)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("quizzes:attempt_page", args=[attempt.pk, 1]))
    counts["page"] = len(ctx)
    return counts


def test_query_counts_do_not_grow_with_questions(client, category, course, trainee):
    lesson = build(category, course, 10)
    enrolment = enrol_learner(learner=trainee, course=course)
    ten = run(client, trainee, enrolment, lesson)

    lesson = build(category, course, 30)
    other = UserFactory(email="ba-muoi@example.org")
    thirty = run(client, other, enrol_learner(learner=other, course=course), lesson)
    assert thirty == ten


def test_submit_and_result_for_30_questions_stay_within_budget(
    client, category, course, trainee, django_assert_max_num_queries
):
    from courses.selectors import lesson_quiz

    lesson = build(category, course, 30)
    enrolment = enrol_learner(learner=trainee, course=course)
    attempt = start_attempt(
        learner=trainee, quiz=lesson_quiz(lesson), enrolment=enrolment, lesson=lesson
    )
    save_answers(attempt=attempt, learner=trainee, data=answers_for(attempt), page=1)
    with django_assert_max_num_queries(QUERY_BUDGET):
        submit_attempt(attempt=attempt, learner=trainee)
    client.login(email=trainee.email, password=PASSWORD)
    with django_assert_max_num_queries(QUERY_BUDGET):
        client.get(reverse("quizzes:attempt_result", args=[attempt.pk]))


def test_lesson_quiz_slot_costs_the_same_with_many_attempts(
    client, trainee, enrolment, lesson
):
    from courses.selectors import lesson_quiz

    client.login(email=trainee.email, password=PASSWORD)
    quiz = lesson_quiz(lesson)

    def lesson_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(lesson.url)
        assert response.status_code == 200
        return len(ctx)

    submit_attempt(
        attempt=start_attempt(
            learner=trainee, quiz=quiz, enrolment=enrolment, lesson=lesson
        ),
        learner=trainee,
    )
    lesson_queries()  # warm caches (site, content types)
    one = lesson_queries()
    for _ in range(4):
        submit_attempt(
            attempt=start_attempt(
                learner=trainee, quiz=quiz, enrolment=enrolment, lesson=lesson
            ),
            learner=trainee,
        )
    assert lesson_queries() == one
