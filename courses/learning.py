"""Who takes which course and what they have done: assignments, enrolments,
lesson progress, certificates and reminders (importable from courses.models).

The pages are named by their label ("courses.CoursePage"), so this module
imports no page: selectors, services, the outline and the certificate code
import it, and the pages (courses/models.py) import them without a cycle.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CourseAssignment(models.Model):
    """An agency (with the units below it) or a person is to take a course."""

    course = models.ForeignKey(
        "courses.CoursePage",
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
        "courses.CoursePage",
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
        "courses.LessonPage",
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
