"""Scoring, as pure functions over plain data: no ORM, no settings, no clock.

An attempt stores a frozen snapshot of each question it showed (see
``quizzes.snapshots``); ``QuestionKey.from_snapshot`` reads one back and
``grade_answers`` scores a learner's answers against those keys.

Answer shapes, as the attempt stores them:
- single choice, true/false: an option token (``str``)
- multiple response: a list of option tokens
- short answer, essay: text
- matching: ``{item token: choice token}``
- ordering: ``{item token: position}`` with positions from 1
"""

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "truefalse"
SHORT = "short"
MATCHING = "matching"
ORDERING = "ordering"
ESSAY = "essay"

ALL_OR_NOTHING = "all"
PARTIAL = "partial"

HIGHEST = "highest"
LAST = "last"

CORRECT = "correct"
PARTIALLY_CORRECT = "partial"
INCORRECT = "incorrect"
UNANSWERED = "unanswered"
NEEDS_GRADING = "needs_grading"

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def normalise_text(value: str, *, ignore_diacritics: bool = False) -> str:
    """Compare answers in NFC, ignoring case and extra spaces (and maybe accents).

    Unicode does not decompose đ/Đ (they are letters, not d + a mark), so
    ignoring diacritics maps them to d explicitly.
    """
    text = unicodedata.normalize("NFC", value or "").casefold()
    text = " ".join(text.split())
    if ignore_diacritics:
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
        text = text.replace("đ", "d").replace("Đ", "d")
        text = unicodedata.normalize("NFC", text)
    return text


def count_words(text: str) -> int:
    return len((text or "").split())


@dataclass(frozen=True)
class OptionKey:
    token: str
    credit: Decimal = ZERO  # percent of the question's mark, -100..100
    feedback: str = ""
    text: str = ""
    match: str = ""  # matching: the token of the right choice


@dataclass(frozen=True)
class QuestionKey:
    key: str
    type: str
    mark: Decimal
    options: tuple[OptionKey, ...] = ()
    scoring: str = ALL_OR_NOTHING
    ignore_diacritics: bool = False
    correct_order: tuple[str, ...] = ()  # ordering: item tokens, first to last

    @classmethod
    def from_snapshot(cls, data: Mapping[str, Any]) -> "QuestionKey":
        return cls(
            key=data["key"],
            type=data["type"],
            mark=Decimal(str(data["mark"])),
            options=tuple(
                OptionKey(
                    token=o["token"],
                    credit=Decimal(str(o.get("credit", 0))),
                    feedback=o.get("feedback", ""),
                    text=o.get("text", ""),
                    match=o.get("match", ""),
                )
                for o in data.get("options", ())
            ),
            scoring=data.get("scoring", ALL_OR_NOTHING),
            ignore_diacritics=bool(data.get("ignore_diacritics", False)),
            correct_order=tuple(data.get("correct_order", ())),
        )

    @property
    def correct_tokens(self) -> frozenset[str]:
        return frozenset(o.token for o in self.options if o.credit > 0)


@dataclass(frozen=True)
class QuestionResult:
    key: str
    marks: Decimal
    max_marks: Decimal
    state: str
    feedback: tuple[str, ...] = ()  # per-option feedback for what was chosen

    @property
    def fraction(self) -> Decimal:
        return self.marks / self.max_marks if self.max_marks else ZERO


@dataclass(frozen=True)
class Score:
    results: tuple[QuestionResult, ...] = field(default_factory=tuple)

    @property
    def marks(self) -> Decimal:
        return quantize(sum((r.marks for r in self.results), ZERO))

    @property
    def max_marks(self) -> Decimal:
        return quantize(sum((r.max_marks for r in self.results), ZERO))

    @property
    def percent(self) -> Decimal:
        if not self.max_marks:
            return ZERO
        return quantize(self.marks * HUNDRED / self.max_marks)

    @property
    def needs_grading(self) -> bool:
        return any(r.state == NEEDS_GRADING for r in self.results)

    def by_key(self) -> dict[str, QuestionResult]:
        return {r.key: r for r in self.results}


def _state(fraction: Decimal) -> str:
    if fraction >= 1:
        return CORRECT
    if fraction > 0:
        return PARTIALLY_CORRECT
    return INCORRECT


def _result(question: QuestionKey, fraction: Decimal, feedback=()) -> QuestionResult:
    fraction = min(max(fraction, ZERO), Decimal("1"))
    return QuestionResult(
        key=question.key,
        marks=quantize(question.mark * fraction),
        max_marks=question.mark,
        state=_state(fraction),
        feedback=tuple(f for f in feedback if f),
    )


def _unanswered(question: QuestionKey) -> QuestionResult:
    return QuestionResult(question.key, ZERO, question.mark, UNANSWERED)


def _is_blank(answer: Any) -> bool:
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, Mapping):
        return not any(str(v).strip() for v in answer.values())
    if isinstance(answer, Iterable):
        return not any(True for _ in answer)
    return False


def grade_choice(question: QuestionKey, answer: str) -> QuestionResult:
    """Single choice and true/false: the chosen option's credit."""
    for option in question.options:
        if option.token == answer:
            return _result(question, option.credit / HUNDRED, [option.feedback])
    return _result(question, ZERO)


def grade_multiple(question: QuestionKey, answer: Sequence[str]) -> QuestionResult:
    """All-or-nothing: exactly the right set. Partial: the sum of chosen credits."""
    chosen = set(answer)
    options = [o for o in question.options if o.token in chosen]
    feedback = [o.feedback for o in options]
    if question.scoring == PARTIAL:
        return _result(
            question, sum((o.credit for o in options), ZERO) / HUNDRED, feedback
        )
    right = chosen == question.correct_tokens
    return _result(question, Decimal(1) if right else ZERO, feedback)


def grade_short(question: QuestionKey, answer: str) -> QuestionResult:
    """The best credit among accepted answers equal to the response once normalised."""
    given = normalise_text(answer, ignore_diacritics=question.ignore_diacritics)
    matches = [
        o
        for o in question.options
        if normalise_text(o.text, ignore_diacritics=question.ignore_diacritics) == given
    ]
    if not matches:
        return _result(question, ZERO)
    best = max(matches, key=lambda o: o.credit)
    return _result(question, best.credit / HUNDRED, [best.feedback])


def grade_matching(question: QuestionKey, answer: Mapping[str, str]) -> QuestionResult:
    """Each item is worth an equal share; all-or-nothing needs every pair right."""
    items = question.options
    if not items:
        return _result(question, ZERO)
    right = sum(1 for o in items if answer.get(o.token) == o.match)
    if question.scoring == ALL_OR_NOTHING:
        return _result(question, Decimal(1) if right == len(items) else ZERO)
    return _result(question, Decimal(right) / Decimal(len(items)))


def grade_ordering(question: QuestionKey, answer: Mapping[str, Any]) -> QuestionResult:
    """An item is right when the learner put it at its place in the correct order."""
    order = question.correct_order
    if not order:
        return _result(question, ZERO)
    right = 0
    for place, token in enumerate(order, start=1):
        try:
            given = int(answer.get(token))
        except (TypeError, ValueError):
            continue
        right += given == place
    if question.scoring == PARTIAL:
        return _result(question, Decimal(right) / Decimal(len(order)))
    return _result(question, Decimal(1) if right == len(order) else ZERO)


def grade_essay(question: QuestionKey, manual: Decimal | None) -> QuestionResult:
    if manual is None:
        return QuestionResult(question.key, ZERO, question.mark, NEEDS_GRADING)
    return _result(question, Decimal(manual) / question.mark)


def grade_question(
    question: QuestionKey, answer: Any, manual: Decimal | None = None
) -> QuestionResult:
    if question.type == ESSAY:
        if _is_blank(answer) and manual is None:
            return _unanswered(question)
        return grade_essay(question, manual)
    if _is_blank(answer):
        return _unanswered(question)
    if question.type in (SINGLE, TRUE_FALSE):
        return grade_choice(question, str(answer))
    if question.type == MULTIPLE:
        return grade_multiple(question, list(answer))
    if question.type == SHORT:
        return grade_short(question, str(answer))
    if question.type == MATCHING:
        return grade_matching(question, dict(answer))
    if question.type == ORDERING:
        return grade_ordering(question, dict(answer))
    raise ValueError(f"Unknown question type {question.type!r}")


def grade_answers(
    questions: Sequence[QuestionKey],
    answers: Mapping[str, Any],
    manual: Mapping[str, Decimal] | None = None,
) -> Score:
    """Score every question of an attempt; essays use the trainer's marks when given."""
    manual = manual or {}
    return Score(
        tuple(
            grade_question(q, answers.get(q.key), manual.get(q.key)) for q in questions
        )
    )


def essay_marks(
    *, mark: Decimal, criteria_points: Sequence[Decimal], awarded: Sequence[Decimal]
) -> Decimal:
    """Rubric points scaled to the question's mark; without a rubric, marks as given."""
    if not criteria_points:
        return quantize(min(max(sum(awarded, ZERO), ZERO), mark))
    total = sum(criteria_points, ZERO)
    got = sum(
        (min(max(a, ZERO), p) for a, p in zip(awarded, criteria_points, strict=True)),
        ZERO,
    )
    return quantize(mark * got / total)


def quiz_score(method: str, scores: Sequence[Decimal]) -> Decimal | None:
    """The score that counts: the highest or the last of the graded attempts."""
    if not scores:
        return None
    return max(scores) if method == HIGHEST else scores[-1]


def credits_for_multiple(correct: Sequence[bool]) -> list[Decimal]:
    """Default credits when the author only ticked the right options.

    Right options share 100%; each wrong option takes away one right share, so
    ticking everything cannot earn the mark under partial credit.
    """
    n_right = sum(1 for c in correct if c)
    if not n_right:
        return [ZERO for _ in correct]
    share = HUNDRED / n_right
    return [share if c else -share for c in correct]
