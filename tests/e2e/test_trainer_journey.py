"""A trainer writes a lesson in the Wagtail admin with several block types, saves a
draft and submits it to the "Course review" workflow. At phone and desktop widths."""

import pytest
from django.urls import reverse

from accounts.roles import TRAINER, set_role
from courses.models import LessonPage
from tests.e2e.conftest import E2E_PASSWORD, vi
from tests.e2e.support import login, wait_for_editor_idle

LESSON_TITLE = "Chuẩn bị ba thông điệp chính"


def add_block(page, label):
    """Insert a block at the end of the lesson's StreamField through its chooser."""
    page.locator(".c-sf-add-button").last.click()
    page.get_by_role("option", name=label).first.click()


@pytest.mark.parametrize("width", [375, 1280])
def test_trainer_writes_a_lesson_and_submits_it_for_review(
    page_at, make_e2e_user, screenshot, e2e_course, width
):
    trainer = make_e2e_user(full_name="Lê Thu Hà")
    set_role(user=trainer, role=TRAINER)
    course = e2e_course.course
    page = page_at(width)
    login(page, trainer.email, E2E_PASSWORD)

    page.goto(
        reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", course.pk))
    )
    page.locator("#id_title").fill(LESSON_TITLE)

    add_block(page, vi("Heading"))
    page.locator("[name='body-0-value-text']").fill("Vì sao cần thông điệp chính")

    add_block(page, vi("Text"))
    editor = page.locator("[data-contentpath] [contenteditable='true']").last
    editor.click()
    editor.type("Trước buổi họp báo, hãy viết ra ba điều cơ quan muốn công chúng biết.")

    add_block(page, vi("Key message"))
    page.locator("[name='body-2-value-title']").fill("Ghi nhớ")
    page.locator("[name='body-2-value-text']").fill(
        "Ba thông điệp ngắn, có số liệu đã xác nhận, nhắc lại nhiều lần."
    )

    add_block(page, vi("Quiz"))
    page.locator("#body-3-value-quiz-chooser .unchosen button").click()
    modal = page.locator(".modal-content, [role='dialog']").filter(
        has=page.get_by_role("link", name=e2e_course.quiz.title)
    )
    modal.get_by_role("link", name=e2e_course.quiz.title).first.click()
    page.locator("#body-3-value-quiz-title").filter(
        has_text=e2e_course.quiz.title
    ).wait_for()
    page.locator("[name='body-3-value-introduction']").fill("Hai câu hỏi ngắn.")
    screenshot("01-lesson-blocks")

    # Save a draft: the lesson exists, not live. The editor autosaves as the
    # form fills; let it finish before posting the form ourselves.
    wait_for_editor_idle(page)
    with page.expect_navigation():
        page.get_by_role("button", name=vi("Save draft")).click()
    lesson = LessonPage.objects.get(title=LESSON_TITLE)
    assert not lesson.live
    body = lesson.get_latest_revision_as_object().body
    assert [block.block_type for block in body] == [
        "heading",
        "text",
        "key_message",
        "quiz",
    ]
    assert body[3].value["quiz"].pk == e2e_course.quiz.pk
    assert "ba điều cơ quan" in str(body[1].value)
    screenshot("02-draft-saved")

    # Submit to the Course review workflow from the footer's action menu.
    wait_for_editor_idle(page)
    page.locator(
        "footer .w-dropdown__toggle, .footer .w-dropdown__toggle"
    ).first.click()
    with page.expect_navigation():
        page.locator("button[name='action-submit']").click()
    screenshot("03-submitted")

    lesson = LessonPage.objects.get(pk=lesson.pk)
    state = lesson.current_workflow_state
    assert state is not None, "the lesson is not in a workflow"
    assert state.status == state.STATUS_IN_PROGRESS
    assert state.workflow.name == "Course review"
    assert state.requested_by == trainer
    assert not lesson.live  # a trainer never publishes
