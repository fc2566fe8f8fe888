"""Who may see what: never a 500, never an unpublished or private page."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from wagtail.models import PageViewRestriction

from courses.models import CoursePage, LessonProgress
from courses.services import enrol_learner, withdraw_enrolment
from tests.factories import make_course, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_anonymous_visitor_is_asked_to_sign_in_for_a_lesson(client, course):
    response = client.get(course.lessons().first().url)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_anyone_can_read_the_catalogue_and_a_course_outline(client, course):
    assert course.title in client.get(course.get_parent().url).content.decode()
    html = client.get(course.url).content.decode()
    assert "Bài 1" in html and "Sign in to enrol" in html


def test_a_learner_who_is_not_enrolled_gets_a_403_with_an_enrol_button(
    client, trainee, course
):
    client.force_login(trainee)
    response = client.get(course.lessons().first().url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Enrol in this course to open its lessons." in html
    assert f'action="/my-learning/enrol/{course.pk}/"' in html
    assert not LessonProgress.objects.exists()


def test_an_assigned_only_course_says_who_to_ask(client, trainee, catalogue_page):
    course = make_course(
        catalogue_page, enrolment_mode=CoursePage.EnrolmentMode.ASSIGNED
    )
    client.force_login(trainee)
    response = client.get(course.lessons().first().url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "assigned by administrators" in html
    assert "/my-learning/enrol/" not in html


def test_a_withdrawn_learner_is_locked_out_again(client, trainee, course):
    withdraw_enrolment(enrolment=enrol_learner(learner=trainee, course=course))
    client.force_login(trainee)
    assert client.get(course.lessons().first().url).status_code == 403


def test_marking_a_lesson_of_another_course_done_explains_and_changes_nothing(
    client, trainee, course, catalogue_page
):
    enrol_learner(learner=trainee, course=course)
    other = make_course(catalogue_page, title="Khóa khác")
    client.force_login(trainee)
    response = client.post(
        f"/my-learning/lessons/{other.lessons().first().pk}/complete/", follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == other.url
    assert "You are not enrolled in “Khóa khác”." in response.content.decode()
    assert not LessonProgress.objects.exists()


def test_unknown_and_unpublished_lessons_are_404(client, trainee, course):
    enrol_learner(learner=trainee, course=course)
    client.force_login(trainee)
    assert client.post("/my-learning/lessons/999999/complete/").status_code == 404
    lesson = course.lessons().first()
    lesson.unpublish()
    assert client.get(lesson.url).status_code == 404
    assert client.post(f"/my-learning/lessons/{lesson.pk}/complete/").status_code == 404


def test_a_live_lesson_of_an_unpublished_course_is_404(client, trainee, course):
    enrol_learner(learner=trainee, course=course)
    lesson = course.lessons().first()
    CoursePage.objects.filter(pk=course.pk).update(live=False)
    client.force_login(trainee)
    assert client.get(lesson.url).status_code == 404
    assert client.get(course.url).status_code == 404
    assert client.post(f"/my-learning/lessons/{lesson.pk}/complete/").status_code == 404


def test_unpublished_and_private_courses_are_not_listed(
    client, trainee, course, catalogue_page
):
    draft = make_course(catalogue_page, title="Bản nháp")
    draft.unpublish()
    private = make_course(catalogue_page, title="Khóa riêng")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    client.force_login(trainee)
    html = client.get(catalogue_page.url).content.decode()
    assert course.title in html
    assert "Bản nháp" not in html and "Khóa riêng" not in html


def test_view_restrictions_apply_to_lessons(client, trainee, course):
    enrol_learner(learner=trainee, course=course)
    group = Group.objects.create(name="Chỉ nhóm này")
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)
    lesson = course.lessons().first()
    client.force_login(trainee)
    assert client.get(lesson.url).status_code in (302, 403)
    assert client.post(f"/my-learning/lessons/{lesson.pk}/complete/").status_code == 302
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()

    trainee.groups.add(group)
    assert client.get(lesson.url).status_code == 200


def _preview(page, user):
    request = RequestFactory().get(page.url, HTTP_COOKIE="django_language=en")
    request.user = user
    return page.make_preview_request(original_request=request)


def test_a_trainer_previews_a_lesson_as_a_learner_sees_it_without_enrolling(course):
    trainer = make_user(role="trainer", is_staff=True)
    lesson = course.lessons().last()
    lesson.title = "Bài 2 (bản nháp)"
    response = _preview(lesson, trainer)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bài 2 (bản nháp)" in html
    assert "Preview: this is how learners see the page." in html
    assert "Nội dung bài" in html
    assert "Lesson 2 of 2" in html
    assert "Mark as done" not in html
    assert not LessonProgress.objects.exists()


def test_a_trainer_previews_a_draft_lesson_and_the_course(catalogue_page):
    trainer = make_user(role="trainer", is_staff=True)
    course = make_course(catalogue_page, is_sequential=True, lessons=3)
    draft = course.lessons().last()
    draft.unpublish()
    assert _preview(draft, trainer).status_code == 200
    html = _preview(course, trainer).content.decode()
    assert "outline__lesson--locked" not in html
    assert "Preview: this is how learners see the page." in html


def test_my_learning_needs_sign_in(client):
    response = client.get("/my-learning/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_course_changed_by_another_process_is_never_served_from_the_cache(
    client, trainee, course, enrolment
):
    """The lesson page keeps the course object in the cache; another app server's
    change doesn't reach this process's signals, so the page checks the course's
    live state, live revision and address with the enrolment on every request."""
    lesson = course.lessons().first()
    client.force_login(trainee)
    assert course.title in client.get(lesson.url).content.decode()

    # Another process publishes a new revision: no signal fires here.
    course.title = "Kỹ năng phát ngôn nâng cao"
    revision = course.save_revision()
    CoursePage.objects.filter(pk=course.pk).update(live_revision=revision)
    from wagtail.models import Page

    Page.objects.filter(pk=course.pk).update(title=course.title)
    assert "nâng cao" in client.get(lesson.url).content.decode()

    # ... and then unpublishes the course: its lessons are gone at once.
    Page.objects.filter(pk=course.pk).update(live=False)
    assert client.get(lesson.url).status_code == 404
