"""The demo loads through the real services and can be loaded twice."""

import io

import pytest
from django.core.management import call_command

from courses.models import (
    CourseIndexPage,
    CoursePage,
    Enrolment,
    InformationPage,
    LessonProgress,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def demo_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _snapshot():
    return (
        CoursePage.objects.count(),
        Enrolment.objects.count(),
        LessonProgress.objects.filter(completed_at__isnull=False).count(),
        sorted(Enrolment.objects.values_list("learner_id", "course_id", "status")),
    )


def test_demo_data_loads_twice_with_every_status(site_root, demo_media):
    call_command("load_demo_data", stdout=io.StringIO())
    first = _snapshot()
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    assert _snapshot() == first
    assert "0 given demo progress this run" in out.getvalue()

    assert CourseIndexPage.objects.live().count() == 1
    courses = CoursePage.objects.live()
    assert courses.count() == 2
    for course in courses:
        assert "Nội dung minh họa" in course.summary
        assert course.lessons().count() >= 4
    assert courses.filter(is_sequential=True).exists()

    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert statuses == {"not_started", "in_progress", "completed", "withdrawn"}
    assert any(e.is_overdue for e in Enrolment.objects.all())
    assert Enrolment.objects.filter(source="agency").exists()
    assert Enrolment.objects.filter(learner__email="trainee@example.org").exists()

    used = {
        block.block_type
        for course in courses
        for lesson in course.lessons()
        for block in lesson.specific.body
    }
    # Quizzes adds its blocks in its own demo module; ours uses the rest.
    assert len(used - {"quiz"}) >= 9


def test_the_demo_home_page_links_to_the_study_guide(client, site_root, demo_media):
    call_command("load_demo_data", stdout=io.StringIO())
    guide = InformationPage.objects.live().get()
    assert guide.url == "/huong-dan/"

    home = client.get("/").content.decode()
    assert 'href="/huong-dan/"' in home
    page = client.get(guide.url).content.decode()
    assert "<h1>Hướng dẫn học trực tuyến</h1>" in page
    assert "Học từng bài" in page
