"""Question bank import and export: between ParsedQuestion data and the database."""

from django.db import transaction

from . import formats
from .models import Option, Question, QuestionCategory, RubricCriterion


def parse_file(text: str, fmt: str) -> formats.ParseResult:
    if fmt == "gift":
        return formats.parse_gift(text)
    if fmt == "aiken":
        return formats.parse_aiken(text)
    raise ValueError(f"Unknown question format {fmt!r}")


@transaction.atomic
def ensure_category(*, path: str) -> QuestionCategory:
    """The category at a path like "Phát ngôn/Cơ bản", creating missing levels."""
    names = QuestionCategory.split_path(path)
    if not names:
        raise ValueError("A category path needs at least one name.")
    parent = None
    for name in names:
        category = QuestionCategory.objects.filter(parent=parent, name=name).first()
        if category is None:
            category = QuestionCategory(parent=parent, name=name)
            category.full_clean()
            category.save()
        parent = category
    return parent


@transaction.atomic
def import_questions(
    *, questions: list[formats.ParsedQuestion], category_path: str
) -> list[Question]:
    """Save parsed questions; a $CATEGORY in the file wins over the default path."""
    categories: dict[str, QuestionCategory] = {}
    saved = []
    for parsed in questions:
        path = parsed.category or category_path
        if path not in categories:
            categories[path] = ensure_category(path=path)
        question = Question(
            category=categories[path],
            type=parsed.type,
            name=parsed.name[:255],
            text=parsed.text,
            mark=parsed.mark,
            general_feedback=parsed.general_feedback,
            scoring=parsed.scoring,
            true_false_answer=parsed.true_false_answer,
            feedback_true=parsed.feedback_true,
            feedback_false=parsed.feedback_false,
            ignore_diacritics=parsed.ignore_diacritics,
            word_limit=parsed.word_limit,
            grader_info=parsed.grader_info,
        )
        question.options = [
            Option(
                text=o.text,
                is_correct=o.is_correct,
                credit=o.credit,
                feedback=o.feedback,
                match_text=o.match_text,
                sort_order=index,
            )
            for index, o in enumerate(parsed.options)
        ]
        question.rubric_criteria = [
            RubricCriterion(
                title=c.title,
                description=c.description,
                points=c.points,
                sort_order=index,
            )
            for index, c in enumerate(parsed.rubric)
        ]
        question.full_clean()
        question.save()
        question.save_revision(log_action=True)
        saved.append(question)
    return saved


def question_to_parsed(question: Question) -> formats.ParsedQuestion:
    return formats.ParsedQuestion(
        type=question.type,
        name=question.name,
        text=question.text,
        category=question.category.path,
        general_feedback=question.general_feedback,
        mark=question.mark.normalize(),
        scoring=question.scoring,
        true_false_answer=question.true_false_answer,
        feedback_true=question.feedback_true,
        feedback_false=question.feedback_false,
        ignore_diacritics=question.ignore_diacritics,
        word_limit=question.word_limit,
        grader_info=question.grader_info,
        options=[
            formats.ParsedOption(
                text=o.text,
                is_correct=o.is_correct,
                credit=o.credit.normalize() if o.credit is not None else None,
                feedback=o.feedback,
                match_text=o.match_text,
            )
            for o in question.options.all()
        ],
        rubric=[
            formats.ParsedCriterion(
                title=c.title, points=c.points.normalize(), description=c.description
            )
            for c in question.rubric_criteria.all()
        ],
    )


def export_gift(
    *, category: QuestionCategory, include_subcategories: bool = True
) -> str:
    """A GIFT file of a category's questions (and its subcategories')."""
    ids = category.descendant_ids() if include_subcategories else [category.pk]
    questions = (
        Question.objects.filter(category_id__in=ids)
        .select_related("category")
        .prefetch_related("options", "rubric_criteria")
        .order_by("category__path", "pk")
    )
    return formats.write_gift([question_to_parsed(q) for q in questions])
