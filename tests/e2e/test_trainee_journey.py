"""A trainee, start to finish: sign in, enrol from the catalogue, read the lessons,
pass the lesson quiz, complete the course, download the certificate and check it
on the public verification page. At phone and desktop widths."""

import pytest
from django.urls import reverse

from courses.models import Certificate, Enrolment
from quizzes.models import Attempt
from tests.e2e.conftest import E2E_PASSWORD, answer_quiz_correctly, vi
from tests.e2e.support import assert_accessible, login, record_page_weight

WIDTHS = [375, 1280]
# HTML + CSS + JS of a lesson page: learners in communes may be on slow
# mobile connections.
LESSON_PAGE_BUDGET_BYTES = 100_000


def assert_fits_width(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"horizontal scrolling: {scroll_width}px > {width}px"


@pytest.mark.parametrize("width", WIDTHS)
def test_trainee_completes_a_course_and_verifies_the_certificate(
    page_at, make_e2e_user, screenshot, e2e_course, width
):
    learner = make_e2e_user(full_name="Nguyễn Thị Hà", agency=e2e_course.agency)
    course = e2e_course.course
    reading, practice = e2e_course.lessons
    page = page_at(width)

    # Sign in through the real form.
    page.goto(reverse("account_login"))
    assert_accessible(page)
    screenshot("01-sign-in")
    login(page, learner.email, E2E_PASSWORD)

    # The catalogue lists the course; open it and enrol.
    page.goto(reverse("courses:catalogue"))
    assert_accessible(page)
    assert_fits_width(page, width)
    screenshot("02-catalogue")
    with page.expect_navigation():
        page.get_by_role("link", name=course.title).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == course.title
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Enrol"), exact=True).click()
    assert Enrolment.objects.filter(learner=learner, course=course).exists()
    assert page.locator(".messages").is_visible()
    assert_accessible(page)
    assert_fits_width(page, width)
    screenshot("03-course-enrolled")

    # The first lesson: read it (weighed) and mark it as done.
    weight = record_page_weight(page)
    with page.expect_navigation():
        page.locator(".course-status a.button").click()
    assert page.get_by_role("heading", level=1).inner_text() == reading.title
    page.wait_for_load_state("networkidle")
    assert 0 < weight.html_css_js <= LESSON_PAGE_BUDGET_BYTES, (
        f"the lesson page weighs {weight.html_css_js} bytes of HTML, CSS and JS"
    )
    assert_accessible(page)
    assert_fits_width(page, width)
    screenshot("04-lesson")
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Mark as done")).click()

    # The next lesson holds the quiz: it must be passed first.
    assert page.get_by_role("heading", level=1).inner_text() == practice.title
    assert page.get_by_text(vi("Pass the quiz in this lesson, then mark it as done."))
    assert page.get_by_role("button", name=vi("Mark as done")).count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name=vi("Start the quiz")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Start the quiz")).click()
    assert page.locator(".question").count() >= 1
    assert_accessible(page)
    assert_fits_width(page, width)
    screenshot("05-quiz-attempt")
    answer_quiz_correctly(page, e2e_course.quiz)
    screenshot("06-quiz-submit")
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Submit and see my result")).click()

    attempt = Attempt.objects.get(learner=learner, quiz=e2e_course.quiz)
    assert attempt.passed, f"the attempt scored {attempt.score}"
    assert page.locator(".result-summary--passed").is_visible()
    assert page.locator(".result-summary__score").inner_text() == "100%"
    assert_accessible(page)
    assert_fits_width(page, width)
    screenshot("07-quiz-result")

    # Back to the lesson: now it can be marked as done, which completes the course.
    with page.expect_navigation():
        page.get_by_role("link", name=vi("Back to the lesson")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Mark as done")).click()
    assert page.get_by_text(
        vi("You have completed the course. Well done!")
    ).is_visible()
    enrolment = Enrolment.objects.get(learner=learner, course=course)
    assert enrolment.completed_at is not None
    screenshot("08-course-completed")

    # My learning lists it under Completed, with the certificate.
    page.goto(reverse("courses:my_learning"))
    completed = page.locator("section", has=page.locator("#completed-heading"))
    assert completed.get_by_role("heading", name=vi("Completed")).is_visible()
    assert completed.get_by_text(course.title).first.is_visible()
    assert_accessible(page)
    assert_fits_width(page, width)
    screenshot("09-my-learning")
    download_link = completed.get_by_role("link", name=vi("Download certificate (PDF)"))
    response = page.request.get(download_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # The profile, accessible too.
    page.goto(reverse("accounts:profile"))
    assert_accessible(page)
    screenshot("10-profile")

    # Anyone can check the certificate's code on the public page.
    certificate = Certificate.objects.get(enrolment=enrolment)
    visitor = page_at(width)
    visitor.goto(reverse("courses:verify_certificate", args=[certificate.code]))
    status = visitor.locator(".verify-status--valid")
    assert status.is_visible()
    assert vi("Valid certificate") in status.inner_text()
    assert visitor.get_by_text("Nguyễn Thị Hà").is_visible()
    assert_accessible(visitor)
    assert_fits_width(visitor, width)
    screenshot("11-certificate-verified", visitor)


def test_flash_messages_are_accessible(page_at, make_e2e_user, e2e_course):
    learner = make_e2e_user()
    page = page_at(375)
    login(page, learner.email, E2E_PASSWORD)
    page.goto(e2e_course.course.url)
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Enrol"), exact=True).click()
    assert page.locator(".messages").is_visible()
    assert_accessible(page)
