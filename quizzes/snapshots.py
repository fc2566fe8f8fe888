"""The frozen copy of a question that an attempt shows, grades and reviews.

A snapshot is a dict stored in ``Attempt.questions``. It holds display data
(text, options in the order shown, opaque per-attempt option tokens) and the
key (credits, matches, the right order, feedback). Only ``public_question``
output ever reaches the attempt page; the review gets more as the quiz's
review setting allows.
"""

import random
import secrets
from decimal import Decimal

from . import grading

# Option order comes from the operating system's randomness, so a learner
# cannot predict one attempt's shuffle from another's.
_system_random = random.SystemRandom()


def new_token(used: set[str]) -> str:
    while True:
        token = secrets.token_urlsafe(6)
        if token not in used and token not in ("true", "false"):
            used.add(token)
            return token


def _decimal(value: Decimal | None) -> str:
    return str(value if value is not None else Decimal("0"))


def option_credits(question) -> list[Decimal]:
    """Each option's credit in percent, filling in the defaults for blanks."""
    options = list(question.options.all())
    if question.type == grading.MULTIPLE and all(o.credit is None for o in options):
        return grading.credits_for_multiple([o.is_correct for o in options])
    credits = []
    for o in options:
        if question.type == grading.SINGLE and o.is_correct:
            credits.append(grading.HUNDRED)
        elif o.credit is not None:
            credits.append(o.credit)
        elif question.type == grading.SHORT:
            credits.append(grading.HUNDRED)
        elif o.is_correct and question.type != grading.MULTIPLE:
            credits.append(grading.HUNDRED)
        else:
            # A multiple response question with some credits given: blanks count 0.
            credits.append(grading.ZERO)
    return credits


def key_fields(question) -> dict:
    """The parts of a snapshot a regrade may refresh from the current question."""
    return {
        "version": question.version,
        "scoring": question.scoring,
        "ignore_diacritics": question.ignore_diacritics,
    }


def snapshot_question(
    question, *, key: str, shuffle_options: bool, rng: random.Random | None = None
) -> dict:
    """Freeze a question (options and rubric prefetched) for one attempt."""
    rng = rng or _system_random
    used: set[str] = set()
    options = list(question.options.all())
    credits = option_credits(question)
    data = {
        "key": key,
        "question_id": question.pk,
        "type": question.type,
        "name": question.name,
        "text": question.text,
        "mark": str(question.mark),
        "general_feedback": question.general_feedback,
        "word_limit": question.word_limit,
        "grader_info": question.grader_info,
        "rubric": [
            {
                "title": c.title,
                "description": c.description,
                "points": str(c.points),
            }
            for c in question.rubric_criteria.all()
        ],
        "options": [],
        "choices": [],
        "correct_order": [],
        **key_fields(question),
    }
    if question.type == grading.TRUE_FALSE:
        answer = question.true_false_answer
        data["options"] = [
            {
                "token": "true",
                "option_id": None,
                "text": "",
                "credit": "100" if answer else "0",
                "feedback": question.feedback_true,
            },
            {
                "token": "false",
                "option_id": None,
                "text": "",
                "credit": "0" if answer else "100",
                "feedback": question.feedback_false,
            },
        ]
        return data
    entries = [
        {
            "token": new_token(used),
            "option_id": o.pk,
            "text": o.text,
            "credit": _decimal(credit),
            "feedback": o.feedback,
            "match": o.match_text,
        }
        for o, credit in zip(options, credits, strict=True)
    ]
    if question.type == grading.ORDERING:
        data["correct_order"] = [e["token"] for e in entries]
        shown = entries[:]
        # The items must never appear already in order: that is the answer.
        while len(shown) > 1 and shown == entries:
            rng.shuffle(shown)
        entries = shown
    elif question.type == grading.MATCHING:
        choices = {}
        for e in entries:
            if e["match"] not in choices:
                choices[e["match"]] = new_token(used)
            e["match"] = choices[e["match"]]
        data["choices"] = [{"token": t, "text": text} for text, t in choices.items()]
        rng.shuffle(data["choices"])
        if shuffle_options:
            rng.shuffle(entries)
    elif question.type in (grading.SINGLE, grading.MULTIPLE) and shuffle_options:
        rng.shuffle(entries)
    data["options"] = entries
    return data


def refresh_key(snapshot: dict, question) -> tuple[dict, list[str]]:
    """The snapshot with its key taken from the question as it is now.

    What the learner saw (text, options, order, tokens) stays; credits,
    matches, the right order, accepted answers and the true/false answer
    follow the current question. Returns the new snapshot and a list of
    human-readable changes.
    """
    new = dict(snapshot)
    new.update(key_fields(question))
    changes: list[str] = []
    options = list(question.options.all())
    by_id = {
        o.pk: (o, c) for o, c in zip(options, option_credits(question), strict=True)
    }
    if question.type == grading.TRUE_FALSE:
        fresh = snapshot_question(question, key=snapshot["key"], shuffle_options=False)
        new["options"] = fresh["options"]
    elif question.type == grading.SHORT:
        fresh = snapshot_question(question, key=snapshot["key"], shuffle_options=False)
        new["options"] = fresh["options"]
    else:
        choice_tokens = {c["text"]: c["token"] for c in snapshot.get("choices", [])}
        entries = []
        for entry in snapshot["options"]:
            entry = dict(entry)
            found = by_id.get(entry.get("option_id"))
            if found is None:
                entry["credit"] = "0"
            else:
                option, credit = found
                entry["credit"] = _decimal(credit)
                entry["feedback"] = option.feedback
                if question.type == grading.MATCHING:
                    entry["match"] = choice_tokens.get(option.match_text, "")
            entries.append(entry)
        new["options"] = entries
        if question.type == grading.ORDERING:
            token_by_id = {e.get("option_id"): e["token"] for e in entries}
            new["correct_order"] = [
                token_by_id[o.pk] for o in options if o.pk in token_by_id
            ]
    for label, before, after in (
        ("options", _key_view(snapshot), _key_view(new)),
        ("correct_order", snapshot.get("correct_order"), new.get("correct_order")),
        ("scoring", snapshot.get("scoring"), new.get("scoring")),
        (
            "ignore_diacritics",
            snapshot.get("ignore_diacritics"),
            new.get("ignore_diacritics"),
        ),
    ):
        if before != after:
            changes.append(f"{label}: {before} → {after}")
    return new, changes


def _key_view(snapshot: dict) -> list:
    return [
        (o.get("text") or o["token"], o.get("credit"), o.get("match", ""))
        for o in snapshot.get("options", [])
    ]


def public_question(snapshot: dict, number: int) -> dict:
    """What the attempt page may show: never credits, matches, order or feedback."""
    qtype = snapshot["type"]
    options = []
    if qtype in (
        grading.SINGLE,
        grading.MULTIPLE,
        grading.TRUE_FALSE,
        grading.MATCHING,
        grading.ORDERING,
    ):
        options = [
            {"token": o["token"], "text": o["text"]} for o in snapshot["options"]
        ]
    return {
        "key": snapshot["key"],
        "number": number,
        "type": qtype,
        "text": snapshot["text"],
        "mark": Decimal(snapshot["mark"]),
        "word_limit": snapshot.get("word_limit"),
        "rubric": snapshot.get("rubric", []) if qtype == grading.ESSAY else [],
        "options": options,
        "choices": [
            {"token": c["token"], "text": c["text"]}
            for c in snapshot.get("choices", [])
        ],
    }
