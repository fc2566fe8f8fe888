"""An administrator: approves a lesson a trainer submitted to "Course review",
assigns a course to an agency, and follows completion in the report (filter,
drill into an agency, export to XLSX). At phone and desktop widths."""

import io

import pytest
from django.urls import reverse

from accounts.demo_data import DEMO_PASSWORD
from accounts.models import Agency, User
from courses.models import CourseAssignment, CoursePage, LessonPage
from tests.e2e.conftest import vi
from tests.e2e.support import login
from tests.factories import make_lesson

SPEAKING_COURSE = "ky-nang-phat-ngon"
NEW_LESSON = "Trả lời phỏng vấn trực tiếp"


@pytest.fixture
def lesson_in_review(e2e_demo):
    """A draft lesson the demo trainer submitted to the Course review workflow."""
    trainer = User.objects.get(email="trainer@example.org")
    course = CoursePage.objects.get(slug=SPEAKING_COURSE)
    lesson = make_lesson(
        course,
        title=NEW_LESSON,
        slug="tra-loi-phong-van",
        live=False,
        body=[{"type": "text", "value": "<p>Bình tĩnh, ngắn gọn, đúng sự thật.</p>"}],
    )
    lesson.save_revision(user=trainer)
    lesson.get_workflow().start(lesson, trainer)
    return LessonPage.objects.get(pk=lesson.pk)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FOREIGN_COURSE = "thong-tin-doi-ngoai"
DISTRICT = "QNG-BSO"  # the demo assigns the foreign-information course here
NEW_AGENCY = "QNG-SNV"


def open_header_actions(page):
    page.locator("#w-slim-header-buttons .w-dropdown__toggle").first.click()


@pytest.mark.parametrize("width", [375, 1280])
def test_administrator_approves_assigns_and_reports(
    page_at, screenshot, lesson_in_review, width
):
    speaking = CoursePage.objects.get(slug=SPEAKING_COURSE)
    foreign = CoursePage.objects.get(slug=FOREIGN_COURSE)
    page = page_at(width)
    login(page, "admin@example.org", DEMO_PASSWORD)

    # 1. The dashboard lists the lesson awaiting review; approve it there.
    page.goto(reverse("wagtailadmin_home"))
    row = page.locator("tr", has_text=NEW_LESSON)
    assert row.count() == 1, "the lesson is not awaiting review on the dashboard"
    screenshot("01-dashboard-awaiting-review")
    approve = row.locator(
        "button[data-workflow-action-url*='/approve/']:not([data-launch-modal])"
    )
    if not approve.is_visible():  # the row's actions sit in a dropdown
        row.locator(".w-dropdown__toggle, [aria-haspopup]").first.click()
    with page.expect_navigation():
        approve.click()
    lesson = LessonPage.objects.get(pk=lesson_in_review.pk)
    assert lesson.live, "approving the last task publishes the lesson"
    state = lesson.workflow_states.order_by("-created_at").first()
    assert state.status == state.STATUS_APPROVED
    screenshot("02-approved")

    # 2. Assign the speaking course to an agency.
    agency = Agency.objects.get(code=NEW_AGENCY)
    page.goto(reverse("courses_assign"))
    page.locator("select[name='course']").select_option(label=speaking.title)
    page.locator("select[name='agencies']").select_option(
        label=f"{agency.name} ({agency.code})"
    )
    screenshot("03-assign-form")
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Assign"), exact=True).click()
    assert CourseAssignment.objects.filter(course=speaking, agency=agency).exists()
    assert page.get_by_text(speaking.title).first.is_visible()
    screenshot("04-assigned")

    # 3. The completion report, filtered to the foreign-information course.
    page.goto(reverse("reports:completion"))
    assert page.get_by_role("link", name="Tỉnh Quảng Ngãi", exact=True).is_visible()
    screenshot("05-report")
    page.get_by_role("button", name=vi("Show filters")).click()
    page.locator("button[aria-controls='drilldown-id_course']").click()
    with page.expect_response(lambda r: "/results/" in r.url and "course=" in r.url):
        page.locator("select#id_course").select_option(label=foreign.title)
    page.wait_for_url(f"**course={foreign.pk}**")
    page.keyboard.press("Escape")
    screenshot("06-report-filtered")

    # 4. Drill into the district: its learners, the filter carried along.
    district = Agency.objects.get(code=DISTRICT)
    with page.expect_navigation():
        page.get_by_role("link", name=district.name, exact=True).first.click()
    assert f"/agencies/{district.pk}/" in page.url
    assert f"course={foreign.pk}" in page.url
    names = list(
        foreign.enrolments.filter(
            learner__agency__code__startswith=DISTRICT, withdrawn_at__isnull=True
        )
        .values_list("learner__full_name", flat=True)
        .order_by("learner__full_name")
    )
    assert names
    assert page.get_by_text(names[0]).first.is_visible()
    screenshot("07-district-learners")

    # 5. Export the drill-down to XLSX: a real download, Vietnamese intact.
    open_header_actions(page)
    link = page.get_by_role("link", name=vi("Download XLSX"))
    href = link.get_attribute("href")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    response = page.request.get(href)
    assert response.headers["content-type"] == XLSX

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.body()), read_only=True)
    cells = {
        str(value)
        for row in workbook.active.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert names[0] in cells, f"{names[0]!r} not in the export"
    assert all(name in cells for name in names)
    saved = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    assert any(
        names[0] in (str(v) for v in row)
        for row in saved.active.iter_rows(values_only=True)
    )


def test_assign_page_has_no_script_errors(page_at, e2e_demo):
    page = page_at(1280)
    login(page, "admin@example.org", DEMO_PASSWORD)
    page.goto(reverse("courses_assign"))
    page.wait_for_load_state("networkidle")
    errors = page_at.take_errors()  # reported here, not again at teardown
    assert not errors, errors
