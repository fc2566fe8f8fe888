"""The server is the authority: forged answers, late answers, closed quizzes,
attempt limits, double submits, concurrent starts, and attempt pages that never
reveal the key."""

import re
import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from courses.selectors import lesson_quiz
from quizzes import services
from quizzes.models import Attempt, Quiz, QuizOverride
from quizzes.services import (
    QuizError,
    close_expired_attempts,
    save_answers,
    start_attempt,
    submit_attempt,
)
from tests.factories import PASSWORD, answers_for

pytestmark = pytest.mark.django_db


def start(learner, enrolment, lesson, **kw):
    quiz = Quiz.objects.get(pk=lesson_quiz(lesson).pk)
    return start_attempt(
        learner=learner, quiz=quiz, enrolment=enrolment, lesson=lesson, **kw
    )


TIME_RAN_OUT = (
    "Time ran out. Your attempt was submitted with the answers saved before the "
    "deadline."
)


def message(text: str) -> str:
    """A pattern for the start of a translated message, in the active language."""
    return re.escape(gettext(text))


@pytest.fixture
def signed_in(client, trainee, enrolment):
    client.login(email=trainee.email, password=PASSWORD)
    return client


# Forged answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "data"),
    [
        (1, {"q1": "not-a-token"}),
        (2, {"q2": ["forged"]}),
        (3, {"q3": "maybe"}),
        (5, {"q5-forged": "x"}),
        (6, {"q6-forged": "1"}),
        (1, {"q1": "", "q99": "anything"}),
    ],
)
def test_forged_answers_are_refused_and_change_nothing(
    trainee, enrolment, lesson, page, data
):
    attempt = start(trainee, enrolment, lesson)
    good = answers_for(attempt)
    save_answers(attempt=attempt, learner=trainee, data={"q1": good["q1"]}, page=1)
    before = Attempt.objects.get(pk=attempt.pk).answers
    with pytest.raises(QuizError):
        save_answers(attempt=attempt, learner=trainee, data=data, page=page)
    assert Attempt.objects.get(pk=attempt.pk).answers == before


def test_forged_matching_choice_is_refused(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    item = attempt.questions[4]["options"][0]["token"]
    with pytest.raises(QuizError):
        save_answers(
            attempt=attempt, learner=trainee, data={f"q5-{item}": "forged"}, page=5
        )


def test_option_token_from_another_question_is_refused(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    other = attempt.questions[1]["options"][0]["token"]
    with pytest.raises(QuizError):
        save_answers(attempt=attempt, learner=trainee, data={"q1": other}, page=1)


def test_forged_post_over_http_shows_a_message_and_saves_nothing(signed_in, lesson):
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    response = signed_in.post(
        reverse("quizzes:attempt_page", args=[attempt.pk, 1]),
        {"q1": "forged", "nav": "next"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(gettext("That answer is not one of the options shown.")) in html
    assert Attempt.objects.get(pk=attempt.pk).answers == {}


def test_page_outside_the_attempt_is_refused(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    with pytest.raises(QuizError):
        save_answers(attempt=attempt, learner=trainee, data={}, page=42)


def test_another_learner_cannot_save_or_submit(
    trainee, other_agency_trainee, enrolment, lesson
):
    attempt = start(trainee, enrolment, lesson)
    with pytest.raises(QuizError):
        save_answers(attempt=attempt, learner=other_agency_trainee, data={}, page=1)
    with pytest.raises(QuizError):
        submit_attempt(attempt=attempt, learner=other_agency_trainee)
    assert Attempt.objects.get(pk=attempt.pk).is_in_progress


# Deadlines and dates -----------------------------------------------------------


def test_answers_after_the_deadline_are_refused_and_the_attempt_is_submitted(
    trainee, enrolment, lesson, auto_quiz
):
    auto_quiz.time_limit_minutes = 10
    auto_quiz.save()
    started = timezone.now() - timedelta(minutes=11)
    attempt = start(trainee, enrolment, lesson, now=started)
    data = answers_for(attempt)
    save_answers(
        attempt=attempt,
        learner=trainee,
        data={"q1": data["q1"]},
        page=1,
        now=started + timedelta(minutes=5),
    )
    with pytest.raises(QuizError, match=message(TIME_RAN_OUT)):
        save_answers(attempt=attempt, learner=trainee, data={"q2": data["q2"]}, page=2)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED
    assert attempt.auto_submitted
    assert attempt.answers == {"q1": data["q1"]}
    assert attempt.results["q1"]["state"] == "correct"
    assert attempt.results["q2"]["state"] == "unanswered"


def test_an_expired_attempt_is_submitted_when_next_touched(
    signed_in, lesson, auto_quiz
):
    auto_quiz.time_limit_minutes = 5
    auto_quiz.save()
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    # Six minutes pass on a five-minute quiz.
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(minutes=6),
        deadline=timezone.now() - timedelta(minutes=1),
    )
    response = signed_in.get(reverse("quizzes:attempt_page", args=[attempt.pk, 1]))
    assert response["Location"] == reverse("quizzes:attempt_result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.auto_submitted


def test_close_expired_attempts_command_submits_what_was_saved(
    trainee, enrolment, lesson, auto_quiz
):
    from django.core.management import call_command

    auto_quiz.time_limit_minutes = 5
    auto_quiz.save()
    attempt = start(trainee, enrolment, lesson, now=timezone.now() - timedelta(hours=1))
    fresh_quiz_attempts = Attempt.objects.filter(state=Attempt.State.IN_PROGRESS)
    assert fresh_quiz_attempts.count() == 1
    call_command("close_expired_attempts", verbosity=0)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED
    assert attempt.auto_submitted
    assert close_expired_attempts() == 0


def test_closing_date_caps_the_deadline(trainee, enrolment, lesson, auto_quiz):
    now = timezone.now()
    auto_quiz.time_limit_minutes = 60
    auto_quiz.closes_at = now + timedelta(minutes=15)
    auto_quiz.save()
    attempt = start(trainee, enrolment, lesson, now=now)
    assert attempt.deadline == auto_quiz.closes_at


def test_closed_or_unopened_quiz_cannot_start(trainee, enrolment, lesson, auto_quiz):
    now = timezone.now()
    auto_quiz.closes_at = now - timedelta(minutes=1)
    auto_quiz.save()
    with pytest.raises(QuizError, match=message("This quiz is closed.")):
        start(trainee, enrolment, lesson)
    auto_quiz.closes_at = None
    auto_quiz.opens_at = now + timedelta(days=1)
    auto_quiz.save()
    with pytest.raises(QuizError, match=message("This quiz is not open yet.")):
        start(trainee, enrolment, lesson)
    assert not Attempt.objects.exists()


def test_starting_a_closed_quiz_over_http_shows_why(signed_in, lesson, auto_quiz):
    auto_quiz.closes_at = timezone.now() - timedelta(minutes=1)
    auto_quiz.save()
    response = signed_in.post(
        reverse("quizzes:start_lesson_quiz", args=[lesson.pk]), follow=True
    )
    assert gettext("This quiz is closed.") in response.content.decode()
    assert not Attempt.objects.exists()


# Attempt limits and overrides -----------------------------------------------------


def test_attempts_beyond_the_limit_are_refused(trainee, enrolment, lesson, auto_quiz):
    auto_quiz.attempts_allowed = 2
    auto_quiz.save()
    for _ in range(2):
        submit_attempt(attempt=start(trainee, enrolment, lesson), learner=trainee)
    with pytest.raises(
        QuizError,
        match=message("You have used all the attempts allowed for this quiz."),
    ):
        start(trainee, enrolment, lesson)
    assert Attempt.objects.count() == 2


def test_override_gives_extra_attempts_and_minutes(
    trainee, enrolment, lesson, auto_quiz, trainer
):
    auto_quiz.attempts_allowed = 1
    auto_quiz.time_limit_minutes = 10
    auto_quiz.save()
    submit_attempt(attempt=start(trainee, enrolment, lesson), learner=trainee)
    QuizOverride.objects.create(
        quiz=auto_quiz,
        learner=trainee,
        extra_attempts=1,
        extra_minutes=15,
        reason="Mạng yếu ở Lý Sơn",
        created_by=trainer,
    )
    now = timezone.now()
    second = start(trainee, enrolment, lesson, now=now)
    assert second.number == 2
    assert second.deadline == now + timedelta(minutes=25)


def test_override_dates_reopen_a_closed_quiz_for_one_learner(
    trainee, other_agency_trainee, enrolment, lesson, auto_quiz, course
):
    from courses.services import enrol_learner

    now = timezone.now()
    auto_quiz.closes_at = now - timedelta(days=1)
    auto_quiz.save()
    QuizOverride.objects.create(
        quiz=auto_quiz,
        learner=trainee,
        closes_at=now + timedelta(days=2),
        reason="Nghỉ ốm",
    )
    assert start(trainee, enrolment, lesson).is_in_progress
    other = enrol_learner(learner=other_agency_trainee, course=course)
    with pytest.raises(QuizError):
        start(other_agency_trainee, other, lesson)


def test_intro_page_shows_attempts_left_with_override(
    signed_in, trainee, lesson, auto_quiz
):
    auto_quiz.attempts_allowed = 3
    auto_quiz.save()
    QuizOverride.objects.create(
        quiz=auto_quiz, learner=trainee, extra_attempts=2, reason="Cho phép thêm"
    )
    html = signed_in.get(reverse("quizzes:lesson_quiz", args=[lesson.pk])).content
    expected = gettext("%(used)s of %(allowed)s used, %(left)s left") % {
        "used": 0,
        "allowed": 5,
        "left": 5,
    }
    assert expected in html.decode()


# Double submits and concurrent starts ------------------------------------------------


def test_submitting_twice_grades_once(trainee, enrolment, lesson):
    attempt = start(trainee, enrolment, lesson)
    save_answers(attempt=attempt, learner=trainee, data=answers_for(attempt), page=1)
    with mock.patch.object(
        services, "record_quiz_result", wraps=services.record_quiz_result
    ) as recorded:
        first = submit_attempt(attempt=attempt, learner=trainee)
        # A second tab, still holding the attempt as it was before submitting.
        second = submit_attempt(attempt=attempt, learner=trainee)
    assert recorded.call_count == 1
    assert second.graded_at == first.graded_at
    assert second.score == first.score


def test_replayed_submit_post_is_harmless(signed_in, lesson):
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    url = reverse("quizzes:attempt_submit", args=[attempt.pk])
    first = signed_in.post(url)
    graded_at = Attempt.objects.get(pk=attempt.pk).graded_at
    second = signed_in.post(url)
    assert first["Location"] == second["Location"]
    assert Attempt.objects.get(pk=attempt.pk).graded_at == graded_at
    # Answers posted after submitting are refused.
    response = signed_in.post(
        reverse("quizzes:attempt_page", args=[attempt.pk, 1]), {"q1": "x"}
    )
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).answers == {}


def test_start_locks_the_enrolment_row(trainee, enrolment, lesson):
    from courses.models import Enrolment

    real = Enrolment.objects.select_for_update
    with mock.patch.object(
        Enrolment.objects, "select_for_update", side_effect=real
    ) as locked:
        start(trainee, enrolment, lesson)
    assert locked.called


def test_a_start_replayed_after_the_limit_changes_nothing(
    trainee, enrolment, lesson, auto_quiz
):
    auto_quiz.attempts_allowed = 1
    auto_quiz.save()
    attempt = start(trainee, enrolment, lesson)
    assert start(trainee, enrolment, lesson).pk == attempt.pk  # resumes
    submit_attempt(attempt=attempt, learner=trainee)
    with pytest.raises(QuizError):
        start(trainee, enrolment, lesson)
    assert Attempt.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_never_exceed_attempts_allowed(
    trainee, enrolment, lesson, auto_quiz
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Threads need a file or server database (the PostgreSQL leg).")
    auto_quiz.attempts_allowed = 1
    auto_quiz.save()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(start(trainee, enrolment, lesson).pk)
        except QuizError as error:
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Attempt.objects.count() == 1
    assert len(set(results)) == 1 and not errors


# What the attempt page may show ------------------------------------------------------


def test_attempt_pages_never_reveal_the_key(signed_in, lesson, all_questions):
    from tests.factories import make_quiz, set_lesson_quiz

    quiz = make_quiz(all_questions)
    lesson = set_lesson_quiz(lesson, quiz)
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    secrets = [
        "FB-DUNG-1",
        "FB-SAI-1",
        "FB-TF-TRUE",
        "FB-TF-FALSE",
        "FB-SHORT",
        "09/2017/NĐ-CP",
        "Điều 2 Nghị định 09/2017/NĐ-CP.",
        "credit",
        "is_correct",
        "correct_order",
        "option_id",
    ]
    for number, snap in enumerate(attempt.questions, start=1):
        html = signed_in.get(
            reverse("quizzes:attempt_page", args=[attempt.pk, number])
        ).content.decode()
        for secret in secrets:
            assert secret not in html, (snap["type"], secret)
        assert not re.search(r"data-(?!deadline|now)[\w-]+=", html)
        for option in snap.get("options", []):
            if option.get("option_id"):
                assert f'value="{option["option_id"]}"' not in html
        if snap["type"] in ("single", "multiple", "truefalse"):
            inputs = re.findall(r'<input type="(?:radio|checkbox)"[^>]*>', html)
            assert len(inputs) == len(snap["options"])
            shapes = {
                re.sub(r"(value|id)=\"[^\"]*\"", r'\1="X"', tag) for tag in inputs
            }
            assert len(shapes) == 1  # the right option looks like every other
        if snap["type"] == "ordering":
            shown = re.findall(rf'name="{snap["key"]}-([^"]+)"', html)
            assert shown != snap["correct_order"]
            assert " selected" not in html
        if snap["type"] == "matching":
            # Each item offers every choice, in one shared order.
            selects = re.findall(r"<select[^>]*>(.*?)</select>", html, re.S)
            assert len(set(selects)) == 1


def test_review_level_score_only_hides_answers(signed_in, lesson, auto_quiz):
    auto_quiz.review_while_open = Quiz.Review.SCORE
    auto_quiz.save()
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    signed_in.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    html = signed_in.get(
        reverse("quizzes:attempt_result", args=[attempt.pk])
    ).content.decode()
    assert "FB-DUNG-1" not in html
    assert "Người đứng đầu cơ quan" not in html
    assert "review-list" not in html


def test_review_correctness_shows_right_or_wrong_but_not_the_key(
    signed_in, lesson, auto_quiz
):
    auto_quiz.review_while_open = Quiz.Review.CORRECTNESS
    auto_quiz.save()
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    data = answers_for(attempt, right=False)
    signed_in.post(
        reverse("quizzes:attempt_page", args=[attempt.pk, 1]), {"q1": data["q1"]}
    )
    signed_in.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    html = signed_in.get(
        reverse("quizzes:attempt_result", args=[attempt.pk])
    ).content.decode()
    assert "review--incorrect" in html
    assert gettext("(right answer)") not in html
    assert "FB-SAI" not in html and "FB-DUNG-1" not in html
    assert "09/2017/NĐ-CP" not in html


def test_review_after_close_shows_answers_and_feedback(signed_in, lesson, auto_quiz):
    auto_quiz.review_while_open = Quiz.Review.SCORE
    auto_quiz.review_after_close = Quiz.Review.FULL
    auto_quiz.save()
    signed_in.post(reverse("quizzes:start_lesson_quiz", args=[lesson.pk]))
    attempt = Attempt.objects.get()
    data = answers_for(attempt, right=False)
    signed_in.post(
        reverse("quizzes:attempt_page", args=[attempt.pk, 1]), {"q1": data["q1"]}
    )
    signed_in.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    auto_quiz.closes_at = timezone.now() - timedelta(seconds=1)
    auto_quiz.save()
    html = signed_in.get(
        reverse("quizzes:attempt_result", args=[attempt.pk])
    ).content.decode()
    assert gettext("(right answer)") in html
    assert "FB-SAI" in html
    assert "09/2017/NĐ-CP" in html
    assert "Điều 2 Nghị định 09/2017/NĐ-CP." in html
    assert Decimal(attempt.quiz.pass_mark) == Decimal(50)


def test_extra_minutes_given_during_an_attempt_count(
    trainee, enrolment, lesson, auto_quiz
):
    auto_quiz.time_limit_minutes = 10
    auto_quiz.save()
    started = timezone.now() - timedelta(minutes=12)
    attempt = start(trainee, enrolment, lesson, now=started)
    QuizOverride.objects.create(
        quiz=auto_quiz, learner=trainee, extra_minutes=20, reason="Mất điện"
    )
    data = answers_for(attempt)
    save_answers(attempt=attempt, learner=trainee, data={"q1": data["q1"]}, page=1)
    attempt.refresh_from_db()
    assert attempt.is_in_progress
    assert attempt.deadline == started + timedelta(minutes=30)
    assert close_expired_attempts() == 0


def test_closing_the_quiz_early_stops_running_attempts(
    trainee, enrolment, lesson, auto_quiz
):
    attempt = start(trainee, enrolment, lesson)
    assert attempt.deadline is None
    auto_quiz.closes_at = timezone.now() - timedelta(minutes=1)
    auto_quiz.save()
    with pytest.raises(QuizError, match=message(TIME_RAN_OUT)):
        save_answers(attempt=attempt, learner=trainee, data={}, page=1)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.GRADED and attempt.auto_submitted


def test_cron_closes_attempts_when_the_quiz_closed_after_they_started(
    trainee, enrolment, lesson, auto_quiz
):
    attempt = start(trainee, enrolment, lesson)
    auto_quiz.closes_at = timezone.now() - timedelta(minutes=1)
    auto_quiz.save()
    assert close_expired_attempts() == 1
    attempt.refresh_from_db()
    assert not attempt.is_in_progress
