"""Reading a posted attempt page into answers, refusing anything forged. No ORM.

Field names: ``q3`` for single choice, true/false, multiple response (one value
per ticked box), short answer and essay; ``q3-<item token>`` for each item of
a matching (value: a choice token) or ordering question (value: a position).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import grading

FIELD_RE = re.compile(r"^(q\d+)(?:-(.+))?$")
SHORT_ANSWER_MAX = 500
ESSAY_MAX_CHARS = 50_000


class ForgedAnswer(Exception):
    """The post names a question or option the attempt never showed."""


@dataclass
class ParsedPage:
    answers: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def _getlist(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_page(
    snapshots: Sequence[Mapping], data, page_keys: Sequence[str]
) -> ParsedPage:
    """Answers for the page's questions (absent fields clear them) and others posted.

    Raises ForgedAnswer for an unknown question or an option, item or choice
    token the attempt did not show; returns field errors for answers that are
    well-formed but not acceptable (over a word limit, a position used twice).
    """
    by_key = {s["key"]: s for s in snapshots}
    posted: set[str] = set()
    for name in data.keys():
        match = FIELD_RE.match(name)
        if not match:
            continue
        key = match.group(1)
        if key not in by_key:
            raise ForgedAnswer(_("That question is not part of this attempt."))
        posted.add(key)
    result = ParsedPage()
    for key in list(dict.fromkeys([*page_keys, *sorted(posted)])):
        if key not in by_key:
            raise ForgedAnswer(_("That question is not part of this attempt."))
        snapshot = by_key[key]
        answer, errors = _parse_question(snapshot, data)
        result.answers[key] = answer
        if errors:
            result.errors[key] = errors
    return result


def _parse_question(snapshot: Mapping, data) -> tuple[object, list[str]]:
    key, qtype = snapshot["key"], snapshot["type"]
    tokens = {o["token"] for o in snapshot["options"]}
    if qtype in (grading.SINGLE, grading.TRUE_FALSE):
        values = [v for v in _getlist(data, key) if v]
        if len(values) > 1 or (values and values[0] not in tokens):
            raise ForgedAnswer(_("That answer is not one of the options shown."))
        return (values[0] if values else None), []
    if qtype == grading.MULTIPLE:
        values = [v for v in _getlist(data, key) if v]
        if any(v not in tokens for v in values):
            raise ForgedAnswer(_("That answer is not one of the options shown."))
        return sorted(set(values), key=values.index), []
    if qtype == grading.SHORT:
        value = " ".join((data.get(key) or "").split())
        if len(value) > SHORT_ANSWER_MAX:
            return value, [
                _("Keep the answer under %(max)s characters.")
                % {"max": SHORT_ANSWER_MAX}
            ]
        return value or None, []
    if qtype == grading.ESSAY:
        value = (data.get(key) or "").replace("\r\n", "\n").strip()
        errors = []
        limit = snapshot.get("word_limit")
        words = grading.count_words(value)
        if limit and words > limit:
            errors.append(
                ngettext(
                    "Your answer has %(words)s words; the limit is %(limit)s word.",
                    "Your answer has %(words)s words; the limit is %(limit)s words.",
                    limit,
                )
                % {"words": words, "limit": limit}
            )
        if len(value) > ESSAY_MAX_CHARS:
            errors.append(_("The answer is too long."))
        return value or None, errors
    if qtype in (grading.MATCHING, grading.ORDERING):
        prefix = key + "-"
        for name in data.keys():
            if name.startswith(prefix) and name[len(prefix) :] not in tokens:
                raise ForgedAnswer(_("That item is not part of this question."))
        answer = {}
        if qtype == grading.MATCHING:
            choices = {c["token"] for c in snapshot.get("choices", [])}
            for token in tokens:
                value = data.get(prefix + token) or ""
                if value and value not in choices:
                    raise ForgedAnswer(
                        _("That answer is not one of the options shown.")
                    )
                if value:
                    answer[token] = value
            return (answer or None), []
        count = len(tokens)
        for token in tokens:
            value = (data.get(prefix + token) or "").strip()
            if not value:
                continue
            try:
                position = int(value)
            except ValueError:
                position = 0
            if not 1 <= position <= count:
                return _raw_positions(tokens, data, prefix), [
                    _("Use the numbers 1 to %(count)s.") % {"count": count}
                ]
            answer[token] = position
        if len(set(answer.values())) != len(answer):
            return answer, [_("Give each item a different number.")]
        return (answer or None), []
    raise ForgedAnswer(_("That question is not part of this attempt."))


def _raw_positions(tokens, data, prefix) -> dict:
    return {t: (data.get(prefix + t) or "").strip() for t in tokens}
