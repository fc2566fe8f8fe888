"""Scoring is pure: these tests never touch the database."""

from decimal import Decimal

import pytest

from quizzes import grading
from quizzes.grading import (
    OptionKey,
    QuestionKey,
    essay_marks,
    grade_answers,
    grade_question,
    normalise_text,
    quiz_score,
)

D = Decimal


def choice(key="q1", type="single", mark="1", credits=(100, 0, 0), **kw):
    return QuestionKey(
        key=key,
        type=type,
        mark=D(mark),
        options=tuple(
            OptionKey(token=f"t{i}", credit=D(c), feedback=f"fb{i}")
            for i, c in enumerate(credits)
        ),
        **kw,
    )


def test_single_choice_right_wrong_and_unanswered():
    q = choice(mark="2")
    right = grade_question(q, "t0")
    assert (right.marks, right.state, right.feedback) == (
        D("2.00"),
        "correct",
        ("fb0",),
    )
    wrong = grade_question(q, "t1")
    assert (wrong.marks, wrong.state) == (D("0.00"), "incorrect")
    assert grade_question(q, None).state == "unanswered"
    assert grade_question(q, "").state == "unanswered"


def test_single_choice_partial_credit_option():
    q = choice(credits=(100, 50, 0))
    result = grade_question(q, "t1")
    assert (result.marks, result.state) == (D("0.50"), "partial")


def test_unknown_token_scores_nothing():
    assert grade_question(choice(), "forged").marks == 0


def test_true_false_uses_option_credits():
    q = QuestionKey(
        key="q1",
        type="truefalse",
        mark=D(1),
        options=(
            OptionKey("true", D(0), "said true"),
            OptionKey("false", D(100), "said false"),
        ),
    )
    assert grade_question(q, "false").state == "correct"
    wrong = grade_question(q, "true")
    assert wrong.state == "incorrect"
    assert wrong.feedback == ("said true",)


def test_multiple_response_all_or_nothing():
    q = choice(type="multiple", credits=(50, 50, -100), scoring="all")
    assert grade_question(q, ["t0", "t1"]).marks == 1
    assert grade_question(q, ["t0"]).marks == 0
    assert grade_question(q, ["t0", "t1", "t2"]).marks == 0


def test_multiple_response_partial_credit_and_clamping():
    q = choice(type="multiple", credits=(50, 50, -100), scoring="partial")
    assert grade_question(q, ["t0"]).marks == D("0.50")
    assert grade_question(q, ["t0", "t1"]).state == "correct"
    # A wrong option takes credit away, never below zero.
    assert grade_question(q, ["t0", "t2"]).marks == 0
    assert grade_question(q, ["t2"]).state == "incorrect"


def test_default_multiple_credits_penalise_ticking_everything():
    credits = grading.credits_for_multiple([True, True, False, False])
    assert credits == [D(50), D(50), D(-50), D(-50)]
    q = choice(type="multiple", credits=credits, scoring="partial")
    assert grade_question(q, ["t0", "t1", "t2", "t3"]).marks == 0


def short(answers, ignore=False, mark="1"):
    return QuestionKey(
        key="q1",
        type="short",
        mark=D(mark),
        ignore_diacritics=ignore,
        options=tuple(
            OptionKey(token=f"a{i}", text=text, credit=D(credit), feedback=f"fb-{text}")
            for i, (text, credit) in enumerate(answers)
        ),
    )


def test_short_answer_ignores_case_and_spaces():
    q = short([("Nghị định 09", 100)])
    assert grade_question(q, "  nghị   ĐỊNH 09 ").state == "correct"
    assert grade_question(q, "Nghi dinh 09").state == "incorrect"


def test_short_answer_compares_in_nfc():
    decomposed = (
        "Nghi\u0323 đi\u0323nh"  # combining dot below, as some keyboards type it
    )
    q = short([("Nghị định", 100)])
    assert grade_question(q, decomposed).state == "correct"


def test_short_answer_can_ignore_diacritics_including_d_stroke():
    q = short([("Đà Nẵng", 100)], ignore=True)
    assert grade_question(q, "da nang").state == "correct"
    assert grade_question(q, "ĐA NANG").state == "correct"
    assert normalise_text("Đường đi", ignore_diacritics=True) == "duong di"


def test_short_answer_several_accepted_best_credit_wins():
    q = short([("09/2017/NĐ-CP", 100), ("09", 50)])
    assert grade_question(q, "09").marks == D("0.50")
    assert grade_question(q, "09/2017/nđ-cp").marks == 1
    assert grade_question(q, "09").feedback == ("fb-09",)


def matching(scoring="all"):
    return QuestionKey(
        key="q1",
        type="matching",
        mark=D(3),
        scoring=scoring,
        options=(
            OptionKey("i1", match="c1"),
            OptionKey("i2", match="c2"),
            OptionKey("i3", match="c3"),
        ),
    )


def test_matching_all_or_nothing_and_partial():
    all_right = {"i1": "c1", "i2": "c2", "i3": "c3"}
    two_right = {"i1": "c1", "i2": "c2", "i3": "c2"}
    assert grade_question(matching(), all_right).marks == 3
    assert grade_question(matching(), two_right).marks == 0
    assert grade_question(matching("partial"), two_right).marks == D("2.00")
    assert grade_question(matching(), {}).state == "unanswered"


def ordering(scoring="all"):
    return QuestionKey(
        key="q1",
        type="ordering",
        mark=D(4),
        scoring=scoring,
        options=tuple(OptionKey(t) for t in ("b", "a", "d", "c")),
        correct_order=("a", "b", "c", "d"),
    )


def test_ordering_all_or_nothing_and_partial():
    right = {"a": 1, "b": 2, "c": 3, "d": 4}
    half = {"a": 1, "b": 2, "c": 4, "d": 3}
    assert grade_question(ordering(), right).state == "correct"
    assert grade_question(ordering(), half).marks == 0
    assert grade_question(ordering("partial"), half).marks == D("2.00")
    # Positions arrive from forms as text.
    assert grade_question(ordering(), {k: str(v) for k, v in right.items()}).marks == 4


def test_essay_waits_for_a_trainer_then_uses_their_marks():
    q = QuestionKey(key="q1", type="essay", mark=D(5))
    pending = grade_question(q, "Thông cáo báo chí …")
    assert pending.state == "needs_grading"
    graded = grade_question(q, "Thông cáo báo chí …", manual=D("3.5"))
    assert (graded.marks, graded.state) == (D("3.50"), "partial")
    assert grade_question(q, "").state == "unanswered"


def test_grade_answers_totals_and_percent():
    questions = [choice(key="q1"), choice(key="q2", mark="3"), short([("x", 100)])]
    questions[2] = QuestionKey(
        key="q3", type="short", mark=D(1), options=(OptionKey("a", D(100), text="x"),)
    )
    score = grade_answers(questions, {"q1": "t0", "q2": "t1", "q3": "X"})
    assert (score.marks, score.max_marks, score.percent) == (
        D("2.00"),
        D("5.00"),
        D("40.00"),
    )
    assert not score.needs_grading


def test_grade_answers_flags_essays_needing_grading():
    questions = [choice(key="q1"), QuestionKey(key="q2", type="essay", mark=D(1))]
    score = grade_answers(questions, {"q1": "t0", "q2": "Bài viết"})
    assert score.needs_grading
    graded = grade_answers(questions, {"q1": "t0", "q2": "Bài viết"}, {"q2": D(1)})
    assert graded.percent == 100


def test_question_key_reads_a_snapshot():
    snapshot = {
        "key": "q4",
        "type": "ordering",
        "mark": "2.00",
        "options": [{"token": "x", "credit": "0"}, {"token": "y", "credit": "0"}],
        "correct_order": ["y", "x"],
        "scoring": "partial",
    }
    key = QuestionKey.from_snapshot(snapshot)
    assert key.correct_order == ("y", "x")
    assert grade_question(key, {"y": "1", "x": "2"}).marks == 2


def test_essay_marks_scale_rubric_points_to_the_mark():
    assert essay_marks(
        mark=D(4), criteria_points=[D(2), D(2)], awarded=[D(2), D(1)]
    ) == D("3.00")
    # Points above a criterion's maximum count as the maximum.
    assert essay_marks(mark=D(10), criteria_points=[D(5)], awarded=[D(9)]) == D("10.00")
    assert essay_marks(mark=D(4), criteria_points=[], awarded=[D("2.5")]) == D("2.50")


@pytest.mark.parametrize(
    ("method", "scores", "expected"),
    [
        ("highest", [D(40), D(90), D(60)], D(90)),
        ("last", [D(40), D(90), D(60)], D(60)),
        ("highest", [], None),
    ],
)
def test_quiz_score_by_grading_method(method, scores, expected):
    assert quiz_score(method, scores) == expected


def test_unknown_question_type_is_an_error():
    with pytest.raises(ValueError):
        grade_question(QuestionKey(key="q1", type="numeric", mark=D(1)), "3")
