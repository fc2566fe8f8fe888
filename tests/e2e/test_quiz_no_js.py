"""Without JavaScript a learner can still mark a lesson as done and take a quiz
from start to result: every step is a plain form post."""

import pytest

from courses.models import Enrolment, LessonProgress
from courses.services import enrol_learner
from quizzes.models import Attempt
from tests.e2e.conftest import E2E_PASSWORD, answer_quiz_correctly, vi
from tests.e2e.support import login


@pytest.mark.parametrize("width", [375, 1280])
def test_lesson_and_quiz_work_without_javascript(
    page_at, make_e2e_user, screenshot, e2e_course, width
):
    learner = make_e2e_user(full_name="Lê Văn Dũng", agency=e2e_course.agency)
    enrol_learner(learner=learner, course=e2e_course.course)
    reading, practice = e2e_course.lessons
    page = page_at(width, javascript=False)
    login(page, learner.email, E2E_PASSWORD)

    # Mark the reading lesson as done: a form post, then the next lesson.
    page.goto(reading.url)
    screenshot("01-lesson-no-js")
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Mark as done")).click()
    assert page.get_by_role("heading", level=1).inner_text() == practice.title
    assert page.get_by_text(vi("Lesson marked as done.")).is_visible()
    enrolment = Enrolment.objects.get(learner=learner, course=e2e_course.course)
    assert LessonProgress.objects.filter(
        enrolment=enrolment, lesson=reading, completed_at__isnull=False
    ).exists()

    # The quiz: start, save a page and come back, answer, submit, see the result.
    with page.expect_navigation():
        page.get_by_role("link", name=vi("Start the quiz")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Start the quiz")).click()
    attempt = Attempt.objects.get(learner=learner, quiz=e2e_course.quiz)
    first = page.locator(".question").first
    first.locator("input[type='radio']").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Save"), exact=True).click()
    assert "/page/1/" in page.url
    attempt.refresh_from_db()
    assert attempt.answers, "Save did not store the answer"
    screenshot("02-quiz-saved-no-js")

    answer_quiz_correctly(page, e2e_course.quiz)
    assert page.get_by_role("heading", level=1).inner_text() == vi(
        "Submit your answers?"
    )
    screenshot("03-quiz-submit-no-js")
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Submit and see my result")).click()
    attempt.refresh_from_db()
    assert attempt.passed
    assert page.locator(".result-summary--passed").is_visible()
    screenshot("04-quiz-result-no-js")

    # Back in the lesson, it can now be marked done, which completes the course.
    with page.expect_navigation():
        page.get_by_role("link", name=vi("Back to the lesson")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Mark as done")).click()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert page.get_by_text(
        vi("You have completed the course. Well done!")
    ).is_visible()
    screenshot("05-course-completed-no-js")
