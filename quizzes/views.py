"""Learner pages: intro, attempt pages, confirm, result. No JavaScript needed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import CoursePage, LessonPage
from courses.selectors import active_enrolment, lesson_access, lesson_quiz

from . import selectors
from .models import Attempt
from .services import (
    AnswersRejected,
    QuizError,
    QuizPlace,
    close_if_expired,
    save_answers,
    start_attempt,
    submit_attempt,
)


class QuizIntro:
    """Everything the intro page needs about one quiz in one place."""

    def __init__(self, *, quiz, place, reason, back_url, start_url, intro_url, title):
        self.quiz = quiz
        self.intro_url = intro_url
        self.place = place
        self.reason = reason
        self.back_url = back_url
        self.start_url = start_url
        self.title = title


def _lesson_intro(request, lesson_id) -> QuizIntro:
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    quiz = lesson_quiz(lesson)
    access = lesson_access(learner=request.user, lesson=lesson)
    if quiz is None or access.not_found:
        raise Http404
    place = (
        QuizPlace(enrolment=access.enrolment, lesson=lesson) if access.allowed else None
    )
    return QuizIntro(
        quiz=quiz,
        place=place,
        reason=access.reason,
        back_url=lesson.get_url(request),
        start_url=reverse("quizzes:start_lesson_quiz", args=[lesson.pk]),
        intro_url=reverse("quizzes:lesson_quiz", args=[lesson.pk]),
        title=lesson.title,
    )


def _final_intro(request, course_id) -> QuizIntro:
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if course.final_quiz is None:
        raise Http404
    enrolment = active_enrolment(learner=request.user, course=course)
    return QuizIntro(
        quiz=course.final_quiz,
        place=QuizPlace(enrolment=enrolment) if enrolment else None,
        reason="" if enrolment else _("Enrol in this course to take its final quiz."),
        back_url=course.get_url(request),
        start_url=reverse("quizzes:start_final_quiz", args=[course.pk]),
        intro_url=reverse("quizzes:final_quiz", args=[course.pk]),
        title=course.title,
    )


def _render_intro(request, intro: QuizIntro):
    status = None
    if intro.place is not None:
        status = selectors.quiz_status(
            learner=request.user, quiz=intro.quiz, context=intro.place.context
        )
    return render(
        request, "quizzes/quiz_intro.html", {"intro": intro, "status": status}
    )


def _start(request, intro: QuizIntro):
    if intro.place is None:
        messages.error(request, intro.reason)
        return redirect(intro.back_url)
    try:
        attempt = start_attempt(
            learner=request.user,
            quiz=intro.quiz,
            enrolment=intro.place.enrolment,
            lesson=intro.place.lesson,
        )
    except QuizError as error:
        messages.error(request, error.message)
        return redirect(intro.intro_url)
    return redirect("quizzes:attempt_page", attempt.pk, attempt.current_page)


@login_required
def lesson_quiz_intro(request, lesson_id):
    return _render_intro(request, _lesson_intro(request, lesson_id))


@login_required
@require_POST
def start_lesson_quiz(request, lesson_id):
    return _start(request, _lesson_intro(request, lesson_id))


@login_required
def final_quiz_intro(request, course_id):
    return _render_intro(request, _final_intro(request, course_id))


@login_required
@require_POST
def start_final_quiz(request, course_id):
    return _start(request, _final_intro(request, course_id))


def _own_attempt(request, pk) -> Attempt:
    """The learner's own attempt; anyone else's is a 404, like a missing one."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "lesson", "enrolment__course"),
        pk=pk,
        learner=request.user,
    )
    return close_if_expired(attempt=attempt)


def _intro_url(attempt: Attempt) -> str:
    if attempt.lesson_id:
        return reverse("quizzes:lesson_quiz", args=[attempt.lesson_id])
    return reverse("quizzes:final_quiz", args=[attempt.enrolment.course_id])


def _page_context(attempt, page):
    return {
        "attempt": attempt,
        "page": page,
        "answered": selectors.answered_keys(attempt),
        "intro_url": _intro_url(attempt),
        "now": timezone.now(),
    }


@login_required
def attempt_resume(request, pk):
    attempt = _own_attempt(request, pk)
    if not attempt.is_in_progress:
        return redirect("quizzes:attempt_result", attempt.pk)
    return redirect("quizzes:attempt_page", attempt.pk, attempt.current_page)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_page(request, pk, number):
    attempt = _own_attempt(request, pk)
    if not attempt.is_in_progress:
        if attempt.auto_submitted:
            messages.warning(
                request,
                _(
                    "Time ran out. Your attempt was submitted with the answers saved "
                    "before the deadline."
                ),
            )
        return redirect("quizzes:attempt_result", attempt.pk)
    if request.method == "POST":
        nav = request.POST.get("nav", "")
        target = _target_page(attempt, number, nav)
        try:
            attempt = save_answers(
                attempt=attempt,
                learner=request.user,
                data=request.POST,
                page=number,
                resume_at=target,
            )
        except AnswersRejected as rejected:
            page = selectors.attempt_page(
                attempt,
                number,
                answers={**attempt.answers, **rejected.answers},
                errors=rejected.errors,
            )
            return render(
                request, "quizzes/attempt_page.html", _page_context(attempt, page)
            )
        except QuizError as error:
            messages.error(request, error.message)
            attempt.refresh_from_db()
            if not attempt.is_in_progress:
                return redirect("quizzes:attempt_result", attempt.pk)
            page = selectors.attempt_page(attempt, number)
            return render(
                request,
                "quizzes/attempt_page.html",
                _page_context(attempt, page),
                status=400,
            )
        return redirect(_next_url(attempt, target, nav))
    page = selectors.attempt_page(attempt, number)
    if page.number != number:
        return redirect("quizzes:attempt_page", attempt.pk, page.number)
    return render(request, "quizzes/attempt_page.html", _page_context(attempt, page))


def _target_page(attempt: Attempt, number: int, nav: str) -> int | None:
    """The page a navigation button leads to; None means leave the pages."""
    count = len(selectors.attempt_pages(attempt))
    if nav in ("finish", "leave") or (nav == "next" and number >= count):
        return None
    if nav == "next":
        return number + 1
    if nav == "prev":
        return max(number - 1, 1)
    if nav.startswith("page-") and nav[5:].isdigit():
        return min(max(int(nav[5:]), 1), count)
    return number


def _next_url(attempt: Attempt, target: int | None, nav: str) -> str:
    if target is not None:
        return reverse("quizzes:attempt_page", args=[attempt.pk, target])
    if nav == "leave":
        return _intro_url(attempt)
    return reverse("quizzes:attempt_submit", args=[attempt.pk])


@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit(request, pk):
    attempt = _own_attempt(request, pk)
    if request.method == "POST":
        attempt = submit_attempt(attempt=attempt, learner=request.user)
        return redirect("quizzes:attempt_result", attempt.pk)
    if not attempt.is_in_progress:
        return redirect("quizzes:attempt_result", attempt.pk)
    pages = selectors.attempt_pages(attempt)
    page_of = {key: n for n, keys in enumerate(pages, start=1) for key in keys}
    answered = selectors.answered_keys(attempt)
    questions = [
        {
            "number": n,
            "page": page_of[s["key"]],
            "answered": s["key"] in answered,
        }
        for n, s in enumerate(attempt.questions, start=1)
    ]
    return render(
        request,
        "quizzes/attempt_submit.html",
        {
            "attempt": attempt,
            "questions": questions,
            "unanswered": sum(1 for q in questions if not q["answered"]),
            "intro_url": _intro_url(attempt),
            "now": timezone.now(),
        },
    )


@login_required
def attempt_result(request, pk):
    attempt = _own_attempt(request, pk)
    if attempt.is_in_progress:
        return redirect("quizzes:attempt_page", attempt.pk, attempt.current_page)
    status = selectors.quiz_status(
        learner=request.user, quiz=attempt.quiz, context=attempt.context
    )
    level = selectors.review_level(attempt, rules=status.rules)
    return render(
        request,
        "quizzes/attempt_result.html",
        {
            "attempt": attempt,
            "level": level,
            "review": selectors.attempt_review(attempt, level),
            "status": status,
            "intro_url": _intro_url(attempt),
            "back_url": (attempt.lesson or attempt.enrolment.course).get_url(request)
            if (attempt.lesson_id or attempt.enrolment_id)
            else "/",
        },
    )
