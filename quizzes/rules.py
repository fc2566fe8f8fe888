"""What a question needs to be gradable; shared by the admin form and imports."""

from decimal import Decimal

from django.utils.translation import gettext as _

from . import grading


def question_problems(qtype: str, options: list[dict], rubric: list[dict]) -> list[str]:
    """What is wrong with a question's options for its type; empty when gradable."""
    problems = []
    correct = [o for o in options if o.get("is_correct")]
    if qtype == grading.SINGLE:
        if len(options) < 2:
            problems.append(_("A single choice question needs at least two options."))
        if len(correct) != 1:
            problems.append(_("Tick exactly one right option."))
    elif qtype == grading.MULTIPLE:
        if len(options) < 2:
            problems.append(
                _("A multiple response question needs at least two options.")
            )
        if not correct:
            problems.append(_("Tick at least one right option."))
        credits = [o.get("credit") for o in options if o.get("credit") is not None]
        if credits:
            positive = sum((c for c in credits if c > 0), Decimal(0))
            if abs(positive - 100) > Decimal("0.1"):
                problems.append(
                    _(
                        "The positive credits must add up to 100%% "
                        "(they add up to %s%%)."
                    )
                    % format(positive.normalize(), "f")
                )
    elif qtype == grading.SHORT:
        if not options:
            problems.append(_("Give at least one accepted answer."))
    elif qtype == grading.MATCHING:
        if len(options) < 2:
            problems.append(_("A matching question needs at least two pairs."))
        if any(not o.get("match_text") for o in options):
            problems.append(_("Every matching item needs the text it matches."))
    elif qtype == grading.ORDERING:
        if len(options) < 2:
            problems.append(_("An ordering question needs at least two items."))
    elif qtype in (grading.TRUE_FALSE, grading.ESSAY):
        if options:
            problems.append(_("True/false and essay questions have no options."))
    if rubric and qtype != grading.ESSAY:
        problems.append(_("Only essay questions have a rubric."))
    return problems
