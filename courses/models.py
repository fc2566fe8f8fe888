from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import LessonStreamBlock


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

    def route(self, request, path_components):
        # Wagtail walks the tree one level at a time, two queries a level: a
        # lesson four levels down would cost eight. A URL under a non-routable
        # page names exactly one page, so find it by url_path in one go; fall back
        # to the walk for anything else (e.g. a RoutablePage with sub-routes).
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            pages = Page.objects.filter(path__startswith=self.path, url_path=url_path)
            page = next(iter(pages.order_by().specific()[:1]), None)
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)


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

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalogue

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
        from .selectors import course_state

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
        return CoursePage.objects.ancestor_of(self).first()

    def save(self, *args, **kwargs):
        # Bind every block so that saving goes through the blocks' get_prep_value
        # (LessonTextBlock sanitises there): raw JSON from an import or the API
        # would otherwise be stored exactly as given.
        for _block in self.body:
            pass
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .selectors import lesson_state

        context = super().get_context(request, *args, **kwargs)
        context["state"] = lesson_state(
            user=request.user,
            lesson=self,
            preview=getattr(request, "is_preview", False),
        )
        return context

    def serve(self, request, *args, **kwargs):
        """Opening the lesson records progress; a locked lesson explains why (403)."""
        from .services import open_lesson

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


class CourseAssignment(models.Model):
    """An agency (with the units below it) or a person is to take a course."""

    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="course_assignments",
        help_text=_("Everyone in this agency and the units below it."),
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="course_assignments",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("course assignment")
        verbose_name_plural = _("course assignments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(agency__isnull=False, learner__isnull=True)
                    | models.Q(agency__isnull=True, learner__isnull=False)
                ),
                name="course_assignment_agency_xor_learner",
            )
        ]

    def __str__(self):
        return f"{self.course} → {self.agency or self.learner}"


class Enrolment(models.Model):
    """A learner taking a course. Writes go through courses.services only."""

    class Source(models.TextChoices):
        SELF = "self", _("Self-enrolled")
        AGENCY = "agency", _("Assigned to the agency")
        PERSONAL = "personal", _("Assigned personally")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", pgettext_lazy("learning status", "In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
        help_text=_("The learner's agency when they enrolled."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source, default=Source.SELF
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignment = models.ForeignKey(
        CourseAssignment,
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(
        _("last activity"),
        null=True,
        blank=True,
        help_text=_("Updated at most every ten minutes while a learner reads."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.NOT_STARTED
    )
    score = models.DecimalField(
        _("final quiz score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    final_quiz_passed_at = models.DateTimeField(
        _("final quiz passed"), null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_enrolment_per_learner_and_course",
                violation_error_message=_("This learner is already enrolled."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="withdrawn", withdrawn_at__isnull=False)
                    | (
                        ~models.Q(status="withdrawn")
                        & models.Q(withdrawn_at__isnull=True)
                    )
                ),
                name="enrolment_withdrawn_status_matches_date",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "status"], name="enrolment_course_status"),
            models.Index(fields=["agency", "status"], name="enrolment_agency_status"),
            models.Index(fields=["learner", "status"], name="enrolment_learner_status"),
            models.Index(fields=["due_at"], name="enrolment_due"),
        ]

    def __str__(self):
        return f"{self.learner} · {self.course}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    @property
    def is_overdue(self) -> bool:
        """Overdue is computed: not completed, not withdrawn and past the due date."""
        return (
            self.due_at is not None
            and self.completed_at is None
            and self.withdrawn_at is None
            and self.due_at < timezone.now()
        )


class LessonProgress(models.Model):
    """One learner's record of one lesson within an enrolment.

    Deleting a lesson keeps the row (lesson becomes null) so the history of
    what was done survives; progress only counts published lessons anyway.
    """

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="lesson_progress",
    )
    lesson = models.ForeignKey(
        LessonPage,
        verbose_name=_("lesson"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    quiz_passed_at = models.DateTimeField(_("quiz passed"), null=True, blank=True)
    quiz_score = models.DecimalField(
        _("quiz score"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="one_progress_row_per_lesson"
            )
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.lesson_id}"


class Certificate(models.Model):
    """Issued once per completed enrolment in a course with certificates on.

    The facts printed on it are copied when it is issued, so the PDF and the
    public verification page say what was true then; the learner's name alone is
    kept in step with their profile (a corrected spelling shows on the next
    download).
    """

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="certificate",
    )
    code = models.CharField(
        _("verification code"),
        max_length=14,
        unique=True,
        editable=False,
        help_text=_("Printed on the certificate; anyone can check it online."),
    )
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    learner_name = models.CharField(_("learner"), max_length=255)
    agency_name = models.CharField(_("agency"), max_length=255, blank=True)
    course_title = models.CharField(_("course"), max_length=255)
    completed_at = models.DateTimeField(_("completed"))
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.code} · {self.learner_name}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ReminderLog(models.Model):
    """One reminder email: to a learner about an enrolment, or a digest to an
    agency manager. It throttles repeats and records failures for retrying."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Sent by a manager")
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        DIGEST = "digest", _("Weekly digest")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not needed any more")

    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text=_("Empty for a digest, which covers many enrolments."),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["recipient", "kind", "created_at"], name="reminder_throttle"
            ),
            models.Index(fields=["status", "attempts"], name="reminder_retry"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.status})"
