"""A course's structure (modules and published lessons), the same for every learner.

The course and lesson pages need it on every request and building it is a tree
query, so it is cached as plain tuples under the course's pk and live revision:
publishing the course is a new key. Its lessons and modules change without a
new course revision, so signals (courses/signals.py) drop the entry when one of
them is saved, moved or deleted; the time limit bounds staleness where the cache
is per process (no Redis, no shared file cache). Rules that decide anything
(completion in services.py) read the database.
"""

from collections.abc import Iterable
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import F, Q
from wagtail.models import Page

OUTLINE_SECONDS = 60


class OutlineEntry(NamedTuple):
    """A module heading or a published lesson; it has what a link needs."""

    pk: int
    title: str
    url: str
    is_module: bool
    is_required: bool = True
    estimated_minutes: int | None = None


def outline_key(course_pk: int, live_revision_id: int | None) -> str:
    return f"courses:outline:{course_pk}:{live_revision_id}"


def _key(course: Page) -> str:
    return outline_key(course.pk, course.live_revision_id)


def build_outlines(courses) -> dict[int, tuple[OutlineEntry, ...]]:
    """Modules and published lessons below each course, in reading order: one query."""
    courses = list(courses)
    if not courses:
        return {}
    outlines: dict[int, list[OutlineEntry]] = {course.pk: [] for course in courses}
    below_any = Q()
    for course in courses:
        below_any |= Q(path__startswith=course.path, depth__gt=course.depth)
    pages = (
        Page.objects.live()
        .filter(below_any)
        .order_by("path")
        # Only lessons have these: a module reads None.
        .annotate(
            lesson_required=F("lessonpage__is_required"),
            lesson_minutes=F("lessonpage__estimated_minutes"),
        )
        .only("id", "title", "path", "url_path")
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
                is_module=page.lesson_required is None,
                is_required=bool(page.lesson_required),
                estimated_minutes=page.lesson_minutes,
            )
        )
    return {pk: tuple(entries) for pk, entries in outlines.items()}


def _plain(outline: tuple[OutlineEntry, ...]) -> tuple[tuple, ...]:
    """What the cache holds: tuples, not instances of our classes."""
    return tuple(tuple(entry) for entry in outline)


def _entries(rows: tuple[tuple, ...]) -> tuple[OutlineEntry, ...]:
    return tuple(OutlineEntry._make(row) for row in rows)


def course_outline(course: Page) -> tuple[OutlineEntry, ...]:
    """The course's outline: from the cache, else one query."""
    key = _key(course)
    rows = cache.get(key)
    if rows is None:
        outline = build_outlines([course])[course.pk]
        cache.set(key, _plain(outline), OUTLINE_SECONDS)
        return outline
    return _entries(rows)


def course_outlines(courses) -> dict[int, tuple[OutlineEntry, ...]]:
    """Outlines of several courses: one cache round trip, one query for the misses."""
    keys = {_key(course): course for course in courses}
    found = {key: _entries(rows) for key, rows in cache.get_many(list(keys)).items()}
    missing = [course for key, course in keys.items() if key not in found]
    if missing:
        outlines = build_outlines(missing)
        built = {_key(course): outlines[course.pk] for course in missing}
        cache.set_many(
            {key: _plain(outline) for key, outline in built.items()}, OUTLINE_SECONDS
        )
        found.update(built)
    return {course.pk: found[key] for key, course in keys.items()}


def forget_outlines(courses: Iterable[tuple[int, int | None]]) -> None:
    """Drop the cached outlines of these (course pk, live revision id) pairs."""
    cache.delete_many([outline_key(pk, revision) for pk, revision in courses])
