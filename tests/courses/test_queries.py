"""The learner's pages cost a fixed number of queries, whatever the site's size.

The bounds are the counts measured when this was written: a session, the user,
the site, routing (two), Wagtail's view-restriction check (two), the userbar's
permission checks (two), then ours: the enrolment with its lesson progress (one
query), plus one UPDATE when a lesson is opened (not again within ten minutes).
The course outline comes from the cache (courses/outline.py), and the lesson
page's course object too; rebuilding them after a change costs one query each.
None of it grows with lessons, learners or enrolments.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.services import complete_lesson, enrol_learner, open_lesson
from tests.factories import make_course, make_lesson, make_module, make_user

LESSON_PAGE_QUERIES = 12
COURSE_PAGE_QUERIES = 11
MY_LEARNING_QUERIES = 7

pytestmark = pytest.mark.usefixtures("english")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _count_after_change(client, url, rebuilt=1):
    """The first request after a change rebuilds what was cached (a query each),
    then not."""
    cold = _count(client, url)
    warm = _count(client, url)
    assert cold == warm + rebuilt
    return warm


def _grow(course, catalogue_page, trainee):
    """Ten more lessons in this course; more learners, enrolments and courses."""
    module = make_module(course)
    for _ in range(10):
        make_lesson(module)
    for _ in range(3):
        other = make_course(catalogue_page, lessons=4)
        enrol_learner(learner=trainee, course=other)
        for _ in range(3):
            enrol_learner(learner=make_user(), course=other)
            enrol_learner(learner=make_user(), course=course)


@pytest.fixture
def lessons(client, trainee, enrolment, course):
    client.force_login(trainee)
    lessons = list(course.lessons())
    open_lesson(enrolment=enrolment, lesson=lessons[0])
    complete_lesson(enrolment=enrolment, lesson=lessons[0])
    # First requests fill per-process caches (content types, site root paths).
    for url in (course.url, lessons[1].url, "/my-learning/"):
        client.get(url)
    return lessons


@pytest.mark.django_db
def test_lesson_page_runs_a_fixed_number_of_queries(
    client, course, catalogue_page, trainee, lessons, django_assert_max_num_queries
):
    with django_assert_max_num_queries(LESSON_PAGE_QUERIES):
        client.get(lessons[1].url)
    before = _count(client, lessons[1].url)
    _grow(course, catalogue_page, trainee)
    # Rebuilt: the outline and the course.
    assert _count_after_change(client, lessons[1].url, rebuilt=2) == before


@pytest.mark.django_db
def test_course_page_runs_a_fixed_number_of_queries(
    client, course, catalogue_page, trainee, lessons, django_assert_max_num_queries
):
    with django_assert_max_num_queries(COURSE_PAGE_QUERIES):
        client.get(course.url)
    before = _count(client, course.url)
    _grow(course, catalogue_page, trainee)
    assert _count_after_change(client, course.url) == before


@pytest.mark.django_db
def test_a_course_locked_behind_a_prerequisite_costs_no_more(
    client, course, catalogue_page, trainee, lessons, django_assert_max_num_queries
):
    """The prerequisite's title and address come with the enrolment."""
    advanced = make_course(catalogue_page, prerequisite=course)
    enrol_learner(learner=trainee, course=advanced)
    client.get(advanced.url)
    with django_assert_max_num_queries(COURSE_PAGE_QUERIES):
        response = client.get(advanced.url)
    assert "Complete the course" in response.content.decode()


@pytest.mark.django_db
def test_my_learning_runs_a_fixed_number_of_queries(
    client, course, catalogue_page, trainee, lessons, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MY_LEARNING_QUERIES):
        client.get("/my-learning/")
    before = _count(client, "/my-learning/")
    _grow(course, catalogue_page, trainee)
    assert _count_after_change(client, "/my-learning/") == before


@pytest.mark.django_db
def test_catalogue_queries_do_not_grow_with_courses(
    client, course, catalogue_page, trainee, lessons
):
    before = _count(client, catalogue_page.url)
    _grow(course, catalogue_page, trainee)
    assert _count(client, catalogue_page.url) == before
