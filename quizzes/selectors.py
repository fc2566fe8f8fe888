"""Reading quizzes and attempts: rules, learner status, reviews, queues, analysis."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import ADMINISTRATOR, GROUP_NAMES, TRAINER

from . import grading, snapshots
from .models import (
    Attempt,
    EssayResponse,
    Option,
    Question,
    Quiz,
    QuizOverride,
    QuizSlot,
    RubricCriterion,
)

_system_random = random.SystemRandom()


@dataclass(frozen=True)
class QuizRules:
    """A quiz's dates, attempts and time for one learner, overrides applied."""

    opens_at: datetime | None
    closes_at: datetime | None
    attempts_allowed: int  # 0 = unlimited
    time_limit_minutes: int | None
    override: QuizOverride | None = None

    def is_open(self, now: datetime) -> bool:
        return (self.opens_at is None or now >= self.opens_at) and (
            self.closes_at is None or now < self.closes_at
        )

    def is_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at


def apply_override(quiz: Quiz, override: QuizOverride | None) -> QuizRules:
    """Override dates replace the quiz's; extra minutes and attempts add to them."""
    if override is None:
        return QuizRules(
            quiz.opens_at,
            quiz.closes_at,
            quiz.attempts_allowed,
            quiz.time_limit_minutes,
        )
    attempts = quiz.attempts_allowed
    if attempts:
        attempts += override.extra_attempts
    limit = quiz.time_limit_minutes
    if limit:
        limit += override.extra_minutes
    return QuizRules(
        opens_at=override.opens_at or quiz.opens_at,
        closes_at=override.closes_at or quiz.closes_at,
        attempts_allowed=attempts,
        time_limit_minutes=limit,
        override=override,
    )


def rules_for(quiz: Quiz, *, learner) -> QuizRules:
    override = QuizOverride.objects.filter(quiz=quiz, learner=learner).first()
    return apply_override(quiz, override)


def attempts_in_context(*, learner, quiz: Quiz, context: str):
    return Attempt.objects.filter(learner=learner, quiz=quiz, context=context)


def _with_parts(questions):
    return questions.prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("sort_order", "pk")),
        Prefetch(
            "rubric_criteria", queryset=RubricCriterion.objects.order_by("sort_order")
        ),
    )


def draw_questions(quiz: Quiz, rng: random.Random | None = None) -> list[Question]:
    """The attempt's questions: fixed ones in slot order, random draws, no repeats."""
    rng = rng or _system_random
    slots = list(
        QuizSlot.objects.filter(quiz=quiz)
        .select_related("category")
        .order_by("sort_order")
    )
    fixed_ids = [s.question_id for s in slots if s.question_id]
    chosen: list[int] = []
    for slot in slots:
        if slot.question_id:
            chosen.append(slot.question_id)
            continue
        ids = (
            slot.category.descendant_ids()
            if slot.include_subcategories
            else [slot.category_id]
        )
        pool = list(
            Question.objects.filter(category_id__in=ids)
            .exclude(pk__in=[*fixed_ids, *chosen])
            .values_list("pk", flat=True)
        )
        chosen.extend(rng.sample(pool, min(slot.draw_count, len(pool))))
    by_id = _with_parts(Question.objects.filter(pk__in=chosen)).in_bulk()
    questions = [by_id[pk] for pk in chosen if pk in by_id]
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    return questions


def attempt_pages(attempt: Attempt) -> list[list[str]]:
    """Question keys page by page: one per page, or all on one page."""
    keys = [s["key"] for s in attempt.questions]
    if attempt.quiz.layout == Quiz.Layout.SINGLE_PAGE:
        return [keys]
    return [[key] for key in keys]


@dataclass
class AttemptPage:
    number: int
    count: int
    questions: list[dict]
    answers: dict
    errors: dict = field(default_factory=dict)

    @property
    def is_last(self) -> bool:
        return self.number == self.count


def attempt_page(
    attempt: Attempt, number: int, *, answers: dict | None = None, errors=None
) -> AttemptPage:
    """One page's questions as the learner may see them (no key), with answers."""
    pages = attempt_pages(attempt)
    number = min(max(number, 1), len(pages))
    keys = set(pages[number - 1])
    answers = answers if answers is not None else attempt.answers
    errors = errors or {}
    position = {s["key"]: i for i, s in enumerate(attempt.questions, start=1)}
    questions = []
    for snap in attempt.questions:
        if snap["key"] not in keys:
            continue
        question = snapshots.public_question(snap, position[snap["key"]])
        _fill_answer(question, answers.get(snap["key"]))
        question["errors"] = errors.get(snap["key"], [])
        questions.append(question)
    return AttemptPage(
        number=number,
        count=len(pages),
        questions=questions,
        answers=answers,
        errors=errors,
    )


def _fill_answer(question: dict, answer) -> None:
    """Mark what the learner chose, so templates only read flags."""
    question["answer"] = answer if isinstance(answer, str) else ""
    if question["type"] in (grading.MATCHING, grading.ORDERING):
        given = answer if isinstance(answer, dict) else {}
        for option in question["options"]:
            option["value"] = str(given.get(option["token"], ""))
        question["positions"] = [str(n) for n in range(1, len(question["options"]) + 1)]
        return
    chosen = answer if isinstance(answer, list) else [answer]
    for option in question["options"]:
        option["selected"] = option["token"] in chosen


def answered_keys(attempt: Attempt) -> set[str]:
    return {k for k, v in attempt.answers.items() if v not in (None, "", [], {})}


# A learner's standing on a quiz ------------------------------------------------

NOT_ATTEMPTED = "not_attempted"
IN_PROGRESS = "in_progress"
AWAITING_GRADING = "awaiting_grading"
PASSED = "passed"
FAILED = "failed"


@dataclass
class QuizStatus:
    quiz: Quiz
    rules: QuizRules
    attempts: list[Attempt]
    now: datetime

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def left(self) -> int | None:
        """None means unlimited."""
        if not self.rules.attempts_allowed:
            return None
        return max(self.rules.attempts_allowed - self.used, 0)

    @property
    def in_progress(self) -> Attempt | None:
        for attempt in self.attempts:
            if attempt.is_in_progress:
                return attempt
        return None

    @property
    def time_ran_out(self) -> bool:
        attempt = self.in_progress
        return bool(attempt and attempt.deadline and attempt.deadline <= self.now)

    @property
    def graded(self) -> list[Attempt]:
        return [a for a in self.attempts if a.state == Attempt.State.GRADED]

    @property
    def score(self) -> Decimal | None:
        return grading.quiz_score(
            self.quiz.grading_method, [a.score for a in self.graded]
        )

    @property
    def passed(self) -> bool:
        score = self.score
        return score is not None and score >= self.quiz.pass_mark

    @property
    def latest(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def state(self) -> str:
        if self.in_progress and not self.time_ran_out:
            return IN_PROGRESS
        if self.passed:
            return PASSED
        if any(a.state == Attempt.State.AWAITING_GRADING for a in self.attempts):
            return AWAITING_GRADING
        if self.graded:
            return FAILED
        return NOT_ATTEMPTED

    @property
    def can_start(self) -> bool:
        if self.in_progress and not self.time_ran_out:
            return True
        if not self.rules.is_open(self.now):
            return False
        return self.left is None or self.left > 0

    @property
    def closed_reason(self) -> str:
        if self.rules.opens_at and self.now < self.rules.opens_at:
            return _("This quiz is not open yet.")
        if self.rules.is_closed(self.now):
            return _("This quiz is closed.")
        if self.left == 0:
            return _("You have used all the attempts allowed for this quiz.")
        return ""


def quiz_status(
    *, learner, quiz: Quiz, context: str, now: datetime | None = None
) -> QuizStatus:
    """Attempts and rules for a learner in one place: two queries."""
    attempts = list(
        attempts_in_context(learner=learner, quiz=quiz, context=context)
        .defer("questions", "answers", "results")
        .order_by("number")
    )
    return QuizStatus(
        quiz=quiz,
        rules=rules_for(quiz, learner=learner),
        attempts=attempts,
        now=now or timezone.now(),
    )


# Review ------------------------------------------------------------------------


def review_level(
    attempt: Attempt, now: datetime | None = None, rules: QuizRules | None = None
) -> str:
    """What the learner may see now: the quiz's setting before or after it closes."""
    now = now or timezone.now()
    quiz = attempt.quiz
    rules = rules or rules_for(quiz, learner=attempt.learner_id)
    if rules.is_closed(now):
        return quiz.review_after_close
    return quiz.review_while_open


@dataclass
class ReviewOption:
    text: str
    chosen: bool
    correct: bool | None = None  # None: not to be shown
    feedback: str = ""
    given: str = ""  # matching: the learner's choice; ordering: their position
    expected: str = ""


@dataclass
class ReviewQuestion:
    number: int
    key: str
    type: str
    text: str
    state: str | None
    marks: Decimal | None
    max_marks: Decimal
    options: list[ReviewOption] = field(default_factory=list)
    answer_text: str = ""
    answer_html: str = ""
    accepted: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    general_feedback: str = ""
    essay: EssayResponse | None = None
    rubric: list[dict] = field(default_factory=list)


def attempt_review(attempt: Attempt, level: str) -> list[ReviewQuestion]:
    """Each question with as much as the review level allows; SCORE shows none."""
    if level == Quiz.Review.SCORE:
        return []
    full = level == Quiz.Review.FULL
    essays = {e.question_key: e for e in attempt.essay_responses.all()}
    review = []
    for number, snap in enumerate(attempt.questions, start=1):
        key = snap["key"]
        result = attempt.results.get(key, {})
        answer = attempt.answers.get(key)
        item = ReviewQuestion(
            number=number,
            key=key,
            type=snap["type"],
            text=snap["text"],
            state=result.get("state"),
            marks=Decimal(result["marks"]) if "marks" in result else None,
            max_marks=Decimal(snap["mark"]),
        )
        if full:
            item.general_feedback = snap.get("general_feedback", "")
        _review_answer(item, snap, answer, full)
        if snap["type"] == grading.ESSAY:
            item.essay = essays.get(key)
            item.rubric = snap.get("rubric", [])
            if item.essay is not None:
                item.answer_html = item.essay.answer
                if item.essay.rubric_scores:
                    item.rubric = [
                        {**c, "awarded": p}
                        for c, p in zip(
                            item.rubric, item.essay.rubric_scores, strict=False
                        )
                    ]
        review.append(item)
    return review


def _review_answer(item: ReviewQuestion, snap: dict, answer, full: bool) -> None:
    qtype = snap["type"]
    options = snap.get("options", [])
    if qtype in (grading.SINGLE, grading.TRUE_FALSE, grading.MULTIPLE):
        chosen = set(answer if isinstance(answer, list) else [answer] if answer else [])
        for o in options:
            is_chosen = o["token"] in chosen
            item.options.append(
                ReviewOption(
                    text=o["text"] or o["token"],
                    chosen=is_chosen,
                    correct=(Decimal(o["credit"]) > 0) if full else None,
                    feedback=o.get("feedback", "") if (full and is_chosen) else "",
                )
            )
    elif qtype == grading.SHORT:
        item.answer_text = answer or ""
        if full:
            item.accepted = [o["text"] for o in options if Decimal(o["credit"]) >= 100]
            given = grading.normalise_text(
                answer or "", ignore_diacritics=snap.get("ignore_diacritics", False)
            )
            for o in options:
                same = grading.normalise_text(
                    o["text"], ignore_diacritics=snap.get("ignore_diacritics", False)
                )
                if answer and same == given and o.get("feedback"):
                    item.feedback = [o["feedback"]]
                    break
    elif qtype == grading.MATCHING:
        choices = {c["token"]: c["text"] for c in snap.get("choices", [])}
        answer = answer or {}
        for o in options:
            given = choices.get(answer.get(o["token"], ""), "")
            item.options.append(
                ReviewOption(
                    text=o["text"],
                    chosen=bool(given),
                    correct=(answer.get(o["token"]) == o["match"]) if full else None,
                    given=given,
                    expected=choices.get(o["match"], "") if full else "",
                )
            )
    elif qtype == grading.ORDERING:
        answer = answer or {}
        order = snap.get("correct_order", [])
        by_token = {o["token"]: o for o in options}
        shown = sorted(
            options,
            key=lambda o: (_position(answer.get(o["token"])) or 999, options.index(o)),
        )
        for o in shown:
            position = _position(answer.get(o["token"]))
            expected = order.index(o["token"]) + 1 if o["token"] in order else None
            item.options.append(
                ReviewOption(
                    text=by_token[o["token"]]["text"],
                    chosen=position is not None,
                    correct=(position == expected) if full else None,
                    given=str(position or ""),
                    expected=str(expected or "") if full else "",
                )
            )
    elif qtype == grading.ESSAY:
        item.answer_text = answer or ""


def _position(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Trainers --------------------------------------------------------------------


def can_grade_essays(user) -> bool:
    """Trainers and administrators grade essays; managers and trainees never do."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = {GROUP_NAMES[TRAINER], GROUP_NAMES[ADMINISTRATOR]}
    return user.groups.filter(name__in=names).exists()


def essays_visible_to(user):
    """Trainers and administrators see every course's essays but their own."""
    if not can_grade_essays(user):
        return EssayResponse.objects.none()
    return EssayResponse.objects.exclude(attempt__learner=user)


def item_analysis(quiz: Quiz) -> list[dict]:
    """Per question: how many answered, % right, how often each option was chosen."""
    attempts = Attempt.objects.filter(quiz=quiz).exclude(
        state=Attempt.State.IN_PROGRESS
    )
    stats: dict[int, dict] = {}
    option_counts: dict[int, Counter] = defaultdict(Counter)
    option_texts: dict[int, dict] = defaultdict(dict)
    for attempt in attempts.only("questions", "answers", "results").iterator():
        for snap in attempt.questions:
            qid = snap.get("question_id")
            entry = stats.setdefault(
                qid,
                {
                    "question_id": qid,
                    "name": snap.get("name", ""),
                    "type": snap["type"],
                    "shown": 0,
                    "answered": 0,
                    "correct": 0,
                    "marks": Decimal(0),
                    "max_marks": Decimal(0),
                },
            )
            entry["shown"] += 1
            answer = attempt.answers.get(snap["key"])
            result = attempt.results.get(snap["key"], {})
            if answer not in (None, "", [], {}):
                entry["answered"] += 1
            if result.get("state") == grading.CORRECT:
                entry["correct"] += 1
            entry["marks"] += Decimal(result.get("marks", "0"))
            entry["max_marks"] += Decimal(snap["mark"])
            for o in snap.get("options", []):
                is_true = o["token"] == "true"  # noqa: S105 - not a password
                label = o["text"] or (_("True") if is_true else _("False"))
                option_key = o.get("option_id") or o["token"]
                option_texts[qid][option_key] = label
                chosen = answer if isinstance(answer, list) else [answer]
                if snap["type"] in (
                    grading.SINGLE,
                    grading.MULTIPLE,
                    grading.TRUE_FALSE,
                ):
                    if o["token"] in chosen:
                        option_counts[qid][option_key] += 1
    rows = []
    for qid, entry in stats.items():
        answered = entry["answered"]
        entry["percent_correct"] = (
            round(entry["correct"] * 100 / answered) if answered else None
        )
        entry["facility"] = (
            round(entry["marks"] * 100 / entry["max_marks"])
            if entry["max_marks"]
            else None
        )
        entry["options"] = (
            [
                {
                    "text": text,
                    "count": option_counts[qid][key],
                    "percent": round(option_counts[qid][key] * 100 / answered)
                    if answered
                    else 0,
                }
                for key, text in option_texts[qid].items()
            ]
            if entry["type"] in (grading.SINGLE, grading.MULTIPLE, grading.TRUE_FALSE)
            else []
        )
        rows.append(entry)
    rows.sort(key=lambda r: r["name"])
    return rows
