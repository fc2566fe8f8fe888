"""Learner state read from the database in a fixed number of queries.

Pages call these in get_context; templates only read the dataclasses returned.
The pages are read through their own methods (course.lessons(),
lesson.get_course(), index.courses()), so this module imports the learning
models alone (courses.learning) and the pages import it at module level. Type
hints say Page: naming CoursePage here, even for the type checker alone, would
import the pages back.
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Exists
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction

from .learning import Enrolment, LessonProgress
from .outline import OutlineEntry, course_outline, course_outlines

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
LOCKED = "locked"


@dataclass(frozen=True)
class LessonAccess:
    """Whether a learner may open a lesson now; when not, why and what unlocks it."""

    allowed: bool
    reason: str = ""
    enrolment: Enrolment | None = None
    unlock_page: Page | None = None
    not_found: bool = False  # the course or lesson is unpublished: answer 404


@dataclass
class OutlineItem:
    """A module heading or a lesson in a course outline, with the learner's state."""

    entry: OutlineEntry
    opened: bool = False
    last_opened_at: datetime | None = None
    done: bool = False
    quiz_passed: bool = False
    locked_reason: str = ""
    unlock_page: object = None  # an OutlineEntry or a Page: has title and url

    pk = property(lambda self: self.entry.pk)
    title = property(lambda self: self.entry.title)
    url = property(lambda self: self.entry.url)
    is_module = property(lambda self: self.entry.is_module)
    is_required = property(lambda self: self.entry.is_required)
    estimated_minutes = property(lambda self: self.entry.estimated_minutes)

    @property
    def status(self) -> str:
        if self.done:
            return DONE
        if self.locked_reason:
            return LOCKED
        return IN_PROGRESS if self.opened else NOT_STARTED


@dataclass
class CourseState:
    course: Page
    enrolment: Enrolment | None
    items: list[OutlineItem]
    preview: bool = False
    can_enrol: bool = False
    lock_reason: str = ""
    unlock_page: Page | None = None

    @cached_property
    def lessons(self) -> list[OutlineItem]:
        return [item for item in self.items if not item.is_module]

    @cached_property
    def required_total(self) -> int:
        return sum(1 for item in self.lessons if item.is_required)

    @cached_property
    def required_done(self) -> int:
        return sum(1 for item in self.lessons if item.is_required and item.done)

    @cached_property
    def percent(self) -> int:
        return progress_percent(
            done=self.required_done,
            total=self.required_total,
            completed=bool(self.enrolment and self.enrolment.completed_at),
        )

    @cached_property
    def continue_item(self) -> OutlineItem | None:
        """Resume at the first unfinished lesson that is open to the learner."""
        for item in self.lessons:
            if not item.done and not item.locked_reason:
                return item
        return None

    @property
    def is_overdue(self) -> bool:
        return bool(self.enrolment and self.enrolment.is_overdue)

    @property
    def final_quiz_pending(self) -> bool:
        return bool(
            self.enrolment
            and self.course.requires_final_quiz
            and self.enrolment.final_quiz_passed_at is None
        )


@dataclass
class LessonState:
    lesson: Page
    course: Page | None
    access: LessonAccess
    course_state: CourseState | None = None
    item: OutlineItem | None = None
    position: int | None = None
    previous: OutlineItem | None = None
    next: OutlineItem | None = None
    preview: bool = False

    @property
    def total(self) -> int:
        return len(self.course_state.lessons) if self.course_state else 0

    @property
    def enrolment(self) -> Enrolment | None:
        return self.access.enrolment

    @property
    def is_done(self) -> bool:
        return bool(self.item and self.item.done)

    @property
    def needs_quiz(self) -> bool:
        return self.lesson.has_quiz and not (self.item and self.item.quiz_passed)

    @property
    def can_complete(self) -> bool:
        return bool(
            self.access.allowed
            and self.enrolment is not None
            and not self.is_done
            and not self.preview
        )


def progress_percent(*, done: int, total: int, completed: bool) -> int:
    """Required, published lessons only; a completed course stays at 100 %."""
    if completed:
        return 100
    if not total:
        return 0
    return min(100, done * 100 // total)


def _active_enrolments(user):
    return Enrolment.objects.filter(learner=user, withdrawn_at__isnull=True)


def _course_enrolment(user, course: Page) -> Enrolment | None:
    """The learner's active enrolment in the course; with a prerequisite, whether
    that is completed (prerequisite_done): one query."""
    enrolments = _active_enrolments(user).filter(course=course)
    if course.prerequisite_id:
        completed_prerequisite = Enrolment.objects.filter(
            learner=user, course_id=course.prerequisite_id, completed_at__isnull=False
        )
        enrolments = enrolments.annotate(
            prerequisite_done=Exists(completed_prerequisite)
        )
    enrolment = enrolments.first()
    if enrolment is not None:
        enrolment.course = course
    return enrolment


def _progress(enrolment_ids) -> dict[tuple[int, int], tuple]:
    """(enrolment, lesson) → (first opened, last opened, completed, quiz passed):
    one query."""
    rows = LessonProgress.objects.filter(
        enrolment_id__in=enrolment_ids, lesson_id__isnull=False
    ).values_list(
        "enrolment_id",
        "lesson_id",
        "first_opened_at",
        "last_opened_at",
        "completed_at",
        "quiz_passed_at",
    )
    return {(e, lesson): rest for e, lesson, *rest in rows}


def _outline(course: Page, enrolment: Enrolment | None) -> list[OutlineItem]:
    """The cached course outline with the learner's progress: one query."""
    progress = _progress([enrolment.pk]) if enrolment is not None else {}
    items = []
    for entry in course_outline(course):
        opened, last_opened, completed, quiz_passed = progress.get(
            (enrolment and enrolment.pk, entry.pk), (None, None, None, None)
        )
        items.append(
            OutlineItem(
                entry=entry,
                opened=bool(opened),
                last_opened_at=last_opened,
                done=bool(completed),
                quiz_passed=bool(quiz_passed),
            )
        )
    return items


def _not_enrolled_reason(user, course: Page) -> str:
    if not user.is_authenticated:
        return _("Sign in and enrol in this course to open its lessons.")
    if course.is_open:
        return _("Enrol in this course to open its lessons.")
    return _(
        "This course is assigned by administrators. Ask your agency's focal "
        "person if you should take it."
    )


def _live_prerequisite(course: Page) -> Page | None:
    """The prerequisite course when it is live: its title and address are what
    the lock shows. One query, made only for a learner it locks out."""
    return (
        Page.objects.live()
        .filter(pk=course.prerequisite_id)
        .only("id", "title", "url_path")
        .first()
    )


def _course_lock(
    user, course: Page, enrolment: Enrolment | None
) -> tuple[str, Page | None]:
    """What shuts every lesson of the course: no enrolment, then the prerequisite."""
    if enrolment is None:
        return _not_enrolled_reason(user, course), course
    # The enrolment query answers the prerequisite check (prerequisite_done).
    if course.prerequisite_id and not enrolment.prerequisite_done:
        prerequisite = _live_prerequisite(course)
        if prerequisite is not None:
            reason = _("Complete the course “%(title)s” first.") % {
                "title": prerequisite.title
            }
            return reason, prerequisite
    return "", None


def _apply_locks(
    items: list[OutlineItem], *, course: Page, reason: str, unlock_page
) -> None:
    blocker = None
    for item in items:
        if item.is_module:
            continue
        if reason:
            item.locked_reason, item.unlock_page = reason, unlock_page
        elif blocker is not None:
            item.locked_reason = _("Finish “%(title)s” first.") % {
                "title": blocker.title
            }
            item.unlock_page = blocker.entry
        if course.is_sequential and blocker is None and item.is_required:
            if not item.done:
                blocker = item


def _course_state(
    *, user, course: Page, enrolment: Enrolment | None, preview: bool
) -> CourseState:
    items = _outline(course, enrolment)
    state = CourseState(
        course=course, enrolment=enrolment, items=items, preview=preview
    )
    if preview:
        return state
    state.lock_reason, state.unlock_page = _course_lock(user, course, enrolment)
    _apply_locks(
        items, course=course, reason=state.lock_reason, unlock_page=state.unlock_page
    )
    state.can_enrol = enrolment is None and user.is_authenticated and course.is_open
    return state


def course_state(*, user, course: Page, preview: bool = False) -> CourseState:
    """The outline as this user sees it: statuses, locks, progress, where to resume."""
    enrolment = None
    if user.is_authenticated and not preview:
        enrolment = _course_enrolment(user, course)
    return _course_state(user=user, course=course, enrolment=enrolment, preview=preview)


def lesson_state(*, user, lesson: Page, preview: bool = False) -> LessonState:
    """A lesson page's learner state; Wagtail's serve hook checks restrictions."""
    course = lesson.get_course()
    if course is None:
        access = LessonAccess(False, _("This lesson is not part of a course."), None)
        return LessonState(lesson=lesson, course=None, access=access, preview=preview)
    enrolment = None
    if user.is_authenticated and not preview:
        enrolment = _course_enrolment(user, course)
    if not course.live and not preview:
        access = LessonAccess(
            False, _("This course is not published."), enrolment, not_found=True
        )
        return LessonState(lesson=lesson, course=course, access=access)
    course_st = _course_state(
        user=user, course=course, enrolment=enrolment, preview=preview
    )
    state = LessonState(
        lesson=lesson,
        course=course,
        access=LessonAccess(True, "", enrolment),
        course_state=course_st,
        preview=preview,
    )
    lessons = course_st.lessons
    for index, item in enumerate(lessons):
        if item.pk == lesson.pk:
            state.item, state.position = item, index + 1
            state.previous = lessons[index - 1] if index else None
            state.next = lessons[index + 1] if index + 1 < len(lessons) else None
    if not preview:
        if state.item is None:
            reason = _not_enrolled_reason(user, course) if enrolment is None else ""
            state.access = LessonAccess(
                False,
                reason or _("This lesson is not published."),
                enrolment,
                unlock_page=course,
                not_found=not reason,
            )
        elif state.item.locked_reason:
            state.access = LessonAccess(
                False, state.item.locked_reason, enrolment, state.item.unlock_page
            )
    return state


def _restrictions_allow(learner, lesson: Page) -> bool:
    """Login and group restrictions are checked; a password needs a session: no."""
    for restriction in lesson.get_view_restrictions():
        if restriction.restriction_type == PageViewRestriction.LOGIN:
            if not learner.is_authenticated:
                return False
        elif restriction.restriction_type == PageViewRestriction.GROUPS:
            group_ids = {g.pk for g in restriction.groups.all()}
            if not learner.groups.filter(pk__in=group_ids).exists():
                return False
        elif restriction.restriction_type != PageViewRestriction.NONE:
            return False
    return True


def lesson_access(*, learner, lesson: Page) -> LessonAccess:
    """A lesson opens when it and its course are published and visible to the learner,
    the learner is enrolled, the prerequisite course is completed and, in a
    sequential course, the previous required lessons are done.
    """
    if not lesson.live:
        return LessonAccess(False, _("This lesson is not published."), not_found=True)
    if not _restrictions_allow(learner, lesson):
        return LessonAccess(False, _("This lesson is not open to you."), not_found=True)
    return lesson_state(user=learner, lesson=lesson).access


def lesson_quiz(lesson: Page):
    """The quiz in the lesson's first quiz block, or None."""
    for block in lesson.body:
        if block.block_type == "quiz":
            return block.value["quiz"]
    return None


def active_enrolment(*, learner, course: Page) -> Enrolment | None:
    if not learner.is_authenticated:
        return None
    return _active_enrolments(learner).filter(course=course).first()


# My learning -----------------------------------------------------------------


@dataclass
class LearningEntry:
    enrolment: Enrolment
    percent: int
    required_done: int = 0
    required_total: int = 0
    next_lesson: OutlineEntry | None = None
    locked_by: Page | None = None  # the prerequisite course still to complete

    @property
    def course(self) -> Page:
        return self.enrolment.course


@dataclass
class MyLearning:
    in_progress: list[LearningEntry] = field(default_factory=list)
    not_started: list[LearningEntry] = field(default_factory=list)
    completed: list[LearningEntry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.in_progress or self.not_started or self.completed)


def _urgency(entry: LearningEntry):
    """Overdue first, then the nearest due date, then the most recent activity."""
    enrolment = entry.enrolment
    due = enrolment.due_at.timestamp() if enrolment.due_at else float("inf")
    activity = enrolment.last_activity_at or enrolment.enrolled_at
    return (not enrolment.is_overdue, due, -activity.timestamp())


def _learning_entry(enrolment, outline, done_ids) -> LearningEntry:
    lessons = [entry for entry in outline if not entry.is_module]
    required = [entry for entry in lessons if entry.is_required]
    done = sum(1 for entry in required if entry.pk in done_ids)
    entry = LearningEntry(
        enrolment=enrolment,
        percent=progress_percent(
            done=done,
            total=len(required),
            completed=enrolment.completed_at is not None,
        ),
        required_done=done,
        required_total=len(required),
    )
    if enrolment.completed_at is None:
        entry.next_lesson = next((e for e in lessons if e.pk not in done_ids), None)
    return entry


def my_learning(*, learner) -> MyLearning:
    """Active enrolments in published courses, grouped by status: two queries
    (a third when a prerequisite still blocks a course)."""
    enrolments = list(_active_enrolments(learner).select_related("course"))
    completed_courses = {e.course_id for e in enrolments if e.completed_at}
    enrolments = [e for e in enrolments if e.course.live]
    outlines = course_outlines([e.course for e in enrolments])
    done: dict[int, set[int]] = {e.pk: set() for e in enrolments}
    for (enrolment_id, lesson_id), (_opened, _last, completed, _quiz) in _progress(
        done
    ).items():
        if completed:
            done[enrolment_id].add(lesson_id)
    blocking = {
        e.course.prerequisite_id
        for e in enrolments
        if e.course.prerequisite_id
        and not e.completed_at
        and e.course.prerequisite_id not in completed_courses
    }
    prerequisites = Page.objects.live().in_bulk(blocking) if blocking else {}
    result = MyLearning()
    for enrolment in enrolments:
        entry = _learning_entry(
            enrolment, outlines[enrolment.course_id], done[enrolment.pk]
        )
        if enrolment.completed_at is None:
            entry.locked_by = prerequisites.get(enrolment.course.prerequisite_id)
        if enrolment.completed_at:
            result.completed.append(entry)
        elif enrolment.started_at:
            result.in_progress.append(entry)
        else:
            result.not_started.append(entry)
    result.in_progress.sort(key=_urgency)
    result.not_started.sort(key=_urgency)
    result.completed.sort(key=lambda e: e.enrolment.completed_at, reverse=True)
    return result


# Catalogue -------------------------------------------------------------------

STATUS_FILTERS = [
    ("not_enrolled", gettext_lazy("Not enrolled")),
    ("not_started", gettext_lazy("Not started")),
    ("in_progress", pgettext_lazy("learning status", "In progress")),
    ("overdue", gettext_lazy("Overdue")),
    ("completed", gettext_lazy("Completed")),
]


@dataclass
class CatalogueEntry:
    course: Page
    enrolment: Enrolment | None

    @property
    def status(self) -> str:
        enrolment = self.enrolment
        if enrolment is None:
            return "not_enrolled"
        if enrolment.completed_at:
            return "completed"
        if enrolment.is_overdue:
            return "overdue"
        return "in_progress" if enrolment.started_at else "not_started"

    @property
    def status_label(self) -> str:
        return dict(STATUS_FILTERS)[self.status]


@dataclass
class Catalogue:
    entries: list[CatalogueEntry]
    topics: list[Tag]
    topic: str = ""
    status: str = ""
    status_choices: list = field(default_factory=lambda: STATUS_FILTERS)

    @property
    def is_filtered(self) -> bool:
        return bool(self.topic or self.status)


def catalogue(*, index: Page, user, params) -> Catalogue:
    """Published, public courses here, filtered by topic and the user's status."""
    courses = (
        index.courses()
        .select_related("cover_image")
        .prefetch_related("tagged_items__tag", "cover_image__renditions")
    )
    topics = list(
        Tag.objects.filter(
            courses_coursetopic_items__content_object__in=courses.values("pk")
        )
        .distinct()
        .order_by("name")
    )
    topic = params.get("topic", "")
    if topic:
        courses = courses.filter(tagged_items__tag__slug=topic)
    enrolments = {}
    if user.is_authenticated:
        enrolments = {
            e.course_id: e
            for e in _active_enrolments(user).filter(course__in=courses.values("pk"))
        }
    entries = [CatalogueEntry(course, enrolments.get(course.pk)) for course in courses]
    status = params.get("status", "")
    if status in dict(STATUS_FILTERS) and user.is_authenticated:
        entries = [entry for entry in entries if entry.status == status]
    else:
        status = ""
    return Catalogue(entries=entries, topics=topics, topic=topic, status=status)
