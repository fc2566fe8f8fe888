"""GIFT and Aiken question files: parse to plain data, and write GIFT back.

Pure functions over dataclasses; saving is ``quizzes.importing``'s job.

Two extensions keep a round trip exact while staying valid GIFT for Moodle,
which ignores comment lines:
- ``// @quizzes {json}`` before a question carries what GIFT cannot say
  (mark, all-or-nothing scoring, ignoring diacritics, essay word limit,
  rubric and grader information);
- ordering questions have no GIFT syntax, so they are written as one comment
  line ``// @ordering ::name::text{=first =second =third}``. Moodle skips
  them; this importer reads them back.
"""

import html
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from . import grading
from .rules import question_problems

ESCAPES = {
    "\\\\": "\ue000",
    "\\~": "\ue001",
    "\\=": "\ue002",
    "\\#": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\:": "\ue006",
    "\\n": "\ue007",
}
RESTORE = {
    "\ue000": "\\",
    "\ue001": "~",
    "\ue002": "=",
    "\ue003": "#",
    "\ue004": "{",
    "\ue005": "}",
    "\ue006": ":",
    "\ue007": "\n",
}
ESCAPE_RE = re.compile(r"\\[\\~=#{}:n]")
WEIGHT_RE = re.compile(r"^%(-?\d{1,3}(?:\.\d+)?)%")
FORMAT_RE = re.compile(r"^\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
META_PREFIX = "// @quizzes "
ORDERING_PREFIX = "// @ordering "
TRUE_WORDS = {"T", "TRUE"}
FALSE_WORDS = {"F", "FALSE"}
NAME_LENGTH = 80


@dataclass
class ParsedOption:
    text: str
    is_correct: bool = False
    credit: Decimal | None = None
    feedback: str = ""
    match_text: str = ""


@dataclass
class ParsedCriterion:
    title: str
    points: Decimal
    description: str = ""


@dataclass
class ParsedQuestion:
    type: str
    name: str
    text: str
    line: int = field(default=0, compare=False)
    category: str = ""  # a $CATEGORY path, or "" for the importer's default
    general_feedback: str = ""
    mark: Decimal = Decimal("1")
    scoring: str = grading.ALL_OR_NOTHING
    true_false_answer: bool = True
    feedback_true: str = ""
    feedback_false: str = ""
    ignore_diacritics: bool = False
    word_limit: int | None = None
    grader_info: str = ""
    options: list[ParsedOption] = field(default_factory=list)
    rubric: list[ParsedCriterion] = field(default_factory=list)


@dataclass(frozen=True)
class ParseError:
    line: int
    message: str

    def __str__(self):
        return _("Line %(line)s: %(message)s") % {
            "line": self.line,
            "message": self.message,
        }


@dataclass
class ParseResult:
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[ParseError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.questions)


class GiftSyntaxError(Exception):
    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.offset = offset


# Reading ---------------------------------------------------------------------


def _protect(text: str) -> str:
    return ESCAPE_RE.sub(lambda m: ESCAPES[m.group(0)], text)


def _restore(text: str) -> str:
    for placeholder, char in RESTORE.items():
        text = text.replace(placeholder, char)
    return text


def _html_to_plain(value: str) -> str:
    value = re.sub(r"<br\s*/?>", "\n", value, flags=re.IGNORECASE)
    value = re.sub(r"</(p|div|li|h\d)>", "\n", value, flags=re.IGNORECASE)
    return html.unescape(strip_tags(value))


def _clean(text: str) -> str:
    """Restore escapes and read a [format] marker; questions store plain text."""
    text = text.strip()
    marker = FORMAT_RE.match(text)
    fmt = "moodle"
    if marker:
        fmt = marker.group(1).lower()
        text = text[marker.end() :]
    text = _restore(text)
    if fmt == "html":
        text = _html_to_plain(text)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(lines).strip()


def _default_name(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= NAME_LENGTH else first[: NAME_LENGTH - 1] + "…"


def _split_feedback(part: str) -> tuple[str, str]:
    answer, _sep, feedback = part.partition("#")
    return answer, feedback


def _weight(part: str, offset: int) -> tuple[Decimal | None, str]:
    match = WEIGHT_RE.match(part)
    if not match:
        if part.startswith("%"):
            raise GiftSyntaxError(_("The weight must look like %50% or %-25%."), offset)
        return None, part
    try:
        value = Decimal(match.group(1))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits numbers only
        raise GiftSyntaxError(_("The weight is not a number."), offset) from exc
    if not Decimal("-100") <= value <= Decimal("100"):
        raise GiftSyntaxError(_("A weight must be between -100% and 100%."), offset)
    return value, part[match.end() :]


def _answer_parts(
    body: str, markers: str, body_offset: int = 0
) -> list[tuple[str, str, int]]:
    """Split an answer body at the marker characters: (marker, text, offset)."""
    parts = []
    current_marker, start = None, 0
    for index, char in enumerate(body):
        if char in markers:
            if current_marker is not None:
                parts.append((current_marker, body[start:index], start))
            elif body[:index].strip():
                raise GiftSyntaxError(
                    _("Each answer must start with = or ~."), body_offset
                )
            current_marker, start = char, index + 1
    if current_marker is not None:
        parts.append((current_marker, body[start:], start))
    elif body.strip():
        raise GiftSyntaxError(_("Each answer must start with = or ~."), body_offset)
    return parts


def _parse_choice(question: ParsedQuestion, body: str, body_offset: int) -> None:
    parts = _answer_parts(body, "=~", body_offset)
    single = any(marker == "=" for marker, _t, _o in parts)
    question.type = grading.SINGLE if single else grading.MULTIPLE
    if not single:
        question.scoring = grading.PARTIAL
    for marker, raw, offset in parts:
        weight, rest = _weight(raw.strip(), body_offset + offset)
        answer, feedback = _split_feedback(rest)
        if not _clean(answer):
            raise GiftSyntaxError(_("An answer is empty."), body_offset + offset)
        if marker == "=":
            if weight is not None and weight != 100:
                raise GiftSyntaxError(
                    _("A right answer (=) cannot have a weight; use ~%50% instead."),
                    body_offset + offset,
                )
            option = ParsedOption(_clean(answer), is_correct=True)
        else:
            # In a single choice only = is "the" right answer; weights are
            # partial credit. In multiple response every positive weight is right.
            option = ParsedOption(
                _clean(answer),
                is_correct=not single and bool(weight and weight > 0),
                credit=weight,
            )
        option.feedback = _clean(feedback)
        question.options.append(option)
    if len(question.options) < 2:
        raise GiftSyntaxError(_("A choice question needs at least two answers."))
    if question.type == grading.MULTIPLE:
        positive = sum(
            (o.credit for o in question.options if o.credit and o.credit > 0),
            Decimal(0),
        )
        if not positive:
            raise GiftSyntaxError(
                _("No answer is right: mark one with = or give weights like ~%50%.")
            )
        if abs(positive - 100) > Decimal("0.1"):
            raise GiftSyntaxError(
                _("The positive weights add up to %(total)s%%, not 100%%.")
                % {"total": format(positive.normalize(), "f")}
            )


def _parse_short(question: ParsedQuestion, body: str, body_offset: int) -> None:
    question.type = grading.SHORT
    for _marker, raw, offset in _answer_parts(body, "=", body_offset):
        weight, rest = _weight(raw.strip(), body_offset + offset)
        answer, feedback = _split_feedback(rest)
        if not _clean(answer):
            raise GiftSyntaxError(_("An answer is empty."), body_offset + offset)
        if weight is not None and weight <= 0:
            raise GiftSyntaxError(
                _("An accepted answer needs a positive weight."), body_offset + offset
            )
        question.options.append(
            ParsedOption(
                _clean(answer),
                is_correct=True,
                credit=None if weight in (None, 100) else weight,
                feedback=_clean(feedback),
            )
        )


def _parse_matching(question: ParsedQuestion, body: str, body_offset: int) -> None:
    question.type = grading.MATCHING
    for _marker, raw, offset in _answer_parts(body, "=", body_offset):
        left, arrow, right = raw.partition("->")
        if not arrow:
            raise GiftSyntaxError(
                _("A matching pair must look like =item -> match."),
                body_offset + offset,
            )
        if not _clean(left) or not _clean(right):
            raise GiftSyntaxError(
                _("Both sides of a matching pair need text."), body_offset + offset
            )
        question.options.append(ParsedOption(_clean(left), match_text=_clean(right)))
    if len(question.options) < 2:
        raise GiftSyntaxError(_("A matching question needs at least two pairs."))


def _parse_ordering(question: ParsedQuestion, body: str, body_offset: int) -> None:
    question.type = grading.ORDERING
    for _marker, raw, offset in _answer_parts(body, "=", body_offset):
        answer, feedback = _split_feedback(raw)
        if not _clean(answer):
            raise GiftSyntaxError(_("An item is empty."), body_offset + offset)
        question.options.append(ParsedOption(_clean(answer), feedback=_clean(feedback)))
    if len(question.options) < 2:
        raise GiftSyntaxError(_("An ordering question needs at least two items."))


def _parse_true_false(question: ParsedQuestion, body: str) -> None:
    question.type = grading.TRUE_FALSE
    word, _sep, rest = body.partition("#")
    wrong, _sep, right = rest.partition("#")
    question.true_false_answer = word.strip().upper() in TRUE_WORDS
    if question.true_false_answer:
        question.feedback_true, question.feedback_false = _clean(right), _clean(wrong)
    else:
        question.feedback_true, question.feedback_false = _clean(wrong), _clean(right)


def _is_true_false(body: str) -> bool:
    return body.partition("#")[0].strip().upper() in TRUE_WORDS | FALSE_WORDS


def parse_gift_question(text: str, *, ordering: bool = False) -> ParsedQuestion:
    """One GIFT question (already free of comment lines) to a ParsedQuestion."""
    text = _protect(text.strip())
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise GiftSyntaxError(_("The title is not closed with '::'."))
        name = _clean(text[2:end])
        text_offset = end + 2
    else:
        text_offset = 0
    start = text.find("{", text_offset)
    close = text.find("}", text_offset)
    if start == -1 and close == -1:
        raise GiftSyntaxError(
            _("No answer section: a question needs {…} (use {} for an essay).")
        )
    if close == -1:
        raise GiftSyntaxError(_("The answer section is not closed with '}'."), start)
    if start == -1 or close < start:
        raise GiftSyntaxError(_("'}' comes before any '{'."), close)
    if "{" in text[start + 1 : close]:
        raise GiftSyntaxError(
            _("A '{' inside the answers must be escaped as \\{."), start
        )
    after = text[close + 1 :]
    if "{" in after or "}" in after:
        raise GiftSyntaxError(
            _("Only one answer section is allowed per question."), close + 1
        )
    before = text[text_offset:start]
    stem = before.rstrip() + " _____ " + after.lstrip() if after.strip() else before
    body = text[start + 1 : close]
    general = ""
    if "####" in body:
        body, _sep, general = body.rpartition("####")
    question = ParsedQuestion(
        type=grading.ESSAY,
        name=name,
        text=_clean(stem),
        general_feedback=_clean(general),
    )
    if not question.text:
        raise GiftSyntaxError(_("The question has no text."))
    body_offset = start + 1
    stripped = body.strip()
    if ordering:
        _parse_ordering(question, body, body_offset)
    elif not stripped:
        question.type = grading.ESSAY
    elif stripped.startswith("#"):
        raise GiftSyntaxError(_("Numerical questions are not supported."), start)
    elif "~" in body:
        _parse_choice(question, body, body_offset)
    elif "=" in body and "->" in body:
        _parse_matching(question, body, body_offset)
    elif _is_true_false(body):
        _parse_true_false(question, body)
    else:
        _parse_short(question, body, body_offset)
    question.name = question.name or _default_name(question.text)
    return question


def _apply_meta(question: ParsedQuestion, meta: dict) -> None:
    if "mark" in meta:
        question.mark = Decimal(str(meta["mark"]))
        if question.mark <= 0:
            raise GiftSyntaxError(_("The mark must be more than 0."))
    if meta.get("scoring") in (grading.ALL_OR_NOTHING, grading.PARTIAL):
        question.scoring = meta["scoring"]
    question.ignore_diacritics = bool(meta.get("ignore_diacritics", False))
    if meta.get("word_limit"):
        question.word_limit = int(meta["word_limit"])
    question.grader_info = str(meta.get("grader_info", ""))
    for item in meta.get("rubric", []):
        question.rubric.append(
            ParsedCriterion(
                title=str(item["title"]),
                points=Decimal(str(item["points"])),
                description=str(item.get("description", "")),
            )
        )
    if meta.get("default_credits"):
        for option in question.options:
            option.credit = None


def _blocks(text: str):
    """Blank-line separated blocks as (first line number, [(line number, line)])."""
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _line_of(lines: list[tuple[int, str]], protected: str, offset: int) -> int:
    """The file line of a character offset into the joined, escape-protected block."""
    return lines[0][0] + protected[:offset].count("\n") if lines else 0


def parse_gift(text: str) -> ParseResult:
    """Every question in a GIFT file, with errors and their line numbers."""
    result = ParseResult()
    text = text.lstrip("\ufeff")
    category = ""
    for block in _blocks(text):
        metas, content = [], []
        ordering_lines = []
        for number, line in block:
            stripped = line.strip()
            if stripped.startswith(META_PREFIX):
                metas.append((number, stripped[len(META_PREFIX) :]))
            elif stripped.startswith(ORDERING_PREFIX):
                ordering_lines.append((number, stripped[len(ORDERING_PREFIX) :]))
            elif stripped.startswith("//"):
                continue
            else:
                content.append((number, line))
        if content and content[0][1].strip().startswith("$CATEGORY:"):
            category = _parse_category(content[0][1].strip()[len("$CATEGORY:") :])
            if not category:
                result.errors.append(
                    ParseError(content[0][0], _("The category path is empty."))
                )
            content = content[1:]
        meta = {}
        for number, raw in metas:
            try:
                meta.update(json.loads(raw))
            except (ValueError, TypeError):
                result.errors.append(
                    ParseError(number, _("The @quizzes line is not valid JSON."))
                )
        for number, raw in ordering_lines:
            _read_question(result, [(number, raw)], meta, category, ordering=True)
        if content:
            _read_question(result, content, meta, category, ordering=False)
    if not result.questions and not result.errors:
        result.errors.append(ParseError(1, _("The file holds no questions.")))
    return result


def _parse_category(raw: str) -> str:
    parts = [p.strip() for p in raw.strip().split("/") if p.strip()]
    while parts and parts[0] in ("$course$", "$system$", "$module$", "$cat1$"):
        parts.pop(0)
    if parts and parts[0] == "top":
        parts.pop(0)
    return "/".join(parts)


def _read_question(result, lines, meta, category, *, ordering):
    joined = "\n".join(line for _n, line in lines)
    protected = _protect(joined.strip())
    first_line = lines[0][0]
    # Offsets refer to the stripped, protected text; leading blank characters
    # never span lines here because blank lines end a block.
    try:
        question = parse_gift_question(joined, ordering=ordering)
        _apply_meta(question, meta)
    except GiftSyntaxError as exc:
        line = first_line + protected[: exc.offset].count("\n")
        result.errors.append(ParseError(line, exc.message))
        return
    except (ValueError, TypeError, KeyError, InvalidOperation):
        result.errors.append(
            ParseError(
                first_line, _("The @quizzes line has a value of the wrong kind.")
            )
        )
        return
    question.line = first_line
    question.category = category
    problems = question_problems(
        question.type,
        [vars(o) for o in question.options],
        [vars(c) for c in question.rubric],
    )
    if problems:
        result.errors.extend(ParseError(first_line, p) for p in problems)
        return
    result.questions.append(question)


AIKEN_OPTION_RE = re.compile(r"^([A-Z])[.)]\s+(.+)$")
AIKEN_ANSWER_RE = re.compile(r"^ANSWER\s*:\s*([A-Z])\s*$", re.IGNORECASE)


def parse_aiken(text: str) -> ParseResult:
    """Aiken: a question line, lettered options 'A.' or 'A)', then 'ANSWER: X'."""
    result = ParseResult()
    text = text.lstrip("\ufeff")
    stem: list[str] = []
    stem_line = 0
    options: list[tuple[str, str]] = []
    broken = False

    def reset():
        nonlocal stem, options, stem_line, broken
        stem, options, stem_line, broken = [], [], 0, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = AIKEN_ANSWER_RE.match(line)
        option = AIKEN_OPTION_RE.match(line)
        if answer:
            letter = answer.group(1).upper()
            letters = [letter_ for letter_, _t in options]
            if broken:
                pass
            elif not stem:
                result.errors.append(
                    ParseError(number, _("ANSWER without a question before it."))
                )
            elif len(options) < 2:
                result.errors.append(
                    ParseError(
                        number, _("A question needs at least two options (A. …, B. …).")
                    )
                )
            elif letter not in letters:
                result.errors.append(
                    ParseError(
                        number,
                        _("The answer %(letter)s is not one of the options.")
                        % {"letter": letter},
                    )
                )
            else:
                question_text = "\n".join(stem)
                result.questions.append(
                    ParsedQuestion(
                        type=grading.SINGLE,
                        name=_default_name(question_text),
                        text=question_text,
                        line=stem_line,
                        options=[
                            ParsedOption(text, is_correct=(letter_ == letter))
                            for letter_, text in options
                        ],
                    )
                )
            reset()
        elif option and stem:
            expected = chr(ord("A") + len(options))
            if option.group(1) != expected and not broken:
                result.errors.append(
                    ParseError(
                        number,
                        _("Expected option %(expected)s, found %(found)s.")
                        % {"expected": expected, "found": option.group(1)},
                    )
                )
                broken = True
            options.append((option.group(1), option.group(2).strip()))
        elif options:
            if not broken:
                result.errors.append(
                    ParseError(
                        number,
                        _(
                            "Expected another option or the ANSWER line; the "
                            "previous question has no ANSWER."
                        ),
                    )
                )
            broken = True
            # Start over from this line so one mistake does not hide the rest.
            stem, options, stem_line = [line], [], number
        else:
            if not stem:
                stem_line = number
            stem.append(line)
    if stem and not broken:
        result.errors.append(
            ParseError(stem_line, _("The last question has no ANSWER line."))
        )
    if not result.questions and not result.errors:
        result.errors.append(ParseError(1, _("The file holds no questions.")))
    return result


# Writing ---------------------------------------------------------------------


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _feedback(text: str) -> str:
    return "#" + escape(text) if text else ""


def _meta(question: ParsedQuestion, default_credits: bool) -> dict:
    meta: dict = {}
    if question.mark != 1:
        meta["mark"] = _number(question.mark)
    if question.type in (grading.MULTIPLE, grading.ORDERING, grading.MATCHING):
        natural = (
            grading.PARTIAL
            if question.type == grading.MULTIPLE
            else grading.ALL_OR_NOTHING
        )
        if question.scoring != natural:
            meta["scoring"] = question.scoring
    if question.type == grading.SHORT and question.ignore_diacritics:
        meta["ignore_diacritics"] = True
    if question.type == grading.ESSAY:
        if question.word_limit:
            meta["word_limit"] = question.word_limit
        if question.grader_info:
            meta["grader_info"] = question.grader_info
        if question.rubric:
            meta["rubric"] = [
                {
                    "title": c.title,
                    "points": _number(c.points),
                    "description": c.description,
                }
                for c in question.rubric
            ]
    if default_credits:
        meta["default_credits"] = True
    return meta


def write_gift_question(question: ParsedQuestion) -> str:
    head = f"::{escape(question.name)}::{escape(question.text)}"
    general = (
        f"####{escape(question.general_feedback)}" if question.general_feedback else ""
    )
    default_credits = False
    lines = []
    if question.type == grading.ESSAY:
        lines.append(head + "{" + general + "}")
    elif question.type == grading.TRUE_FALSE:
        right, wrong = (
            (question.feedback_true, question.feedback_false)
            if question.true_false_answer
            else (question.feedback_false, question.feedback_true)
        )
        word = "TRUE" if question.true_false_answer else "FALSE"
        feedback = ""
        if wrong or right:
            feedback = "#" + escape(wrong) + ("#" + escape(right) if right else "")
        lines.append(head + "{" + word + feedback + general + "}")
    elif question.type == grading.ORDERING:
        items = " ".join(
            "=" + escape(o.text) + _feedback(o.feedback) for o in question.options
        )
        lines.append(ORDERING_PREFIX + head + "{" + items + " " + general + "}")
    else:
        lines.append(head + "{")
        if question.type == grading.SINGLE:
            for o in question.options:
                if o.is_correct:
                    mark = "="
                elif o.credit:
                    mark = f"~%{_number(o.credit)}%"
                else:
                    mark = "~"
                lines.append(f"\t{mark}{escape(o.text)}{_feedback(o.feedback)}")
        elif question.type == grading.MULTIPLE:
            default_credits = all(o.credit is None for o in question.options)
            credits = (
                grading.credits_for_multiple([o.is_correct for o in question.options])
                if default_credits
                else [o.credit or Decimal(0) for o in question.options]
            )
            for o, credit in zip(question.options, credits, strict=True):
                credit = credit.quantize(Decimal("0.001"))
                lines.append(
                    f"\t~%{_number(credit)}%{escape(o.text)}{_feedback(o.feedback)}"
                )
        elif question.type == grading.SHORT:
            for o in question.options:
                weight = f"%{_number(o.credit)}%" if o.credit not in (None, 100) else ""
                lines.append(f"\t={weight}{escape(o.text)}{_feedback(o.feedback)}")
        elif question.type == grading.MATCHING:
            for o in question.options:
                lines.append(f"\t={escape(o.text)} -> {escape(o.match_text)}")
        if general:
            lines.append("\t" + general)
        lines.append("}")
    meta = _meta(question, default_credits)
    prefix = [META_PREFIX + json.dumps(meta, ensure_ascii=False)] if meta else []
    return "\n".join(prefix + lines)


def write_gift(questions: list[ParsedQuestion]) -> str:
    """A GIFT file, with a $CATEGORY line whenever the category changes."""
    chunks = []
    category = None
    for question in questions:
        if question.category != category:
            category = question.category
            chunks.append(f"$CATEGORY: {category}")
        chunks.append(write_gift_question(question))
    return "\n\n".join(chunks) + "\n"
