"""Every write about attempts, grading and regrading. The server is the authority.

Views, admin screens, commands and tests call these; nobody saves an Attempt
or EssayResponse directly.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _

from config.sanitise import sanitise_html
from courses.models import Enrolment, LessonPage
from courses.services import CourseRuleError, record_quiz_result

from . import answers as answer_parsing
from . import grading, snapshots
from .models import Attempt, EssayResponse, Question, Quiz, RegradeLog
from .selectors import (
    attempt_pages,
    attempts_in_context,
    draw_questions,
    rules_for,
)
from .tasks import notify_essay_graded

logger = logging.getLogger(__name__)


class QuizError(Exception):
    """An action the quiz's rules refuse; the message is for the learner."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class AnswersRejected(Exception):
    """Well-formed answers that are not acceptable; nothing was saved."""

    def __init__(self, errors: dict[str, list[str]], answers: dict):
        super().__init__(errors)
        self.errors = errors
        self.answers = answers


@dataclass(frozen=True)
class QuizPlace:
    """Where an attempt counts: a lesson's quiz or a course's final quiz."""

    enrolment: Enrolment
    lesson: LessonPage | None = None

    @property
    def context(self) -> str:
        if self.lesson is not None:
            return f"lesson:{self.lesson.pk}"
        return f"final:{self.enrolment.course_id}"


def _lock_attempt(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)


def _deadline(quiz: Quiz, rules, started_at: datetime) -> datetime | None:
    limits = []
    if rules.time_limit_minutes:
        limits.append(started_at + timedelta(minutes=rules.time_limit_minutes))
    if rules.closes_at:
        limits.append(rules.closes_at)
    return min(limits) if limits else None


@transaction.atomic
def start_attempt(
    *,
    learner,
    quiz: Quiz,
    enrolment: Enrolment,
    lesson: LessonPage | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Resume the attempt in progress or start the next, within dates and limits."""
    now = now or timezone.now()
    if enrolment.learner_id != learner.pk or enrolment.withdrawn_at is not None:
        raise QuizError(_("You are not enrolled in this course."))
    # Concurrent starts for one learner serialise on the enrolment row, so two
    # tabs can never exceed the attempts allowed.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    place = QuizPlace(enrolment=enrolment, lesson=lesson)
    previous = list(
        attempts_in_context(learner=learner, quiz=quiz, context=place.context)
        .select_for_update()
        .order_by("number")
    )
    for attempt in previous:
        if attempt.is_in_progress:
            attempt.quiz = quiz
            if not _expired(_refresh_deadline(attempt), now):
                return attempt
            _submit_locked(attempt, now=now, auto=True)
    rules = rules_for(quiz, learner=learner)
    if rules.opens_at and now < rules.opens_at:
        raise QuizError(_("This quiz is not open yet."))
    if rules.closes_at and now >= rules.closes_at:
        raise QuizError(_("This quiz is closed."))
    if rules.attempts_allowed and len(previous) >= rules.attempts_allowed:
        raise QuizError(_("You have used all the attempts allowed for this quiz."))
    questions = draw_questions(quiz)
    if not questions:
        raise QuizError(_("This quiz has no questions yet."))
    snaps = [
        snapshots.snapshot_question(
            question, key=f"q{index}", shuffle_options=quiz.shuffle_options
        )
        for index, question in enumerate(questions, start=1)
    ]
    return Attempt.objects.create(
        quiz=quiz,
        learner=learner,
        enrolment=enrolment,
        lesson=lesson,
        context=place.context,
        number=(previous[-1].number + 1) if previous else 1,
        started_at=now,
        deadline=_deadline(quiz, rules, now),
        questions=snaps,
    )


def _refresh_deadline(attempt: Attempt) -> Attempt:
    """The deadline under the rules as they are now (in memory, not saved).

    A trainer may move the closing date or give extra minutes while an attempt
    runs; the stored deadline is what the attempt started with.
    """
    rules = rules_for(attempt.quiz, learner=attempt.learner_id)
    attempt.deadline = _deadline(attempt.quiz, rules, attempt.started_at)
    return attempt


def _expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now >= attempt.deadline


def save_answers(
    *,
    attempt: Attempt,
    learner,
    data,
    page: int,
    resume_at: int | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Save a page's answers; forged or late ones, or a closed attempt, save nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _lock_attempt(attempt)
        if attempt.learner_id != learner.pk:
            raise QuizError(_("This attempt is not yours."))
        if not attempt.is_in_progress:
            raise QuizError(_("This attempt has already been submitted."))
        stored_deadline = attempt.deadline
        _refresh_deadline(attempt)
        if attempt.deadline != stored_deadline:
            attempt.save(update_fields=["deadline"])
        expired = _expired(attempt, now)
        if expired:
            # Submitted with what was saved before the deadline; this commits
            # even though the late answers are refused below.
            _submit_locked(attempt, now=now, auto=True)
        else:
            _store_answers(attempt, data=data, page=page, resume_at=resume_at)
    if expired:
        raise QuizError(
            _(
                "Time ran out. Your attempt was submitted with the answers saved "
                "before the deadline."
            )
        )
    return attempt


def _store_answers(attempt: Attempt, *, data, page: int, resume_at: int | None) -> None:
    pages = attempt_pages(attempt)
    if not 1 <= page <= len(pages):
        raise QuizError(_("That page is not part of this attempt."))
    try:
        parsed = answer_parsing.parse_page(attempt.questions, data, pages[page - 1])
    except answer_parsing.ForgedAnswer as exc:
        raise QuizError(str(exc)) from exc
    if not parsed.is_valid:
        raise AnswersRejected(parsed.errors, parsed.answers)
    stored = dict(attempt.answers)
    for key, value in parsed.answers.items():
        if value is None:
            stored.pop(key, None)
        else:
            stored[key] = value
    attempt.answers = stored
    # Where "Resume" returns to: the page the learner was heading for.
    attempt.current_page = min(max(resume_at or page, 1), len(pages))
    attempt.save(update_fields=["answers", "current_page"])


@transaction.atomic
def submit_attempt(
    *, attempt: Attempt, learner=None, now: datetime | None = None
) -> Attempt:
    """Grade once: a second submit (two tabs, a replay) returns the attempt as is."""
    now = now or timezone.now()
    attempt = _lock_attempt(attempt)
    if learner is not None and attempt.learner_id != learner.pk:
        raise QuizError(_("This attempt is not yours."))
    if not attempt.is_in_progress:
        return attempt
    auto = _expired(_refresh_deadline(attempt), now)
    _submit_locked(attempt, now=now, auto=auto)
    return attempt


def close_if_expired(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit an attempt whose time ran out with what was saved; otherwise leave it."""
    now = now or timezone.now()
    if not attempt.is_in_progress:
        return attempt
    if not _expired(_refresh_deadline(attempt), now):
        return attempt
    with transaction.atomic():
        attempt = _lock_attempt(attempt)
        if attempt.is_in_progress and _expired(_refresh_deadline(attempt), now):
            _submit_locked(attempt, now=now, auto=True)
    return attempt


def close_expired_attempts(*, now: datetime | None = None) -> int:
    """Submit every attempt past its deadline; each in its own transaction."""
    now = now or timezone.now()
    ids = list(
        Attempt.objects.filter(state=Attempt.State.IN_PROGRESS)
        .filter(
            Q(deadline__lte=now)
            | Q(quiz__closes_at__lte=now)
            | Q(
                quiz__overrides__learner=F("learner"),
                quiz__overrides__closes_at__lte=now,
            )
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update().select_related("quiz").filter(pk=pk)
            ).first()
            if (
                attempt
                and attempt.is_in_progress
                and _expired(_refresh_deadline(attempt), now)
            ):
                _submit_locked(attempt, now=now, auto=True)
                closed += 1
    return closed


def _essay_html(text: str) -> str:
    """Essays are typed as plain text; paragraphs, then the one sanitiser."""
    return sanitise_html(linebreaks(escape(text)))


def _submit_locked(attempt: Attempt, *, now: datetime, auto: bool) -> None:
    """Grade a locked, in-progress attempt; essays wait in the grading queue."""
    attempt.submitted_at = now
    attempt.auto_submitted = auto
    essays = []
    for snapshot in attempt.questions:
        if snapshot["type"] != grading.ESSAY:
            continue
        text = attempt.answers.get(snapshot["key"])
        if not text:
            continue
        essays.append(
            EssayResponse(
                attempt=attempt,
                question_key=snapshot["key"],
                question_id=snapshot["question_id"],
                answer=_essay_html(text),
                max_marks=Decimal(snapshot["mark"]),
                submitted_at=now,
            )
        )
    EssayResponse.objects.bulk_create(essays)
    _grade(attempt, manual={}, now=now)
    attempt.save(
        update_fields=[
            "state",
            "submitted_at",
            "auto_submitted",
            "results",
            "marks",
            "max_marks",
            "score",
            "passed",
            "graded_at",
        ]
    )
    if attempt.state == Attempt.State.GRADED:
        _record(attempt)


def _grade(
    attempt: Attempt, *, manual: dict[str, Decimal], now: datetime
) -> grading.Score:
    keys = [grading.QuestionKey.from_snapshot(s) for s in attempt.questions]
    score = grading.grade_answers(keys, attempt.answers, manual)
    attempt.results = {
        r.key: {
            "marks": str(r.marks),
            "max_marks": str(r.max_marks),
            "state": r.state,
            "feedback": list(r.feedback),
        }
        for r in score.results
    }
    attempt.marks = score.marks
    attempt.max_marks = score.max_marks
    if score.needs_grading:
        attempt.state = Attempt.State.AWAITING_GRADING
        attempt.score = None
        attempt.passed = None
        attempt.graded_at = None
    else:
        attempt.state = Attempt.State.GRADED
        attempt.score = score.percent
        attempt.passed = score.percent >= attempt.quiz.pass_mark
        attempt.graded_at = now
    return score


def _record(attempt: Attempt) -> None:
    """Tell courses the quiz's result under its grading method (highest or last)."""
    graded = list(
        Attempt.objects.filter(
            learner_id=attempt.learner_id,
            quiz_id=attempt.quiz_id,
            context=attempt.context,
            state=Attempt.State.GRADED,
        )
        .order_by("number")
        .values_list("score", flat=True)
    )
    score = grading.quiz_score(attempt.quiz.grading_method, graded)
    if score is None:
        return
    enrolment = Enrolment.objects.select_related("course").get(pk=attempt.enrolment_id)
    if not enrolment.is_active:
        return
    lesson = None
    if attempt.lesson_id is not None:
        lesson = LessonPage.objects.filter(pk=attempt.lesson_id).first()
        if lesson is None:
            return
    elif not attempt.is_final_quiz:
        return
    try:
        with transaction.atomic():
            record_quiz_result(
                enrolment=enrolment,
                quiz=attempt.quiz,
                passed=score >= attempt.quiz.pass_mark,
                score=score,
                lesson=lesson,
            )
    except CourseRuleError as exc:
        # The quiz was moved out of the lesson or course since: keep the grade,
        # record nothing on the course.
        logger.info("Quiz result not recorded for attempt %s: %s", attempt.pk, exc)


def _manual_marks(attempt: Attempt) -> dict[str, Decimal]:
    return {
        r.question_key: r.marks
        for r in attempt.essay_responses.all()
        if r.marks is not None
    }


@transaction.atomic
def grade_essay(
    *,
    response: EssayResponse,
    grader,
    points: list[Decimal] | None = None,
    marks: Decimal | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> EssayResponse:
    """Rubric points (or marks) for an essay; the attempt ends when all are graded."""
    now = now or timezone.now()
    attempt = _lock_attempt(response.attempt)
    response = EssayResponse.objects.select_for_update().get(pk=response.pk)
    snapshot = next(s for s in attempt.questions if s["key"] == response.question_key)
    criteria = [Decimal(c["points"]) for c in snapshot.get("rubric", [])]
    if criteria:
        if points is None or len(points) != len(criteria):
            raise QuizError(_("Give points for every criterion of the rubric."))
        for given, most in zip(points, criteria, strict=True):
            if given < 0 or given > most:
                raise QuizError(
                    _("Points for a criterion must be between 0 and %(most)s.")
                    % {"most": most}
                )
        awarded = list(points)
    else:
        if marks is None or marks < 0 or marks > response.max_marks:
            raise QuizError(
                _("Marks must be between 0 and %(most)s.")
                % {"most": response.max_marks}
            )
        awarded = [marks]
    response.rubric_scores = [str(p) for p in awarded] if criteria else []
    response.marks = grading.essay_marks(
        mark=response.max_marks, criteria_points=criteria, awarded=awarded
    )
    response.comment = comment.strip()
    response.graded_by = grader
    response.graded_at = now
    response.save(
        update_fields=["rubric_scores", "marks", "comment", "graded_by", "graded_at"]
    )
    if attempt.state != Attempt.State.IN_PROGRESS:
        _grade(attempt, manual=_manual_marks(attempt), now=now)
        attempt.save(
            update_fields=[
                "state",
                "results",
                "marks",
                "max_marks",
                "score",
                "passed",
                "graded_at",
            ]
        )
        if attempt.state == Attempt.State.GRADED:
            _record(attempt)
    transaction.on_commit(lambda: notify_essay_graded.enqueue(response.pk))
    return response


def attempts_showing(question: Question) -> list[Attempt]:
    """Submitted attempts whose snapshot holds this question."""
    submitted = Attempt.objects.exclude(state=Attempt.State.IN_PROGRESS).select_related(
        "quiz"
    )
    if connection.features.supports_json_field_contains:
        return list(
            submitted.filter(questions__contains=[{"question_id": question.pk}])
        )
    return [
        a
        for a in submitted
        if any(s.get("question_id") == question.pk for s in a.questions)
    ]


@transaction.atomic
def regrade_question(
    *, question: Question, regraded_by, dry_run: bool = False
) -> list[RegradeLog]:
    """Re-mark submitted attempts showing the question with its current key; log it.

    With ``dry_run`` nothing is saved: the unsaved log rows preview the differences.
    """
    question = (
        Question.objects.prefetch_related("options", "rubric_criteria")
        .select_for_update(of=("self",))
        .get(pk=question.pk)
    )
    logs = []
    for found in attempts_showing(question):
        attempt = _lock_attempt(found)
        changes_by_key = {}
        new_questions = []
        for snapshot in attempt.questions:
            if snapshot.get("question_id") == question.pk:
                fresh, changes = snapshots.refresh_key(snapshot, question)
                if changes:
                    changes_by_key[snapshot["key"]] = (snapshot, changes)
                new_questions.append(fresh)
            else:
                new_questions.append(snapshot)
        if not changes_by_key:
            continue
        old_results = dict(attempt.results)
        old_score = attempt.score
        attempt.questions = new_questions
        now = attempt.graded_at or attempt.submitted_at or timezone.now()
        _grade(attempt, manual=_manual_marks(attempt), now=now)
        for key, (snapshot, changes) in changes_by_key.items():
            logs.append(
                RegradeLog(
                    attempt=attempt,
                    question=question,
                    question_key=key,
                    from_version=snapshot.get("version", 0),
                    to_version=question.version,
                    change="\n".join(changes),
                    old_marks=Decimal(old_results.get(key, {}).get("marks", "0")),
                    new_marks=Decimal(attempt.results[key]["marks"]),
                    old_score=old_score,
                    new_score=attempt.score,
                    regraded_by=regraded_by,
                )
            )
        if dry_run:
            continue
        attempt.save(
            update_fields=[
                "questions",
                "state",
                "results",
                "marks",
                "max_marks",
                "score",
                "passed",
                "graded_at",
            ]
        )
        if attempt.state == Attempt.State.GRADED:
            _record(attempt)
    if not dry_run:
        RegradeLog.objects.bulk_create(logs)
    return logs
