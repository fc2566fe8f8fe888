"""The question bank, quizzes built from it, and learners' attempts.

Question and option text is plain text (shown escaped, line breaks kept); the
only user HTML is an essay answer, which goes through courses.sanitise.
"""

import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

PATH_SEPARATOR = "/"


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value or "")


class QuestionCategory(models.Model):
    """A folder of the question bank; categories nest, e.g. "Phát ngôn/Cơ bản"."""

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    path = models.CharField(
        _("path"),
        max_length=1000,
        unique=True,
        editable=False,
        help_text=_("The names from the top category down, joined by '/'."),
    )

    panels = ["name", "parent", "description"]

    class Meta:
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="quizzes_category_unique_name"
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="quizzes_category_unique_top_name",
            ),
        ]

    def __str__(self):
        return self.path or self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name).strip()
        old_path = self.path
        self.path = self.build_path()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Renaming or moving a category moves its whole subtree.
                for child in self.children.all():
                    child.save()

    def clean(self):
        self.name = nfc(self.name).strip()
        if PATH_SEPARATOR in self.name:
            raise ValidationError({"name": _("A category name cannot contain '/'.")})
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A category cannot be inside itself.")}
                )
            ancestor = ancestor.parent

    def build_path(self) -> str:
        name = nfc(self.name).strip()
        return f"{self.parent.path}{PATH_SEPARATOR}{name}" if self.parent else name

    def descendant_ids(self) -> list[int]:
        """This category and every category below it."""
        prefix = self.path + PATH_SEPARATOR
        return [self.pk] + list(
            QuestionCategory.objects.filter(path__startswith=prefix).values_list(
                "pk", flat=True
            )
        )

    @classmethod
    def split_path(cls, path: str) -> list[str]:
        return [
            nfc(part).strip()
            for part in (path or "").split(PATH_SEPARATOR)
            if part.strip()
        ]


class Question(RevisionMixin, index.Indexed, ClusterableModel):
    """A reusable question; attempts keep a frozen copy of what they showed."""

    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple response")
        TRUE_FALSE = "truefalse", _("True/false")
        SHORT = "short", _("Short answer")
        MATCHING = "matching", _("Matching")
        ORDERING = "ordering", _("Ordering")
        ESSAY = "essay", _("Essay")

    class Scoring(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing")
        PARTIAL = "partial", _("Partial credit")

    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    type = models.CharField(_("type"), max_length=20, choices=Type)
    name = models.CharField(
        _("name"),
        max_length=255,
        help_text=_("A short title for finding the question in the bank."),
    )
    text = models.TextField(
        _("question text"),
        help_text=_("Plain text; line breaks are kept."),
    )
    mark = models.DecimalField(
        _("mark"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    general_feedback = models.TextField(
        _("general feedback"),
        blank=True,
        help_text=_("Shown with the review, whatever the learner answered."),
    )
    scoring = models.CharField(
        _("scoring"),
        max_length=10,
        choices=Scoring,
        default=Scoring.ALL_OR_NOTHING,
        help_text=_(
            "Multiple response and ordering: full mark only when everything is "
            "right, or a share of the mark for each right part."
        ),
    )
    true_false_answer = models.BooleanField(
        _("the statement is true"),
        default=True,
        help_text=_("True/false questions only."),
    )
    feedback_true = models.TextField(_("feedback when answered 'true'"), blank=True)
    feedback_false = models.TextField(_("feedback when answered 'false'"), blank=True)
    ignore_diacritics = models.BooleanField(
        _("ignore diacritics"),
        default=False,
        help_text=_(
            "Short answer only: accept 'Nghi dinh' for 'Nghị định'. Case and "
            "extra spaces are always ignored."
        ),
    )
    word_limit = models.PositiveIntegerField(
        _("word limit"),
        null=True,
        blank=True,
        help_text=_("Essay only: the most words an answer may have."),
    )
    grader_info = models.TextField(
        _("information for graders"),
        blank=True,
        help_text=_(
            "Essay only: what a good answer contains. Never shown to learners."
        ),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Goes up by one with every saved change."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel(["type", "category"]),
        "name",
        "text",
        FieldRowPanel(["mark", "scoring"]),
        "general_feedback",
        InlinePanel(
            "options",
            heading=_("Options"),
            label=_("Option"),
            help_text=_(
                "Single choice and multiple response: tick the right options. "
                "Short answer: each accepted answer. Matching: each item with "
                "the text it matches. Ordering: the items in the right order. "
                "True/false and essay questions have no options."
            ),
        ),
        MultiFieldPanel(
            ["true_false_answer", "feedback_true", "feedback_false"],
            heading=_("True/false"),
        ),
        MultiFieldPanel(["ignore_diacritics"], heading=_("Short answer")),
        MultiFieldPanel(
            [
                "word_limit",
                "grader_info",
                InlinePanel(
                    "rubric_criteria", heading=_("Rubric"), label=_("Criterion")
                ),
            ],
            heading=_("Essay"),
        ),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("text"),
        index.AutocompleteField("name"),
        index.FilterField("type"),
        index.FilterField("category"),
    ]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["category__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mark__gt=0), name="quizzes_question_mark_positive"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name).strip()
        self.text = nfc(self.text).strip()
        if self.pk and not kwargs.get("update_fields"):
            self.version = (
                Question.objects.filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
                or 0
            ) + 1
        super().save(*args, **kwargs)

    def rubric_total(self) -> Decimal:
        return sum((c.points for c in self.rubric_criteria.all()), Decimal("0"))


class Option(Orderable):
    """An answer choice, accepted answer, matching pair or item to order."""

    question = ParentalKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    text = models.TextField(_("text"))
    is_correct = models.BooleanField(
        _("correct"),
        default=False,
        help_text=_("Single choice and multiple response."),
    )
    credit = models.DecimalField(
        _("credit (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("-100")),
            MaxValueValidator(Decimal("100")),
        ],
        help_text=_(
            "Optional share of the mark. Leave blank: a right option counts in "
            "full (multiple response: right options share 100%, each wrong one "
            "takes away one share); an accepted short answer counts 100%."
        ),
    )
    match_text = models.CharField(
        _("matches"),
        max_length=500,
        blank=True,
        help_text=_("Matching only: the text this item goes with."),
    )
    feedback = models.TextField(
        _("feedback"),
        blank=True,
        help_text=_("Shown in the review to a learner who chose this."),
    )

    panels = [
        "text",
        FieldRowPanel(["is_correct", "credit"]),
        "match_text",
        "feedback",
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text[:80]

    def save(self, *args, **kwargs):
        self.text = nfc(self.text).strip()
        self.match_text = nfc(self.match_text).strip()
        super().save(*args, **kwargs)


class RubricCriterion(Orderable):
    """One line of an essay's rubric: what is judged and how many points it gives."""

    question = ParentalKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="rubric_criteria",
    )
    title = models.CharField(_("criterion"), max_length=255)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("What earns the points, for the grader and the learner."),
    )
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    panels = [FieldRowPanel(["title", "points"]), "description"]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self):
        return f"{self.title} ({self.points})"


class Quiz(ClusterableModel):
    """An assessment placed in a lesson's quiz slot or as a course's final quiz.

    The quizzes app owns everything about questions and attempts; courses only
    learn whether a learner passed and with what score (see
    ``courses.services.record_quiz_result``).
    """

    class GradingMethod(models.TextChoices):
        HIGHEST = "highest", _("Highest attempt")
        LAST = "last", _("Last attempt")

    class Layout(models.TextChoices):
        PAGED = "paged", _("One question per page")
        SINGLE_PAGE = "single", _("All questions on one page")

    class Review(models.TextChoices):
        SCORE = "score", _("Score only")
        CORRECTNESS = "correctness", _("Score and which answers were right")
        FULL = "full", _("Score, right answers and feedback")

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        help_text=_("The percentage a learner needs to pass."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=0,
        help_text=_("0 means unlimited."),
    )
    grading_method = models.CharField(
        _("grading method"),
        max_length=10,
        choices=GradingMethod,
        default=GradingMethod.HIGHEST,
        help_text=_("Which attempt's score counts when there are several."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave blank for no limit."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Attempts still open at this time are submitted as they stand."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    layout = models.CharField(
        _("layout"), max_length=10, choices=Layout, default=Layout.PAGED
    )
    review_while_open = models.CharField(
        _("review before the quiz closes"),
        max_length=20,
        choices=Review,
        default=Review.CORRECTNESS,
        help_text=_("What a learner sees after submitting, while the quiz is open."),
    )
    review_after_close = models.CharField(
        _("review after the quiz closes"),
        max_length=20,
        choices=Review,
        default=Review.FULL,
        help_text=_("Quizzes without a closing date use the setting above."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        "title",
        "description",
        FieldRowPanel(["pass_mark", "attempts_allowed", "grading_method"]),
        FieldRowPanel(["time_limit_minutes", "opens_at", "closes_at"]),
        FieldRowPanel(["shuffle_questions", "shuffle_options", "layout"]),
        FieldRowPanel(["review_while_open", "review_after_close"]),
        InlinePanel(
            "slots",
            heading=_("Questions"),
            label=_("Slot"),
            min_num=1,
            help_text=_(
                "Each slot is one fixed question, or a number of questions drawn "
                "at random from a category for each attempt."
            ),
        ),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100),
                name="quiz_pass_mark_at_most_100",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("The quiz must close after it opens.")}
            )


class QuizSlot(Orderable):
    """A place in a quiz: one fixed question or N drawn at random from a category."""

    quiz = ParentalKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="slots"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slots",
    )
    category = models.ForeignKey(
        QuestionCategory,
        verbose_name=_("random from category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="slots",
    )
    draw_count = models.PositiveSmallIntegerField(
        _("how many to draw"),
        default=1,
        validators=[MinValueValidator(1)],
    )
    include_subcategories = models.BooleanField(
        _("include subcategories"), default=True
    )

    panels = [
        "question",
        FieldRowPanel(["category", "draw_count", "include_subcategories"]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz slot")
        verbose_name_plural = _("quiz slots")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(question__isnull=False, category__isnull=True)
                    | models.Q(question__isnull=True, category__isnull=False)
                ),
                name="quizzes_slot_question_or_category",
            )
        ]

    def __str__(self):
        if self.question_id:
            return str(self.question)
        return _("%(count)s at random from %(category)s") % {
            "count": self.draw_count,
            "category": self.category,
        }

    def clean(self):
        if bool(self.question_id) == bool(self.category_id):
            raise ValidationError(
                _("Choose either a question or a category to draw from, not both.")
            )


class QuizOverride(models.Model):
    """Different dates, time or attempts for one learner on one quiz."""

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="overrides"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="quiz_overrides",
    )
    extra_minutes = models.PositiveSmallIntegerField(
        _("extra minutes"),
        default=0,
        help_text=_("Added to the quiz's time limit."),
    )
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)
    opens_at = models.DateTimeField(
        _("opens at"),
        null=True,
        blank=True,
        help_text=_("Replaces the quiz's opening date for this learner."),
    )
    closes_at = models.DateTimeField(
        _("closes at"),
        null=True,
        blank=True,
        help_text=_("Replaces the quiz's closing date for this learner."),
    )
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        "quiz",
        "learner",
        FieldRowPanel(["extra_minutes", "extra_attempts"]),
        FieldRowPanel(["opens_at", "closes_at"]),
        "reason",
    ]

    class Meta:
        verbose_name = _("quiz override")
        verbose_name_plural = _("quiz overrides")
        ordering = ["quiz__title", "learner__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "learner"], name="quizzes_one_override_per_learner"
            )
        ]

    def __str__(self):
        return f"{self.quiz} – {self.learner}"

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError(
                {"closes_at": _("The quiz must close after it opens.")}
            )


class Attempt(models.Model):
    """One go at a quiz. Writes go through quizzes.services only.

    ``questions`` is the frozen snapshot of what the attempt showed, keys
    included (see quizzes.snapshots); ``answers`` maps a question key to the
    learner's answer. Later edits to the bank change neither, except through
    an explicit regrade.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", pgettext_lazy("attempt state", "In progress")
        AWAITING_GRADING = "awaiting_grading", _("Awaiting grading")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(
        Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="attempts"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    enrolment = models.ForeignKey(
        "courses.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for a course's final quiz."),
    )
    context = models.CharField(
        _("context"),
        max_length=40,
        help_text=_(
            "'lesson:<id>' or 'final:<course id>': where attempts are counted."
        ),
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    auto_submitted = models.BooleanField(
        _("submitted when time ran out"), default=False
    )
    current_page = models.PositiveSmallIntegerField(_("current page"), default=1)
    questions = models.JSONField(_("questions shown"), default=list, editable=False)
    answers = models.JSONField(_("answers"), default=dict, editable=False)
    results = models.JSONField(
        _("results"),
        default=dict,
        editable=False,
        help_text=_("Marks, state and feedback for each question, after grading."),
    )
    marks = models.DecimalField(
        _("marks"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_marks = models.DecimalField(
        _("out of"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "quiz", "context", "number"],
                name="quizzes_attempt_number_unique",
            ),
            models.UniqueConstraint(
                fields=["learner", "quiz", "context"],
                condition=models.Q(state="in_progress"),
                name="quizzes_one_attempt_in_progress",
            ),
        ]
        indexes = [
            models.Index(
                fields=["learner", "quiz", "context"], name="quizzes_attempt_context"
            ),
            models.Index(fields=["state", "deadline"], name="quizzes_attempt_deadline"),
        ]

    def __str__(self):
        return _("%(quiz)s – %(learner)s, attempt %(number)s") % {
            "quiz": self.quiz,
            "learner": self.learner,
            "number": self.number,
        }

    @property
    def is_in_progress(self) -> bool:
        return self.state == self.State.IN_PROGRESS

    @property
    def is_final_quiz(self) -> bool:
        return self.context.startswith("final:")


class EssayResponse(models.Model):
    """An essay answer waiting for, or holding, a trainer's grade."""

    attempt = models.ForeignKey(
        Attempt,
        verbose_name=_("attempt"),
        on_delete=models.CASCADE,
        related_name="essay_responses",
    )
    question_key = models.CharField(_("question key"), max_length=20)
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="essay_responses",
    )
    answer = models.TextField(_("answer"), help_text=_("Sanitised HTML."))
    max_marks = models.DecimalField(_("out of"), max_digits=6, decimal_places=2)
    marks = models.DecimalField(
        _("marks"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rubric_scores = models.JSONField(_("rubric points"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("essay answer")
        verbose_name_plural = _("essay answers")
        ordering = ["graded_at", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question_key"],
                name="quizzes_one_essay_per_question",
            )
        ]

    def __str__(self):
        return _("Essay by %(learner)s on %(quiz)s") % {
            "learner": self.attempt.learner,
            "quiz": self.attempt.quiz,
        }

    @property
    def is_graded(self) -> bool:
        return self.graded_at is not None


class RegradeLog(models.Model):
    """What a regrade changed in one attempt: the key and the score before and after."""

    attempt = models.ForeignKey(
        Attempt,
        verbose_name=_("attempt"),
        on_delete=models.CASCADE,
        related_name="regrades",
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="regrades",
    )
    question_key = models.CharField(_("question key"), max_length=20)
    from_version = models.PositiveIntegerField(_("from version"))
    to_version = models.PositiveIntegerField(_("to version"))
    change = models.TextField(_("change"))
    old_marks = models.DecimalField(_("marks before"), max_digits=8, decimal_places=2)
    new_marks = models.DecimalField(_("marks after"), max_digits=8, decimal_places=2)
    old_score = models.DecimalField(
        _("score before (%)"), max_digits=5, decimal_places=2, null=True
    )
    new_score = models.DecimalField(
        _("score after (%)"), max_digits=5, decimal_places=2, null=True
    )
    regraded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("regraded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("regraded"), auto_now_add=True)

    class Meta:
        verbose_name = _("regrade record")
        verbose_name_plural = _("regrade records")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.attempt} · {self.question_key}"
