"""The courses app's models. Here, the page tree trainers build: home →
catalogue → course → (module) → lesson, and information pages beside the
catalogue. What learners do in it (assignments, enrolments, lesson progress,
certificates, reminders) lives in courses/learning.py and is importable from
here too.

The pages read learner state from courses.selectors in get_context. Selectors,
services, the outline and the certificate code import courses.learning, never
this module, so the pages import them with no cycle.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import LessonStreamBlock
from .learning import (
    Certificate,
    CourseAssignment,
    Enrolment,
    LessonProgress,
    ReminderLog,
)
from .selectors import catalogue, course_state, lesson_state
from .services import open_lesson

__all__ = [
    "Certificate",
    "CourseAssignment",
    "CourseIndexPage",
    "CoursePage",
    "CourseTopic",
    "Enrolment",
    "HomePage",
    "InformationPage",
    "LessonPage",
    "LessonProgress",
    "ModulePage",
    "ReminderLog",
]


class HomePage(Page):
    """The site's front page, edited by editors in Wagtail."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul", "h2", "h3"],
    )

    content_panels = Page.content_panels + ["intro"]
    subpage_types = ["courses.CourseIndexPage", "courses.InformationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class InformationPage(Page):
    """A page of text under the home page: how to study on the site, the
    programme's legal frame, whom to contact."""

    body = RichTextField(
        _("text"),
        blank=True,
        features=[
            "h2",
            "h3",
            "bold",
            "italic",
            "ol",
            "ul",
            "link",
            "document-link",
            "image",
        ],
    )

    content_panels = Page.content_panels + ["body"]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")


class CourseIndexPage(Page):
    """The course catalogue."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
    )

    content_panels = Page.content_panels + ["intro"]
    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")

    def courses(self):
        """The published, public courses in this catalogue, in tree order."""
        return CoursePage.objects.live().public().child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = catalogue(
            index=self, user=request.user, params=request.GET
        )
        return context


class CourseTopic(TaggedItemBase):
    content_object = ParentalKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("course topic")
        verbose_name_plural = _("course topics")


class CoursePage(Page):
    class EnrolmentMode(models.TextChoices):
        OPEN = "open", _("Open: learners enrol themselves")
        ASSIGNED = "assigned", _("Assigned only: administrators enrol learners")

    class CompletionRule(models.TextChoices):
        LESSONS = "lessons", _("All required lessons")
        LESSONS_AND_FINAL_QUIZ = (
            "lessons_and_final_quiz",
            _("All required lessons and passing the final quiz"),
        )

    summary = models.TextField(
        _("summary"),
        max_length=600,
        help_text=_("Two or three sentences shown in the catalogue and at the top."),
    )
    learning_objectives = StreamField(
        [("objective", blocks.CharBlock(label=_("Objective"), max_length=300))],
        verbose_name=_("learning objectives"),
        blank=True,
        help_text=_("What a learner can do after the course, one per line."),
    )
    audience = models.CharField(
        _("audience"),
        max_length=255,
        blank=True,
        help_text=_("Who the course is for, e.g. appointed spokespersons."),
    )
    estimated_minutes = models.PositiveIntegerField(
        _("estimated duration (minutes)"), default=60
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    topics = ClusterTaggableManager(
        through=CourseTopic, blank=True, verbose_name=_("topics")
    )
    enrolment_mode = models.CharField(
        _("enrolment"),
        max_length=20,
        choices=EnrolmentMode,
        default=EnrolmentMode.OPEN,
    )
    default_due_days = models.PositiveIntegerField(
        _("default due period (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days a learner has to finish after enrolling; blank for no deadline. "
            "An assignment's own due date takes precedence."
        ),
    )
    prerequisite = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("prerequisite course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A course learners must complete before this one opens."),
    )
    is_sequential = models.BooleanField(
        _("sequential"),
        default=False,
        help_text=_("Each required lesson opens once the previous one is done."),
    )
    completion_rule = models.CharField(
        _("completion rule"),
        max_length=30,
        choices=CompletionRule,
        default=CompletionRule.LESSONS,
    )
    certificate_enabled = models.BooleanField(
        _("certificate"),
        default=False,
        help_text=_("Learners who complete the course receive a certificate."),
    )
    final_quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("final quiz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        "summary",
        "learning_objectives",
        FieldRowPanel(["audience", "estimated_minutes"]),
        "cover_image",
        "topics",
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                "enrolment_mode",
                "default_due_days",
                "prerequisite",
                "is_sequential",
                "completion_rule",
                FieldPanel("final_quiz"),
                "certificate_enabled",
            ],
            heading=_("Enrolment and completion"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("audience"),
    ]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage", "courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        if (
            self.completion_rule == self.CompletionRule.LESSONS_AND_FINAL_QUIZ
            and not self.final_quiz_id
        ):
            raise ValidationError(
                {"final_quiz": _("Choose the final quiz this completion rule needs.")}
            )
        if self.prerequisite_id and self.prerequisite_id == self.pk:
            raise ValidationError(
                {"prerequisite": _("A course cannot be its own prerequisite.")}
            )

    @property
    def requires_final_quiz(self) -> bool:
        """A rule naming a quiz that was since deleted falls back to the lessons."""
        return (
            self.completion_rule == self.CompletionRule.LESSONS_AND_FINAL_QUIZ
            and self.final_quiz_id is not None
        )

    @property
    def is_open(self) -> bool:
        return self.enrolment_mode == self.EnrolmentMode.OPEN

    def lessons(self):
        """The course's published lessons in reading order (modules flattened)."""
        return LessonPage.objects.live().descendant_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["state"] = course_state(
            user=request.user,
            course=self,
            preview=getattr(request, "is_preview", False),
        )
        return context


class ModulePage(Page):
    """A section of a course grouping lessons; it has no content of its own."""

    summary = models.TextField(_("summary"), blank=True, max_length=600)

    content_panels = Page.content_panels + ["summary"]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = CoursePage.objects.ancestor_of(self).first()
        context["lessons"] = (
            LessonPage.objects.live().child_of(self).defer_streamfields()
        )
        return context


class LessonPage(Page):
    body = StreamField(LessonStreamBlock(), verbose_name=_("content"), blank=True)
    is_required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Required lessons count towards completing the course."),
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated time (minutes)"), default=10
    )

    content_panels = Page.content_panels + [
        "body",
        FieldRowPanel(["is_required", "estimated_minutes"]),
    ]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["courses.CoursePage", "courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @cached_property
    def has_quiz(self) -> bool:
        """Read from the raw JSON, so it costs no query."""
        return any(block["type"] == "quiz" for block in self.body.raw_data)

    def get_course(self):
        """The course this lesson is in: its parent, or its module's parent. A
        lesson served at its address has both at hand (Wagtail's routing keeps
        each page's parent), so the lesson page asks the database nothing here."""
        parent = self.get_parent().specific
        if isinstance(parent, ModulePage):
            parent = parent.get_parent().specific
        return parent if isinstance(parent, CoursePage) else None

    def save(self, *args, **kwargs):
        # Bind every block so that saving goes through the blocks' get_prep_value
        # (LessonTextBlock sanitises there): raw JSON from an import or the API
        # would otherwise be stored exactly as given.
        for _block in self.body:
            pass
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["state"] = lesson_state(
            user=request.user,
            lesson=self,
            preview=getattr(request, "is_preview", False),
        )
        return context

    def serve(self, request, *args, **kwargs):
        """Opening the lesson records progress; a locked lesson explains why (403)."""
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        context = self.get_context(request, *args, **kwargs)
        state = context["state"]
        if state.access.not_found:
            raise Http404(state.access.reason)
        if state.access.allowed and state.enrolment and not state.preview:
            open_lesson(
                enrolment=state.enrolment,
                lesson=self,
                last_opened_at=state.item.last_opened_at,
            )
        return TemplateResponse(
            request,
            self.get_template(request, *args, **kwargs),
            context,
            status=200 if state.access.allowed else 403,
        )
