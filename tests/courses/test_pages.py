"""The learner's pages: catalogue, course, lesson and My learning."""

from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from courses.models import Enrolment, LessonProgress
from courses.selectors import my_learning
from courses.services import (
    ACTIVITY_GRANULARITY,
    assign_course_to_learner,
    complete_lesson,
    enrol_learner,
    open_lesson,
    withdraw_enrolment,
)
from tests.factories import days, make_course, make_lesson

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def four(catalogue_page):
    return make_course(catalogue_page, title="Bốn bài", lessons=4)


def test_continue_resumes_at_the_first_unfinished_lesson(client, trainee, four):
    lessons = list(four.lessons())
    enrolment = enrol_learner(learner=trainee, course=four)
    client.force_login(trainee)
    assert "Start the course" in client.get(four.url).content.decode()

    complete_lesson(enrolment=enrolment, lesson=lessons[0])
    complete_lesson(enrolment=enrolment, lesson=lessons[2])
    html = client.get(four.url).content.decode()
    assert f'<a class="button" href="{lessons[1].url}">Continue' in html
    assert "25% complete" not in html and "50% complete" in html
    assert "2 of 4 required lessons done" in html


def test_opening_a_lesson_records_progress(client, trainee, four):
    lesson = four.lessons().first()
    enrolment = enrol_learner(learner=trainee, course=four)
    client.force_login(trainee)

    assert client.get(lesson.url).status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.IN_PROGRESS
    assert enrolment.started_at is not None
    progress = enrolment.lesson_progress.get()
    assert progress.first_opened_at == progress.last_opened_at
    assert progress.completed_at is None

    # Openings are recorded to ACTIVITY_GRANULARITY (10 minutes), like activity:
    # a reload moments later writes nothing, one after a break moves last opened.
    client.get(lesson.url)
    progress.refresh_from_db()
    assert progress.last_opened_at == progress.first_opened_at
    earlier = progress.first_opened_at - ACTIVITY_GRANULARITY
    LessonProgress.objects.filter(pk=progress.pk).update(
        first_opened_at=earlier, last_opened_at=earlier
    )
    client.get(lesson.url)
    progress.refresh_from_db()
    assert progress.first_opened_at == earlier
    assert progress.last_opened_at > earlier + ACTIVITY_GRANULARITY / 2
    assert enrolment.lesson_progress.count() == 1


def test_the_lesson_page_shows_its_place_and_neighbours(client, trainee, four):
    lessons = list(four.lessons())
    enrol_learner(learner=trainee, course=four)
    client.force_login(trainee)
    html = client.get(lessons[1].url).content.decode()
    assert "Lesson 2 of 4" in html
    assert f'href="{lessons[0].url}" rel="prev"' in html
    assert f'href="{lessons[2].url}" rel="next"' in html
    assert f'action="/my-learning/lessons/{lessons[1].pk}/complete/"' in html
    assert "Mark as done" in html


def test_mark_as_done_moves_on_and_the_last_one_completes_the_course(
    client, trainee, course
):
    first, last = course.lessons()
    enrol_learner(learner=trainee, course=course)
    client.force_login(trainee)

    response = client.post(f"/my-learning/lessons/{first.pk}/complete/", follow=True)
    assert response.redirect_chain[-1][0] == last.url
    assert "Lesson marked as done." in response.content.decode()
    html = client.get(first.url).content.decode()
    assert "You have done this lesson." in html and "Mark as done" not in html

    response = client.post(f"/my-learning/lessons/{last.pk}/complete/", follow=True)
    assert response.redirect_chain[-1][0] == course.url
    html = response.content.decode()
    assert "You have completed the course." in html
    assert "100% complete" in html


def test_my_learning_groups_enrolments_and_puts_overdue_first(
    client, trainee, catalogue_page
):
    soon = make_course(catalogue_page, title="Sắp đến hạn")
    late = make_course(catalogue_page, title="Quá hạn")
    no_due = make_course(catalogue_page, title="Không hạn")
    started = make_course(catalogue_page, title="Đang học")
    done = make_course(catalogue_page, title="Đã xong", lessons=1)
    gone = make_course(catalogue_page, title="Đã rút")
    hidden = make_course(catalogue_page, title="Đã gỡ")

    enrol_learner(learner=trainee, course=no_due)
    assign_course_to_learner(course=soon, learner=trainee, due_at=days(5))
    assign_course_to_learner(course=late, learner=trainee, due_at=days(-2))
    progressing = enrol_learner(learner=trainee, course=started)
    open_lesson(enrolment=progressing, lesson=started.lessons().first())
    finished = enrol_learner(learner=trainee, course=done)
    complete_lesson(enrolment=finished, lesson=done.lessons().first())
    withdraw_enrolment(enrolment=enrol_learner(learner=trainee, course=gone))
    enrol_learner(learner=trainee, course=hidden)
    hidden.unpublish()

    learning = my_learning(learner=trainee)
    assert [e.course.title for e in learning.not_started] == [
        "Quá hạn",
        "Sắp đến hạn",
        "Không hạn",
    ]
    assert learning.not_started[0].enrolment.is_overdue
    assert [e.course.title for e in learning.in_progress] == ["Đang học"]
    assert learning.in_progress[0].next_lesson.pk == started.lessons().first().pk
    assert [e.course.title for e in learning.completed] == ["Đã xong"]
    assert learning.completed[0].percent == 100

    client.force_login(trainee)
    html = client.get("/my-learning/").content.decode()
    assert html.index("Quá hạn") < html.index("Sắp đến hạn") < html.index("Không hạn")
    assert "Overdue" in html
    assert "Đã rút" not in html and "Đã gỡ" not in html


def test_overdue_in_progress_comes_before_recent_activity(trainee, catalogue_page):
    recent = make_course(catalogue_page, title="Mới mở")
    late = make_course(catalogue_page, title="Trễ hạn")
    late_enrolment = assign_course_to_learner(
        course=late, learner=trainee, due_at=timezone.now() - timedelta(hours=1)
    ).enrolments.get()
    open_lesson(enrolment=late_enrolment, lesson=late.lessons().first())
    recent_enrolment = enrol_learner(learner=trainee, course=recent)
    open_lesson(enrolment=recent_enrolment, lesson=recent.lessons().first())
    titles = [e.course.title for e in my_learning(learner=trainee).in_progress]
    assert titles == ["Trễ hạn", "Mới mở"]


def test_the_catalogue_filters_by_topic_and_by_my_status(
    client, trainee, catalogue_page
):
    from courses.models import CoursePage

    press = make_course(catalogue_page, title="Báo chí")
    press.topics.add("Báo chí")
    press.save()
    foreign = make_course(catalogue_page, title="Đối ngoại")
    foreign.topics.add("Thông tin đối ngoại")
    foreign.save()
    enrol_learner(learner=trainee, course=CoursePage.objects.get(pk=foreign.pk))

    client.force_login(trainee)
    html = client.get(catalogue_page.url).content.decode()
    assert "Báo chí</a>" in html and "Đối ngoại</a>" in html
    slug = Tag.objects.get(name="Báo chí").slug
    assert f'<option value="{slug}">Báo chí</option>' in html

    html = client.get(catalogue_page.url, {"topic": slug}).content.decode()
    assert f'<option value="{slug}" selected>' in html
    assert "Báo chí</a>" in html and "Đối ngoại</a>" not in html

    html = client.get(catalogue_page.url + "?status=not_started").content.decode()
    assert "Đối ngoại</a>" in html and "Báo chí</a>" not in html

    html = client.get(catalogue_page.url + "?status=not_enrolled").content.decode()
    assert "Báo chí</a>" in html and "Đối ngoại</a>" not in html

    html = client.get(catalogue_page.url + "?status=nonsense").content.decode()
    assert "Báo chí</a>" in html and "Đối ngoại</a>" in html


def test_the_courses_link_leads_to_the_catalogue(client, catalogue_page):
    response = client.get("/my-learning/catalogue/")
    assert response.status_code == 302 and response.url == catalogue_page.url


def test_the_outline_escapes_what_editors_typed(client, trainee, catalogue_page):
    course = make_course(catalogue_page, lessons=0)
    make_lesson(course, title='Ứng xử <b>"khó"</b> & phản hồi')
    enrol_learner(learner=trainee, course=course)
    client.force_login(trainee)
    html = client.get(course.url).content.decode()
    assert "Ứng xử &lt;b&gt;&quot;khó&quot;&lt;/b&gt; &amp; phản hồi" in html
    assert "<b>" not in html


def test_a_lesson_body_edited_is_shown_at_once(client, trainee, course, enrolment):
    """Lesson bodies are cached by their content: an edit gets a new entry."""
    lesson = course.lessons().first().specific
    client.force_login(trainee)
    assert "Nội dung bài" in client.get(lesson.url).content.decode()
    lesson.body = [{"type": "text", "value": "<p>Bản sửa mới.</p>"}]
    lesson.save()
    html = client.get(lesson.url).content.decode()
    assert "Bản sửa mới." in html
    assert "Nội dung bài" not in html
