"""The no-JavaScript journey through the HTTP client: intro, pages, confirm, result."""

import re

import pytest
from django.urls import reverse

from quizzes.models import Attempt, Quiz
from tests.factories import PASSWORD, answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, trainee, enrolment):
    client.login(email=trainee.email, password=PASSWORD)
    return client


def start_via_http(client, lesson):
    response = client.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    assert response.status_code == 302
    return Attempt.objects.latest("pk"), response


def page_data(attempt, data, key):
    return {
        name: value
        for name, value in data.items()
        if name == key or name.startswith(key + "-")
    }


def test_full_journey_without_javascript(signed_in, lesson):
    client = signed_in
    intro = client.get(reverse("quizzes:lesson_quiz", args=[lesson.pk]))
    assert intro.status_code == 200
    assert (
        "Start the quiz" in intro.content.decode()
        or "Bắt đầu" in intro.content.decode()
    )

    attempt, response = start_via_http(client, lesson)
    assert response["Location"] == reverse("quizzes:attempt_page", args=[attempt.pk, 1])
    data = answers_for(attempt)
    for number, snap in enumerate(attempt.questions, start=1):
        url = reverse("quizzes:attempt_page", args=[attempt.pk, number])
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        if snap["type"] in ("short", "essay"):
            assert f'<label for="{snap["key"]}-input"' in html
        else:
            assert "<fieldset" in html and "<legend" in html
        post = {**page_data(attempt, data, snap["key"]), "nav": "next"}
        response = client.post(url, post)
        assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:attempt_submit", args=[attempt.pk])

    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    result = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    assert result["Location"] == reverse("quizzes:attempt_result", args=[attempt.pk])
    page = client.get(result["Location"])
    assert page.status_code == 200
    assert "100%" in page.content.decode()
    attempt.refresh_from_db()
    assert attempt.passed


def test_lesson_quiz_slot_offers_resume_after_closing_the_browser(
    signed_in, trainee, lesson
):
    client = signed_in
    attempt, _response = start_via_http(client, lesson)
    client.post(
        reverse("quizzes:attempt_page", args=[attempt.pk, 1]),
        {**page_data(attempt, answers_for(attempt), "q1"), "nav": "next"},
    )
    # A new browser: a fresh session for the same learner.
    client.logout()
    client.login(email=trainee.email, password=PASSWORD)
    lesson_page = client.get(lesson.url)
    html = lesson_page.content.decode()
    resume = reverse("quizzes:attempt", args=[attempt.pk])
    assert resume in html
    response = client.get(resume)
    assert response["Location"] == reverse("quizzes:attempt_page", args=[attempt.pk, 2])
    first_page = client.get(reverse("quizzes:attempt_page", args=[attempt.pk, 1]))
    token = (
        attempt.answers
        if attempt.answers
        else Attempt.objects.get(pk=attempt.pk).answers
    )
    assert re.search(rf'value="{token["q1"]}"\s+checked', first_page.content.decode())


def test_navigation_buttons_save_and_move(signed_in, lesson):
    client = signed_in
    attempt, _ = start_via_http(client, lesson)
    data = answers_for(attempt)
    url = reverse("quizzes:attempt_page", args=[attempt.pk, 3])
    response = client.post(url, {**page_data(attempt, data, "q3"), "nav": "prev"})
    assert response["Location"] == reverse("quizzes:attempt_page", args=[attempt.pk, 2])
    response = client.post(url, {**page_data(attempt, data, "q3"), "nav": "page-5"})
    assert response["Location"] == reverse("quizzes:attempt_page", args=[attempt.pk, 5])
    response = client.post(url, {**page_data(attempt, data, "q3"), "nav": "leave"})
    assert response["Location"] == reverse("quizzes:lesson_quiz", args=[lesson.pk])
    assert "q3" in Attempt.objects.get(pk=attempt.pk).answers


def test_essay_over_the_word_limit_is_refused_and_kept_in_the_form(
    signed_in, trainee, enrolment, course, essay
):
    from tests.factories import make_quiz, set_lesson_quiz

    lesson = set_lesson_quiz(course.lessons().first(), make_quiz([essay]))
    client = signed_in
    attempt, _ = start_via_http(client, lesson)
    too_long = " ".join(["từ"] * 60)
    url = reverse("quizzes:attempt_page", args=[attempt.pk, 1])
    response = client.post(url, {"q1": too_long, "nav": "finish"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert too_long in html
    assert Attempt.objects.get(pk=attempt.pk).answers == {}


def test_single_page_layout_shows_every_question(signed_in, lesson):
    Quiz.objects.update(layout=Quiz.Layout.SINGLE_PAGE)
    client = signed_in
    attempt, _ = start_via_http(client, lesson)
    html = client.get(
        reverse("quizzes:attempt_page", args=[attempt.pk, 1])
    ).content.decode()
    assert html.count("<fieldset") == 5  # the short answer is a labelled input
    data = {**answers_for(attempt), "nav": "finish"}
    response = client.post(reverse("quizzes:attempt_page", args=[attempt.pk, 1]), data)
    assert response["Location"] == reverse("quizzes:attempt_submit", args=[attempt.pk])
    assert len(Attempt.objects.get(pk=attempt.pk).answers) == 6


def test_anonymous_visitors_are_sent_to_sign_in(client, lesson):
    response = client.get(reverse("quizzes:lesson_quiz", args=[lesson.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_learner_not_enrolled_cannot_start(client, other_agency_trainee, lesson):
    client.login(email=other_agency_trainee.email, password=PASSWORD)
    response = client.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    assert response.status_code == 302
    assert not Attempt.objects.exists()


def test_another_learners_attempt_is_not_found(
    client, signed_in, lesson, other_agency_trainee
):
    attempt, _ = start_via_http(signed_in, lesson)
    signed_in.logout()
    client.login(email=other_agency_trainee.email, password=PASSWORD)
    for name, args in [
        ("quizzes:attempt_page", [attempt.pk, 1]),
        ("quizzes:attempt_submit", [attempt.pk]),
        ("quizzes:attempt_result", [attempt.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
    response = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    assert response.status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).is_in_progress


def test_final_quiz_through_the_course_records_the_pass(
    signed_in, enrolment, course, auto_quiz
):
    course.final_quiz = auto_quiz
    course.save_revision().publish()
    client = signed_in
    intro = client.get(reverse("quizzes:final_quiz", args=[course.pk]))
    assert intro.status_code == 200
    response = client.post(reverse("quizzes:start_final_quiz", args=[course.pk]))
    attempt = Attempt.objects.get()
    assert attempt.lesson is None and attempt.context == f"final:{course.pk}"
    assert response["Location"] == reverse("quizzes:attempt_page", args=[attempt.pk, 1])
    data = answers_for(attempt)
    for number, snap in enumerate(attempt.questions, start=1):
        client.post(
            reverse("quizzes:attempt_page", args=[attempt.pk, number]),
            page_data(attempt, data, snap["key"]),
        )
    client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    enrolment.refresh_from_db()
    assert enrolment.final_quiz_passed_at is not None
    assert enrolment.score == 100
    course_page = client.get(course.url).content.decode()
    assert reverse("quizzes:attempt_result", args=[attempt.pk]) in course_page
