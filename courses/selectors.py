"""Learner state read from the database in a fixed number of queries.

Pages call these in get_context; templates only read the dataclasses returned.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction

from .models import CourseIndexPage, CoursePage, Enrolment, LessonPage, LessonProgress
from .outline import OutlineEntry, cached_course, course_outline, course_outlines

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
LOCKED = "locked"
# Status → (glyph, label). Labels are looked up in Python, not per item in the
# template: the course outline is the hot loop of the course page.
STATUS_DISPLAY = {
    DONE: ("✓", gettext_lazy("Done")),
    IN_PROGRESS: ("◐", pgettext_lazy("learning status", "In progress")),
    LOCKED: ("⊘", gettext_lazy("Locked")),
    NOT_STARTED: ("○", gettext_lazy("Not started")),
}


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

    @property
    def status_glyph(self) -> str:
        return STATUS_DISPLAY[self.status][0]

    @property
    def status_label(self) -> str:
        return str(STATUS_DISPLAY[self.status][1])

    @property
    def minutes_label(self) -> str:
        if not self.estimated_minutes:
            return ""
        return _("%(minutes)s min") % {"minutes": self.estimated_minutes}


@dataclass
class CourseState:
    course: CoursePage
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

    @property
    def duration_label(self) -> str:
        # Labels with numbers are formatted here, not with blocktranslate, which
        # localises each number at a cost out of proportion on this page.
        return _("About %(minutes)s minutes") % {
            "minutes": self.course.estimated_minutes
        }

    @property
    def lessons_label(self) -> str:
        count = len(self.lessons)
        return ngettext("%(counter)s lesson", "%(counter)s lessons", count) % {
            "counter": count
        }

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
    lesson: LessonPage
    course: CoursePage | None
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


def _ancestor_paths(page: Page) -> list[str]:
    return [page.path[:i] for i in range(page.steplen, len(page.path), page.steplen)]


def _active_enrolments(user):
    return Enrolment.objects.filter(learner=user, withdrawn_at__isnull=True)


# Hot path: the course and lesson pages read the learner's enrolment and its
# progress on every request. Django spends about 0.3 ms compiling each such
# query, several times what the database takes to answer it, so they are
# written out as SQL that SQLite and PostgreSQL both run (the suite runs on
# both); Model.objects.raw() still gives typed model instances. Each brings the
# enrolment's lesson progress along (a LEFT JOIN: one row per progress row),
# which saves a second round trip. Table names come from _meta and every value
# is a query parameter (hence the noqa: S608).


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


PROGRESS_COLUMNS = (
    "lesson_id",
    "first_opened_at",
    "last_opened_at",
    "completed_at",
    "quiz_passed_at",
)
PROGRESS_SELECT = ", ".join(f"progress.{c} AS progress_{c}" for c in PROGRESS_COLUMNS)


def _aware(value):
    """A datetime read outside the model's fields: SQLite gives it naive (UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def _with_progress(enrolment: Enrolment, rows) -> Enrolment:
    """Attach the progress read with the enrolment, as _progress would give it."""
    enrolment.read_progress = {
        (enrolment.pk, row.progress_lesson_id): (
            _aware(row.progress_first_opened_at),
            _aware(row.progress_last_opened_at),
            _aware(row.progress_completed_at),
            _aware(row.progress_quiz_passed_at),
        )
        for row in rows
        if row.pk == enrolment.pk and row.progress_lesson_id is not None
    }
    return enrolment


def _course_enrolment(user, course: CoursePage) -> Enrolment | None:
    """The learner's active enrolment in the course with its progress; with a
    prerequisite, whether it is completed and the prerequisite's title and
    address: one query."""
    enrolments = _table(Enrolment)
    prerequisite, join, params = "", "", []
    if course.prerequisite_id:
        prerequisite = (
            f", EXISTS(SELECT 1 FROM {enrolments} done WHERE done.learner_id = %s"  # noqa: S608
            " AND done.course_id = %s AND done.completed_at IS NOT NULL)"
            " AS prerequisite_done, prerequisite.title AS"
            " prerequisite_title, prerequisite.url_path AS prerequisite_url_path"
        )
        join = (
            f" LEFT JOIN {_table(Page)} prerequisite ON prerequisite.id = %s"
            " AND prerequisite.live = %s"
        )
        # Not correlated with the row: the database answers it once, not per row.
        params += [user.pk, course.prerequisite_id, course.prerequisite_id, True]
    rows = list(
        Enrolment.objects.raw(
            f"SELECT enrolment.*{prerequisite}, {PROGRESS_SELECT}"  # noqa: S608
            f" FROM {enrolments} enrolment{join}"
            f" LEFT JOIN {_table(LessonProgress)} progress"
            " ON progress.enrolment_id = enrolment.id"
            " AND progress.lesson_id IS NOT NULL"
            " WHERE enrolment.learner_id = %s AND enrolment.course_id = %s"
            " AND enrolment.withdrawn_at IS NULL",
            [*params, user.pk, course.pk],
        )
    )
    enrolment = _with_progress(rows[0], rows) if rows else None
    if enrolment is not None and course.prerequisite_id:
        enrolment.prerequisite_done = bool(enrolment.prerequisite_done)
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


def _outline(course: CoursePage, enrolment: Enrolment | None) -> list[OutlineItem]:
    """The cached course outline with the progress read with the enrolment."""
    progress = enrolment.read_progress if enrolment is not None else {}
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


def _lesson_enrolment(user, lesson: LessonPage) -> Enrolment | None:
    """The learner's active enrolment in the lesson's course, with its course and
    its progress: one query, no subquery.

    The rows are that enrolment (once per progress row) plus the learner's
    completed enrolments (a handful, once each), which answer the prerequisite
    check by look-up. The course object comes from the cache when the live
    state, live revision and address read here match.
    """
    paths = _ancestor_paths(lesson)
    in_paths = ", ".join(["%s"] * len(paths))
    rows = list(
        Enrolment.objects.raw(
            "SELECT enrolment.*, course.path AS course_path, course.live AS"  # noqa: S608
            " course_live, course.live_revision_id AS course_revision,"
            f" course.url_path AS course_url_path, {PROGRESS_SELECT}"
            f" FROM {_table(Enrolment)} enrolment"
            f" JOIN {_table(Page)} course ON course.id = enrolment.course_id"
            f" LEFT JOIN {_table(LessonProgress)} progress"
            " ON progress.enrolment_id = enrolment.id"
            " AND progress.lesson_id IS NOT NULL"
            f" AND enrolment.withdrawn_at IS NULL AND course.path IN ({in_paths})"
            " WHERE enrolment.learner_id = %s AND ((enrolment.withdrawn_at IS NULL"
            f" AND course.path IN ({in_paths})) OR enrolment.completed_at IS NOT NULL)",
            [*paths, user.pk, *paths],
        )
    )
    enrolment = next(
        (row for row in rows if row.withdrawn_at is None and row.course_path in paths),
        None,
    )
    if enrolment is None:
        return None
    _with_progress(enrolment, rows)
    course = cached_course(
        enrolment.course_id,
        (
            bool(enrolment.course_live),
            enrolment.course_revision,
            enrolment.course_url_path,
        ),
    )
    enrolment.course = course
    if course.prerequisite_id:
        enrolment.prerequisite_done = any(
            row.course_id == course.prerequisite_id and row.completed_at for row in rows
        )
    return enrolment


def _not_enrolled_reason(user, course: CoursePage) -> str:
    if not user.is_authenticated:
        return _("Sign in and enrol in this course to open its lessons.")
    if course.is_open:
        return _("Enrol in this course to open its lessons.")
    return _(
        "This course is assigned by administrators. Ask your agency's focal "
        "person if you should take it."
    )


def _live_prerequisite(enrolment: Enrolment, course: CoursePage) -> Page | None:
    """The prerequisite course's page when it is live (title and address are what
    the lock shows): read with the enrolment on the course page, else one query."""
    if not hasattr(enrolment, "prerequisite_url_path"):
        return Page.objects.filter(pk=course.prerequisite_id, live=True).first()
    if enrolment.prerequisite_url_path is None:  # not live
        return None
    # As .only("id", "title", "url_path") would load it: other fields deferred.
    return Page.from_db(
        enrolment._state.db,
        ["id", "title", "url_path"],
        [
            course.prerequisite_id,
            enrolment.prerequisite_title,
            enrolment.prerequisite_url_path,
        ],
    )


def _course_lock(
    user, course: CoursePage, enrolment: Enrolment | None
) -> tuple[str, Page | None]:
    """What shuts every lesson of the course: no enrolment, then the prerequisite."""
    if enrolment is None:
        return _not_enrolled_reason(user, course), course
    # Both enrolment queries answer the prerequisite check (prerequisite_done).
    if course.prerequisite_id and not enrolment.prerequisite_done:
        prerequisite = _live_prerequisite(enrolment, course)
        if prerequisite is not None:
            reason = _("Complete the course “%(title)s” first.") % {
                "title": prerequisite.title
            }
            return reason, prerequisite
    return "", None


def _apply_locks(
    items: list[OutlineItem], *, course: CoursePage, reason: str, unlock_page
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
    *, user, course: CoursePage, enrolment: Enrolment | None, preview: bool
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


def course_state(*, user, course: CoursePage, preview: bool = False) -> CourseState:
    """The outline as this user sees it: statuses, locks, progress, where to resume."""
    enrolment = None
    if user.is_authenticated and not preview:
        enrolment = _course_enrolment(user, course)
        if enrolment is not None:
            enrolment.course = course
    return _course_state(user=user, course=course, enrolment=enrolment, preview=preview)


def lesson_state(*, user, lesson: LessonPage, preview: bool = False) -> LessonState:
    """A lesson page's learner state; Wagtail's serve hook checks restrictions."""
    enrolment = None
    if user.is_authenticated and not preview:
        enrolment = _lesson_enrolment(user, lesson)
    course = enrolment.course if enrolment else lesson.get_course()
    if course is None:
        access = LessonAccess(False, _("This lesson is not part of a course."), None)
        return LessonState(lesson=lesson, course=None, access=access, preview=preview)
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


def _restrictions_allow(learner, lesson: LessonPage) -> bool:
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


def lesson_access(*, learner, lesson: LessonPage) -> LessonAccess:
    """A lesson opens when it and its course are published and visible to the learner,
    the learner is enrolled, the prerequisite course is completed and, in a
    sequential course, the previous required lessons are done.
    """
    if not lesson.live:
        return LessonAccess(False, _("This lesson is not published."), not_found=True)
    if not _restrictions_allow(learner, lesson):
        return LessonAccess(False, _("This lesson is not open to you."), not_found=True)
    return lesson_state(user=learner, lesson=lesson).access


def lesson_quiz(lesson: LessonPage):
    """The quiz in the lesson's first quiz block, or None."""
    for block in lesson.body:
        if block.block_type == "quiz":
            return block.value["quiz"]
    return None


def active_enrolment(*, learner, course: CoursePage) -> Enrolment | None:
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
    def course(self) -> CoursePage:
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
    course: CoursePage
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


def catalogue(*, index: CourseIndexPage, user, params) -> Catalogue:
    """Published, public courses here, filtered by topic and the user's status."""
    courses = (
        CoursePage.objects.live()
        .public()
        .child_of(index)
        .order_by("path")
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
