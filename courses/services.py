"""Every write about enrolment and progress; views, hooks and commands call these."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from accounts.models import Agency, User

from .certificates.services import issue_certificate
from .learning import CourseAssignment, Enrolment, LessonProgress
from .selectors import lesson_access, lesson_quiz

# Enrolment.last_activity_at is kept to this precision: reading a lesson does
# not rewrite the enrolment row on every page view.
ACTIVITY_GRANULARITY = timedelta(minutes=10)


class CourseRuleError(ValidationError):
    """A learner action the course's rules refuse; the message says why."""

    @property
    def reason(self) -> str:
        return self.messages[0]


def _default_due_at(course: Page, enrolled_at: datetime) -> datetime | None:
    if course.default_due_days:
        return enrolled_at + timedelta(days=course.default_due_days)
    return None


def _require_active(enrolment: Enrolment) -> None:
    if not enrolment.is_active:
        raise CourseRuleError(_("This enrolment was withdrawn."))


def _require_lesson_in_course(*, enrolment: Enrolment, lesson: Page) -> None:
    # The course is an ancestor: its tree path is a prefix of the lesson's.
    if (
        not lesson.path.startswith(enrolment.course.path)
        or lesson.pk == enrolment.course_id
    ):
        raise CourseRuleError(_("This lesson is not part of the course."))


def _lock(enrolment: Enrolment) -> Enrolment:
    """Serialise writes to one enrolment (two tabs, a replayed POST), in place."""
    enrolment.refresh_from_db(from_queryset=Enrolment.objects.select_for_update())
    return enrolment


def _touch(enrolment: Enrolment, now: datetime) -> None:
    """Record activity; the first activity starts the enrolment."""
    not_started = Enrolment.Status.NOT_STARTED
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_activity_at=now,
        started_at=Coalesce(F("started_at"), Value(now)),
        status=Case(
            When(status=not_started, then=Value(Enrolment.Status.IN_PROGRESS)),
            default=F("status"),
        ),
    )
    enrolment.last_activity_at = now
    enrolment.started_at = enrolment.started_at or now
    if enrolment.status == Enrolment.Status.NOT_STARTED:
        enrolment.status = Enrolment.Status.IN_PROGRESS


def _progress_row(*, enrolment: Enrolment, lesson: Page, now: datetime):
    """The progress row of a lesson, locked; the constraint settles creation races."""
    rows = LessonProgress.objects.select_for_update()
    progress = rows.filter(enrolment=enrolment, lesson=lesson).first()
    if progress is not None:
        return progress
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(
                enrolment=enrolment,
                lesson=lesson,
                first_opened_at=now,
                last_opened_at=now,
            )
    except IntegrityError:
        return rows.get(enrolment=enrolment, lesson=lesson)


@transaction.atomic
def enrol_learner(
    *,
    learner: User,
    course: Page,
    source: str = Enrolment.Source.SELF,
    assigned_by: User | None = None,
    assignment: CourseAssignment | None = None,
    due_at: datetime | None = None,
) -> Enrolment:
    """One active enrolment per learner and course; enrolling again returns it."""
    if not course.live:
        raise CourseRuleError(_("This course is not published."))
    if source == Enrolment.Source.SELF and not course.is_open:
        raise CourseRuleError(
            _("This course is assigned by administrators; you cannot enrol yourself.")
        )
    active = Enrolment.objects.filter(
        learner=learner, course=course, withdrawn_at__isnull=True
    )
    existing = active.select_for_update().first()
    if existing is not None:
        if assignment is not None:
            _attach_assignment(existing, assignment=assignment, source=source)
        return existing
    now = timezone.now()
    enrolment = Enrolment(
        learner=learner,
        course=course,
        agency_id=learner.agency_id,
        source=source,
        assigned_by=assigned_by,
        assignment=assignment,
        due_at=due_at or _default_due_at(course, now),
        enrolled_at=now,
    )
    # The database decides uniqueness: a second tab or a replayed POST that got
    # past the check above loses the race here and gets the winner's row.
    try:
        with transaction.atomic():
            enrolment.save(force_insert=True)
    except IntegrityError:
        return active.get()
    return enrolment


def _attach_assignment(
    enrolment: Enrolment, *, assignment: CourseAssignment, source: str
) -> None:
    """An assignment takes over an unfinished self-enrolment, not an earlier one."""
    if enrolment.assignment_id is not None or enrolment.completed_at is not None:
        return
    enrolment.assignment = assignment
    enrolment.source = source
    enrolment.assigned_by_id = assignment.assigned_by_id
    enrolment.due_at = assignment.due_at or enrolment.due_at
    enrolment.save(update_fields=["assignment", "source", "assigned_by", "due_at"])


def _enrol_from_assignment(
    *, learner: User, assignment: CourseAssignment, source: str
) -> Enrolment | None:
    # Someone withdrawn from this very assignment stays withdrawn.
    if assignment.enrolments.filter(learner=learner).exists():
        return None
    return enrol_learner(
        learner=learner,
        course=assignment.course,
        source=source,
        assigned_by=assignment.assigned_by,
        assignment=assignment,
        due_at=assignment.due_at,
    )


@transaction.atomic
def assign_course_to_agency(
    *,
    course: Page,
    agency: Agency,
    due_at: datetime | None = None,
    assigned_by: User | None = None,
) -> CourseAssignment:
    """Everyone active in the agency's subtree is enrolled; later joiners on arrival."""
    if not course.live:
        raise CourseRuleError(_("This course is not published."))
    assignment = CourseAssignment.objects.create(
        course=course, agency=agency, due_at=due_at, assigned_by=assigned_by
    )
    learners = User.objects.filter(
        is_active=True, agency_id__in=Agency.objects.subtree_ids(agency)
    )
    already = Enrolment.objects.filter(
        course=course, withdrawn_at__isnull=True, learner__in=learners
    )
    # Unfinished self-enrolments become part of the assignment.
    takeover = {"due_at": due_at} if due_at else {}
    already.filter(assignment__isnull=True, completed_at__isnull=True).update(
        assignment=assignment,
        source=Enrolment.Source.AGENCY,
        assigned_by=assigned_by,
        **takeover,
    )
    now = timezone.now()
    enrolled = set(already.values_list("learner_id", flat=True))
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                learner_id=learner_id,
                course=course,
                agency_id=agency_id,
                source=Enrolment.Source.AGENCY,
                assigned_by=assigned_by,
                assignment=assignment,
                due_at=due_at or _default_due_at(course, now),
                enrolled_at=now,
            )
            for learner_id, agency_id in learners.values_list("pk", "agency_id")
            if learner_id not in enrolled
        ],
        # A concurrent self-enrolment wins; the partial unique index decides.
        ignore_conflicts=True,
    )
    return assignment


@transaction.atomic
def assign_course_to_learner(
    *,
    course: Page,
    learner: User,
    due_at: datetime | None = None,
    assigned_by: User | None = None,
) -> CourseAssignment:
    """A personal assignment enrols one person with its due date."""
    if not course.live:
        raise CourseRuleError(_("This course is not published."))
    assignment = CourseAssignment.objects.create(
        course=course, learner=learner, due_at=due_at, assigned_by=assigned_by
    )
    _enrol_from_assignment(
        learner=learner, assignment=assignment, source=Enrolment.Source.PERSONAL
    )
    return assignment


@transaction.atomic
def apply_agency_assignments(*, learner: User) -> list[Enrolment]:
    """A joiner is enrolled in live courses assigned to their agency or one above it."""
    if not learner.is_active or learner.agency_id is None:
        return []
    assignments = (
        CourseAssignment.objects.filter(
            agency_id__in=Agency.objects.ancestor_ids(learner.agency_id),
            course__live=True,
        )
        .exclude(enrolments__learner=learner)
        .select_related("course")
        .order_by("created_at")
    )
    enrolments = []
    for assignment in assignments:
        enrolment = _enrol_from_assignment(
            learner=learner, assignment=assignment, source=Enrolment.Source.AGENCY
        )
        if enrolment is not None:
            enrolments.append(enrolment)
    return enrolments


@transaction.atomic
def withdraw_enrolment(*, enrolment: Enrolment) -> Enrolment:
    """Withdrawal ends an unfinished enrolment; the row and its progress stay."""
    enrolment = _lock(enrolment)
    if not enrolment.is_active:
        return enrolment
    if enrolment.completed_at is not None:
        raise CourseRuleError(_("A completed course cannot be withdrawn from."))
    enrolment.withdrawn_at = timezone.now()
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["withdrawn_at", "status"])
    return enrolment


def _update_opening(*, enrolment: Enrolment, lesson: Page, now) -> int:
    """Record an opening on an existing row; return how many rows it changed."""
    return LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).update(
        first_opened_at=Coalesce(F("first_opened_at"), Value(now)),
        last_opened_at=now,
    )


def _record_opening(*, enrolment: Enrolment, lesson: Page, now, recorded: bool) -> None:
    """Update the lesson's progress row when the caller read one, else insert it;
    the unique constraint settles two tabs racing to insert."""
    if recorded and _update_opening(enrolment=enrolment, lesson=lesson, now=now):
        return
    try:
        with transaction.atomic():
            LessonProgress.objects.create(
                enrolment=enrolment,
                lesson=lesson,
                first_opened_at=now,
                last_opened_at=now,
            )
    except IntegrityError:  # another tab created it since: record on that row
        _update_opening(enrolment=enrolment, lesson=lesson, now=now)


def open_lesson(
    *,
    enrolment: Enrolment,
    lesson: Page,
    last_opened_at: datetime | None = None,
) -> None:
    """Opening a lesson records first and last opening and starts the enrolment.

    `last_opened_at` is the last opening as the caller already read it (the lesson
    page reads progress anyway): an opening within ACTIVITY_GRANULARITY of it is
    not written again, and None (no row read) goes straight to inserting one.
    """
    # Deliberately not one transaction: this runs on every lesson view, each
    # statement below is idempotent and stands on its own, and the one insert is
    # guarded by the unique constraint in its own savepoint.
    _require_active(enrolment)
    _require_lesson_in_course(enrolment=enrolment, lesson=lesson)
    now = timezone.now()
    if last_opened_at is None or now - last_opened_at >= ACTIVITY_GRANULARITY:
        _record_opening(
            enrolment=enrolment,
            lesson=lesson,
            now=now,
            recorded=last_opened_at is not None,
        )
    last = enrolment.last_activity_at
    if (
        enrolment.started_at is None
        or last is None
        or now - last >= ACTIVITY_GRANULARITY
    ):
        _touch(enrolment, now)


@transaction.atomic
def complete_lesson(*, enrolment: Enrolment, lesson: Page) -> LessonProgress:
    """A lesson is done once, when open to the learner and its quiz (if any) passed."""
    enrolment = _lock(enrolment)
    _require_active(enrolment)
    _require_lesson_in_course(enrolment=enrolment, lesson=lesson)
    access = lesson_access(learner=enrolment.learner, lesson=lesson)
    if not access.allowed:
        raise CourseRuleError(access.reason)
    now = timezone.now()
    progress = _progress_row(enrolment=enrolment, lesson=lesson, now=now)
    if progress.completed_at is None:
        if lesson.has_quiz and progress.quiz_passed_at is None:
            raise CourseRuleError(
                _("Pass this lesson's quiz before marking it as done.")
            )
        progress.completed_at = now
        progress.last_opened_at = now
        progress.save(update_fields=["completed_at", "last_opened_at"])
        _touch(enrolment, now)
        evaluate_completion(enrolment=enrolment)
    return progress


def _better(score: Decimal | None, best: Decimal | None) -> bool:
    return score is not None and (best is None or score > best)


@transaction.atomic
def record_quiz_result(
    *,
    enrolment: Enrolment,
    quiz,
    passed: bool,
    score: Decimal | None,
    lesson: Page | None = None,
) -> None:
    """A passed lesson quiz unlocks "Mark as done"; a passed final quiz counts toward
    completion; the best score is kept.
    """
    enrolment = _lock(enrolment)
    _require_active(enrolment)
    now = timezone.now()
    if lesson is not None:
        _require_lesson_in_course(enrolment=enrolment, lesson=lesson)
        lesson_quiz_obj = lesson_quiz(lesson)
        if lesson_quiz_obj is None or lesson_quiz_obj.pk != quiz.pk:
            raise CourseRuleError(_("This quiz is not the lesson's quiz."))
        progress = _progress_row(enrolment=enrolment, lesson=lesson, now=now)
        fields = []
        if passed and progress.quiz_passed_at is None:
            progress.quiz_passed_at = now
            fields.append("quiz_passed_at")
        if _better(score, progress.quiz_score):
            progress.quiz_score = score
            fields.append("quiz_score")
        if fields:
            progress.save(update_fields=fields)
        _touch(enrolment, now)
        return
    if enrolment.course.final_quiz_id != quiz.pk:
        raise CourseRuleError(_("This quiz is not the course's final quiz."))
    fields = []
    if passed and enrolment.final_quiz_passed_at is None:
        enrolment.final_quiz_passed_at = now
        fields.append("final_quiz_passed_at")
    if _better(score, enrolment.score):
        enrolment.score = score
        fields.append("score")
    if fields:
        enrolment.save(update_fields=fields)
    _touch(enrolment, now)
    evaluate_completion(enrolment=enrolment)


@transaction.atomic
def evaluate_completion(*, enrolment: Enrolment) -> bool:
    """A course completes when every published required lesson is done (and the final
    quiz passed when the rule asks); completion is never undone.
    """
    if enrolment.is_completed:
        return True
    if not enrolment.is_active:
        return False
    course = enrolment.course
    if course.requires_final_quiz and enrolment.final_quiz_passed_at is None:
        return False
    required = course.lessons().filter(is_required=True).values("pk")
    outstanding = required.exclude(
        pk__in=LessonProgress.objects.filter(
            enrolment=enrolment, completed_at__isnull=False
        ).values("lesson_id")
    )
    if outstanding.exists():
        return False
    if not required.exists() and not (
        enrolment.final_quiz_passed_at
        or enrolment.lesson_progress.filter(completed_at__isnull=False).exists()
    ):
        # A course without required lessons completes on the first thing done.
        return False
    now = timezone.now()
    updated = Enrolment.objects.filter(
        Q(pk=enrolment.pk), Q(completed_at__isnull=True)
    ).update(completed_at=now, status=Enrolment.Status.COMPLETED)
    if updated:
        enrolment.completed_at = now
        enrolment.status = Enrolment.Status.COMPLETED
        if course.certificate_enabled:
            # In the same transaction: a completion never lacks its certificate.
            issue_certificate(enrolment=enrolment)
    return True
