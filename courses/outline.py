"""A course's structure (modules and published lessons), the same for every learner.

The course and lesson pages need it on every request, and building it costs an
annotated tree query; so it is cached per course and dropped by signals
(courses/signals.py) whenever a page of that course is saved, moved or deleted.
The time limit bounds staleness where the cache is per process (no Redis).
Rules that decide anything (completion in services.py) read the database.

The lesson page also takes its course from here (`cached_course`), but only
after the database said which revision of the course is live and where it is:
a cached copy that doesn't match is fetched again, so what a learner sees of a
course is never older than its published state.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import F, Q
from wagtail.models import Page

OUTLINE_SECONDS = 60


@dataclass(frozen=True)
class OutlineEntry:
    """A module heading or a published lesson; it has what a link needs."""

    pk: int
    title: str
    url: str
    path: str
    is_module: bool
    is_required: bool = True
    estimated_minutes: int | None = None


def _key(course_pk: int) -> str:
    return f"courses:outline:{course_pk}"


def build_outlines(courses) -> dict[int, tuple[OutlineEntry, ...]]:
    """Modules and published lessons below each course, in reading order: one query."""
    from .models import LessonPage

    courses = list(courses)
    outlines: dict[int, list[OutlineEntry]] = {course.pk: [] for course in courses}
    if not courses:
        return {}
    below_any = Q()
    for course in courses:
        below_any |= Q(path__startswith=course.path, depth__gt=course.depth)
    lesson_type = ContentType.objects.get_for_model(LessonPage).pk
    pages = (
        Page.objects.live()
        .filter(below_any)
        .order_by("path")
        .annotate(
            lesson_required=F("lessonpage__is_required"),
            lesson_minutes=F("lessonpage__estimated_minutes"),
        )
        .only("id", "title", "path", "url_path", "content_type_id")
    )
    by_path = {course.path: course.pk for course in courses}
    steplen = Page.steplen
    for page in pages:
        course_pk = next(
            by_path[page.path[:i]]
            for i in range(steplen, len(page.path), steplen)
            if page.path[:i] in by_path
        )
        outlines[course_pk].append(
            OutlineEntry(
                pk=page.pk,
                title=page.title,
                url=page.get_url(),
                path=page.path,
                is_module=page.content_type_id != lesson_type,
                is_required=bool(page.lesson_required),
                estimated_minutes=page.lesson_minutes,
            )
        )
    return {pk: tuple(entries) for pk, entries in outlines.items()}


def course_outline(course) -> tuple[OutlineEntry, ...]:
    key = _key(course.pk)
    outline = cache.get(key)
    if outline is None:
        outline = build_outlines([course])[course.pk]
        cache.set(key, outline, OUTLINE_SECONDS)
    return outline


def course_outlines(courses) -> dict[int, tuple[OutlineEntry, ...]]:
    """Outlines of several courses: one cache round trip, one query for the misses."""
    keys = {_key(course.pk): course for course in courses}
    found = cache.get_many(list(keys))
    missing = [course for key, course in keys.items() if key not in found]
    if missing:
        built = {_key(pk): outline for pk, outline in build_outlines(missing).items()}
        cache.set_many(built, OUTLINE_SECONDS)
        found.update(built)
    return {course.pk: found[key] for key, course in keys.items()}


def course_marker(course) -> tuple:
    """What identifies the published state of a course: live, its live revision
    and its address. The lesson page reads the same three values with the learner's
    enrolment."""
    return (course.live, course.live_revision_id, course.url_path)


def _course_key(course_pk: int) -> str:
    return f"courses:course:{course_pk}"


def cached_course(course_pk: int, marker: tuple):
    """The CoursePage: from the cache when its marker matches, else the database."""
    from .models import CoursePage

    key = _course_key(course_pk)
    found = cache.get(key)
    if found is not None and found[0] == marker:
        return found[1]
    course = CoursePage.objects.get(pk=course_pk)
    cache.set(key, (course_marker(course), course), OUTLINE_SECONDS)
    return course


def forget_outlines(course_pks) -> None:
    keys = []
    for pk in course_pks:
        keys += [_key(pk), _course_key(pk)]
    cache.delete_many(keys)
