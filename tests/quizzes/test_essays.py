"""Essays: sanitised on submit, graded in the admin queue, the learner notified."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from courses.models import LessonProgress
from quizzes.models import Attempt, EssayResponse
from quizzes.services import (
    QuizError,
    grade_essay,
    save_answers,
    start_attempt,
    submit_attempt,
)
from tests.factories import UserFactory, answers_for, make_quiz, set_lesson_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay_lesson(course, single, essay):
    return set_lesson_quiz(
        course.lessons().first(), make_quiz([single, essay], pass_mark=60)
    )


@pytest.fixture
def submitted(trainee, enrolment, essay_lesson):
    from courses.selectors import lesson_quiz

    attempt = start_attempt(
        learner=trainee,
        quiz=lesson_quiz(essay_lesson),
        enrolment=enrolment,
        lesson=essay_lesson,
    )
    data = answers_for(attempt)
    data["q2"] = 'Thông cáo <script>alert(1)</script> <b onclick="x()">ngắn</b>'
    for page in (1, 2):
        attempt = save_answers(attempt=attempt, learner=trainee, data=data, page=page)
    return submit_attempt(attempt=attempt, learner=trainee)


def test_an_attempt_with_an_essay_waits_for_grading(submitted, enrolment, essay_lesson):
    assert submitted.state == Attempt.State.AWAITING_GRADING
    assert submitted.score is None and submitted.passed is None
    assert submitted.marks == Decimal("1.00") and submitted.max_marks == Decimal("5.00")
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=essay_lesson)
    assert not progress.filter(quiz_passed_at__isnull=False).exists()


def test_essay_answer_is_stored_sanitised(submitted):
    essay = EssayResponse.objects.get(attempt=submitted)
    assert "<script" not in essay.answer and "<b onclick" not in essay.answer
    assert "&lt;script&gt;" in essay.answer  # typed text stays visible, inert


def test_grading_with_the_rubric_finishes_the_attempt_and_emails_the_learner(
    submitted,
    trainer,
    trainee,
    enrolment,
    essay_lesson,
    django_capture_on_commit_callbacks,
):
    essay = EssayResponse.objects.get(attempt=submitted)
    with django_capture_on_commit_callbacks(execute=True):
        grade_essay(
            response=essay,
            grader=trainer,
            points=[Decimal(2), Decimal(1)],
            comment="Cần nêu rõ thời điểm.",
        )
    essay.refresh_from_db()
    assert essay.marks == Decimal("3.00") and essay.graded_by == trainer
    attempt = Attempt.objects.get(pk=submitted.pk)
    assert attempt.state == Attempt.State.GRADED
    assert attempt.score == Decimal("80.00") and attempt.passed
    progress = LessonProgress.objects.get(enrolment=enrolment, lesson=essay_lesson)
    assert progress.quiz_passed_at is not None
    (message,) = mail.outbox
    assert message.to == [trainee.email]
    assert reverse("quizzes:attempt_result", args=[attempt.pk]) in message.body


def test_rubric_points_out_of_range_are_refused(submitted, trainer):
    essay = EssayResponse.objects.get(attempt=submitted)
    with pytest.raises(QuizError):
        grade_essay(response=essay, grader=trainer, points=[Decimal(3), Decimal(0)])
    with pytest.raises(QuizError):
        grade_essay(response=essay, grader=trainer, points=[Decimal(1)])
    assert not EssayResponse.objects.get(pk=essay.pk).is_graded


def test_result_page_shows_the_comment_and_safe_answer(
    client, submitted, trainer, trainee
):
    from tests.factories import PASSWORD

    essay = EssayResponse.objects.get(attempt=submitted)
    grade_essay(
        response=essay, grader=trainer, points=[Decimal(2), Decimal(2)], comment="Tốt."
    )
    client.login(email=trainee.email, password=PASSWORD)
    html = client.get(
        reverse("quizzes:attempt_result", args=[submitted.pk])
    ).content.decode()
    assert "Tốt." in html
    assert "<script>alert(1)</script>" not in html
    assert "<b onclick" not in html


# The grading queue in the admin ---------------------------------------------------


def test_trainer_sees_and_grades_essays_in_the_queue(client, trainer, submitted):
    client.force_login(trainer)
    queue = client.get(reverse("quizzes_essays:index") + "?status=ungraded")
    assert queue.status_code == 200
    essay = EssayResponse.objects.get(attempt=submitted)
    grade = reverse("quizzes_essays:grade", args=[essay.pk])
    assert grade in queue.content.decode()
    page = client.get(grade)
    html = page.content.decode()
    assert "Chính xác" in html and "&lt;script&gt;" in html
    response = client.post(
        grade, {"criterion_0": "2", "criterion_1": "1.5", "comment": "Khá."}
    )
    assert response.status_code == 302
    essay.refresh_from_db()
    assert essay.marks == Decimal("3.50")
    graded_queue = client.get(reverse("quizzes_essays:index") + "?status=ungraded")
    assert grade not in graded_queue.content.decode()


def test_queue_filters_by_course_quiz_and_agency(
    client, administrator, submitted, trainee
):
    client.force_login(administrator)
    essay = EssayResponse.objects.get(attempt=submitted)
    grade = reverse("quizzes_essays:grade", args=[essay.pk])
    url = reverse("quizzes_essays:index")
    course = submitted.enrolment.course
    assert grade in client.get(url, {"course": course.pk}).content.decode()
    assert grade in client.get(url, {"quiz": submitted.quiz_id}).content.decode()
    assert grade in client.get(url, {"agency": trainee.agency_id}).content.decode()
    other = UserFactory(email="x@example.org").agency
    assert grade not in client.get(url, {"agency": other.pk}).content.decode()


@pytest.mark.parametrize("who", ["agency_manager", "trainee"])
def test_agency_managers_and_trainees_cannot_open_the_queue(
    client, request, who, submitted
):
    client.force_login(request.getfixturevalue(who))
    essay = EssayResponse.objects.get(attempt=submitted)
    for url in (
        reverse("quizzes_essays:index"),
        reverse("quizzes_essays:grade", args=[essay.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403)
        if response.status_code == 302:  # trainees are sent to sign in to the admin
            assert client.get(response["Location"]).status_code == 403
        assert "Thông cáo" not in response.content.decode()
    response = client.post(
        reverse("quizzes_essays:grade", args=[essay.pk]),
        {"criterion_0": "2", "criterion_1": "2"},
    )
    assert response.status_code in (302, 403)
    assert not EssayResponse.objects.get(pk=essay.pk).is_graded


def test_trainer_cannot_grade_their_own_essay(client, trainer, submitted):
    essay = EssayResponse.objects.get(attempt=submitted)
    Attempt.objects.filter(pk=submitted.pk).update(learner=trainer)
    client.force_login(trainer)
    assert (
        client.get(reverse("quizzes_essays:grade", args=[essay.pk])).status_code == 404
    )
    assert (
        reverse("quizzes_essays:grade", args=[essay.pk])
        not in client.get(reverse("quizzes_essays:index")).content.decode()
    )
