"""The learner's pages cost a fixed number of queries, whatever the site's size.

The course and lesson pages are measured against a plain page (an information
page with a text body) at the same depth, which pays what every page pays: the
session, the user, the site, Wagtail's routing (two queries a level), its
view-restriction check and the userbar's permission checks. On top of that, a
learner's page reads the enrolment (with the prerequisite check) and its lesson
progress: two queries. The course comes from routing, the outline from the
cache (courses/outline.py; one query to rebuild it after a change). A course
locked behind its prerequisite reads that course's title and address (one
more), and opening a lesson writes (not again within ten minutes). None of it
grows with lessons, learners, enrolments or progress rows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import InformationPage, LessonProgress
from courses.services import (
    ACTIVITY_GRANULARITY,
    complete_lesson,
    enrol_learner,
    open_lesson,
)
from tests.factories import make_course, make_lesson, make_module, make_user

BUDGET = 3  # queries over the plain page at the same depth (issue #10)
LEARNER_READS = 2  # the enrolment, its progress
MY_LEARNING_QUERIES = 7

pytestmark = pytest.mark.usefixtures("english")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _count_after_change(client, url):
    """The first request after a change may rebuild the outline (one query), then
    not. (The services that _grow calls may have rebuilt it already.)"""
    cold = _count(client, url)
    warm = _count(client, url)
    assert warm <= cold <= warm + 1
    return warm


def _plain_page(home, levels: int) -> InformationPage:
    """An information page `levels` below the home page, under information pages
    (routing a specific page costs two queries, a bare Page one)."""
    page = home
    for level in range(1, levels + 1):
        slug = f"plain-{levels}-{level}"
        page = page.add_child(
            instance=InformationPage(title=slug, slug=slug, body="<p>Text.</p>")
        )
    return page


def _grow(course, catalogue_page, trainee, enrolment):
    """Ten more lessons in this course, progress in them; more learners,
    enrolments, progress rows and courses."""
    module = make_module(course)
    added = [make_lesson(module) for _ in range(10)]
    for lesson in added[:4]:
        complete_lesson(enrolment=enrolment, lesson=lesson)
    for _ in range(3):
        other = make_course(catalogue_page, lessons=4)
        enrol_learner(learner=trainee, course=other)
        for _ in range(3):
            enrol_learner(learner=make_user(), course=other)
            someone = enrol_learner(learner=make_user(), course=course)
            open_lesson(enrolment=someone, lesson=added[0])


@pytest.fixture
def lessons(client, trainee, enrolment, course):
    client.force_login(trainee)
    lessons = list(course.lessons())
    open_lesson(enrolment=enrolment, lesson=lessons[0])
    complete_lesson(enrolment=enrolment, lesson=lessons[0])
    # First requests fill per-process caches (content types, site root paths)
    # and record the opening of lessons[1].
    for url in (course.url, lessons[1].url, "/my-learning/"):
        client.get(url)
    return lessons


@pytest.fixture
def plain(client, site_root, lessons):
    """Queries of the plain page at a course's depth and at a lesson's depth."""
    pages = {"course": _plain_page(site_root, 2), "lesson": _plain_page(site_root, 3)}
    for page in pages.values():
        client.get(page.url)
    return {depth: _count(client, page.url) for depth, page in pages.items()}


@pytest.mark.django_db
def test_lesson_page_costs_the_plain_page_and_two_reads(
    client,
    course,
    catalogue_page,
    trainee,
    enrolment,
    lessons,
    plain,
    django_assert_num_queries,
):
    with django_assert_num_queries(plain["lesson"] + LEARNER_READS):
        client.get(lessons[1].url)
    _grow(course, catalogue_page, trainee, enrolment)
    assert (
        _count_after_change(client, lessons[1].url) == plain["lesson"] + LEARNER_READS
    )


@pytest.mark.django_db
def test_a_lesson_in_a_module_costs_the_same(
    client, course, trainee, lessons, plain, django_assert_num_queries
):
    """One level deeper than the plain page: routing's two queries, nothing else."""
    lesson = make_lesson(make_module(course))
    client.get(lesson.url)  # records the opening
    with django_assert_num_queries(plain["lesson"] + 2 + LEARNER_READS):
        client.get(lesson.url)


@pytest.mark.django_db
def test_reopening_a_lesson_after_a_break_writes_once(
    client, trainee, enrolment, lessons, plain, django_assert_num_queries
):
    """An opening ten minutes after the last one moves it: one UPDATE. (The
    enrolment's activity was recorded minutes ago, else that is one more.)"""
    earlier = timezone.now() - ACTIVITY_GRANULARITY
    LessonProgress.objects.filter(lesson=lessons[1]).update(last_opened_at=earlier)
    with django_assert_num_queries(plain["lesson"] + LEARNER_READS + 1):
        client.get(lessons[1].url)
    assert LEARNER_READS + 1 <= BUDGET
    progress = LessonProgress.objects.get(lesson=lessons[1])
    assert progress.last_opened_at > earlier


@pytest.mark.django_db
def test_a_first_opening_inserts_the_progress_row_in_a_savepoint(
    client, course, trainee, lessons, plain, django_assert_num_queries
):
    """The row is inserted in its own savepoint (SAVEPOINT, INSERT, RELEASE), where
    the unique constraint settles two tabs racing: `make bench`'s "+q max"."""
    lesson = make_lesson(course)
    client.get(course.url)  # the outline, rebuilt after the new lesson
    with django_assert_num_queries(plain["lesson"] + LEARNER_READS + 3):
        client.get(lesson.url)
    assert LessonProgress.objects.filter(lesson=lesson).exists()


@pytest.mark.django_db
def test_course_page_costs_the_plain_page_and_two_reads(
    client,
    course,
    catalogue_page,
    trainee,
    enrolment,
    lessons,
    plain,
    django_assert_num_queries,
):
    with django_assert_num_queries(plain["course"] + LEARNER_READS):
        client.get(course.url)
    _grow(course, catalogue_page, trainee, enrolment)
    assert _count_after_change(client, course.url) == plain["course"] + LEARNER_READS


@pytest.mark.django_db
def test_a_course_locked_behind_a_prerequisite_reads_its_title_once(
    client,
    course,
    catalogue_page,
    trainee,
    lessons,
    plain,
    django_assert_num_queries,
):
    advanced = make_course(catalogue_page, prerequisite=course)
    enrol_learner(learner=trainee, course=advanced)
    client.get(advanced.url)
    with django_assert_num_queries(plain["course"] + LEARNER_READS + 1):
        response = client.get(advanced.url)
    assert "Complete the course" in response.content.decode()


@pytest.mark.django_db
def test_an_open_prerequisite_costs_nothing_more(
    client,
    course,
    catalogue_page,
    trainee,
    enrolment,
    lessons,
    plain,
    django_assert_num_queries,
):
    """The prerequisite check comes with the enrolment (an Exists annotation)."""
    for lesson in lessons[1:]:
        complete_lesson(enrolment=enrolment, lesson=lesson)
    advanced = make_course(catalogue_page, prerequisite=course)
    enrol_learner(learner=trainee, course=advanced)
    client.get(advanced.url)
    with django_assert_num_queries(plain["course"] + LEARNER_READS):
        response = client.get(advanced.url)
    assert "Complete the course" not in response.content.decode()


@pytest.mark.django_db
def test_my_learning_runs_a_fixed_number_of_queries(
    client,
    course,
    catalogue_page,
    trainee,
    enrolment,
    lessons,
    django_assert_max_num_queries,
):
    with django_assert_max_num_queries(MY_LEARNING_QUERIES):
        client.get("/my-learning/")
    before = _count(client, "/my-learning/")
    _grow(course, catalogue_page, trainee, enrolment)
    assert _count_after_change(client, "/my-learning/") == before


@pytest.mark.django_db
def test_catalogue_queries_do_not_grow_with_courses(
    client, course, catalogue_page, trainee, enrolment, lessons
):
    before = _count(client, catalogue_page.url)
    _grow(course, catalogue_page, trainee, enrolment)
    assert _count(client, catalogue_page.url) == before
