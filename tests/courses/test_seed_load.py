"""seed_load builds a realistic data set that the report reads like any other."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from wagtail.models import Page

from accounts.models import Agency, User
from courses.models import (
    CourseAssignment,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
)
from reports.queries import CompletionFilters, CompletionReport

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(module_db):
    """seed_load's output; the data set is loaded once for the module."""
    out = io.StringIO()
    call_command(
        "seed_load",
        learners=300,
        agencies=60,
        courses=3,
        batch_size=120,
        stdout=out,
    )
    return out.getvalue()


def test_seed_load_builds_agencies_as_a_tree_with_merged_ones(seeded):
    province = Agency.objects.get(code="LOAD")
    agencies = Agency.objects.filter(code__startswith="LOAD")
    assert agencies.count() == 60
    assert province.parent is None and province.kind == Agency.Kind.PROVINCE
    assert set(province.children.values_list("kind", flat=True)) == {
        Agency.Kind.DEPARTMENT,
        Agency.Kind.DISTRICT,
    }
    merged = agencies.filter(replaced_by__isnull=False)
    assert merged.exists()
    assert not merged.filter(is_active=True).exists()
    # Nobody works in a merged agency any more, but history was recorded there.
    assert not User.objects.filter(agency__in=merged).exists()
    assert Enrolment.objects.filter(agency__in=merged).exists()
    assert "Loaded 60 agencies" in seeded


def test_seed_load_builds_courses_as_pages_under_the_catalogue(seeded):
    index = CourseIndexPage.objects.get()
    courses = CoursePage.objects.child_of(index).live()
    assert courses.count() == 3
    for course in courses:
        lessons = LessonPage.objects.child_of(course).live().count()
        assert 8 <= lessons <= 12
        assert CourseAssignment.objects.filter(course=course).exists()
    # Built with the tree API: paths, depths and child counts are consistent.
    assert all(not problems for problems in Page.find_problems())


def test_seed_load_builds_enrolments_in_every_state_with_progress(seeded):
    assert User.objects.filter(email__startswith="load-").count() == 300
    statuses = dict(
        Enrolment.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    assert set(statuses) == set(Enrolment.Status.values)
    completed = Enrolment.objects.filter(status=Enrolment.Status.COMPLETED)
    assert not completed.filter(completed_at__isnull=True).exists()
    assert completed.filter(score__isnull=False).exists()
    assert Enrolment.objects.filter(
        completed_at__isnull=True, due_at__isnull=False
    ).exists()
    # A completed enrolment has every lesson done; a new one has none.
    sample = completed.first()
    done = LessonProgress.objects.filter(enrolment=sample, completed_at__isnull=False)
    assert done.count() == LessonPage.objects.child_of(sample.course).count()
    not_started = Enrolment.objects.filter(status=Enrolment.Status.NOT_STARTED)
    assert not LessonProgress.objects.filter(enrolment__in=not_started).exists()


def test_the_report_counts_the_seeded_data(seeded):
    admin = User(is_superuser=True, is_active=True)
    report = CompletionReport(user=admin, filters=CompletionFilters())
    rows = {row.code: row for row in report.rows()}
    active = Enrolment.objects.filter(withdrawn_at__isnull=True)
    assert rows["LOAD"].assigned == active.count()
    assert rows["LOAD"].completed == active.filter(status="completed").count()
    new_user = User.objects.create_user(email="after-seed@example.org")
    assert new_user.pk > User.objects.filter(email__startswith="load-").count()


def test_seed_load_refuses_a_second_run_with_the_same_prefix(seeded):
    with pytest.raises(CommandError, match="already loaded"):
        call_command("seed_load", learners=1, agencies=4, courses=1)
    call_command("seed_load", learners=5, agencies=4, courses=1, prefix="MORE")
    assert User.objects.filter(email__startswith="more-").count() == 5


def test_seed_load_refuses_to_run_under_production_settings(settings, site_root):
    settings.DEBUG = False
    settings.ALLOW_DEMO_DATA = False
    agencies = Agency.objects.count()  # the module's seeded data may be there
    with pytest.raises(CommandError, match="production"):
        call_command("seed_load", learners=1, agencies=4, courses=1, prefix="PROD")
    assert Agency.objects.count() == agencies
