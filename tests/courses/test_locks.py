"""Sequence and prerequisites lock lessons, saying why and what unlocks them."""

import pytest

from courses.selectors import LOCKED, course_state, lesson_access
from courses.services import CourseRuleError, complete_lesson, enrol_learner
from tests.factories import make_course, make_lesson, make_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def sequential(catalogue_page):
    course = make_course(catalogue_page, lessons=0, is_sequential=True)
    module = make_module(course, title="Phần 1")
    make_lesson(module, title="Một")
    make_lesson(module, title="Hai (tự chọn)", is_required=False)
    make_lesson(course, title="Ba")
    return course


def test_a_sequential_course_opens_lessons_in_order(trainee, sequential):
    one, optional, three = sequential.lessons()
    enrolment = enrol_learner(learner=trainee, course=sequential)

    assert lesson_access(learner=trainee, lesson=one).allowed
    locked = lesson_access(learner=trainee, lesson=three)
    assert not locked.allowed
    assert locked.reason == "Finish “Một” first."
    assert locked.unlock_page.pk == one.pk
    assert not lesson_access(learner=trainee, lesson=optional).allowed

    with pytest.raises(CourseRuleError, match="Finish “Một” first"):
        complete_lesson(enrolment=enrolment, lesson=three)

    complete_lesson(enrolment=enrolment, lesson=one)
    # An optional lesson does not hold the next one back.
    assert lesson_access(learner=trainee, lesson=optional).allowed
    assert lesson_access(learner=trainee, lesson=three).allowed


def test_the_course_page_shows_each_lock_and_its_reason(client, trainee, sequential):
    enrol_learner(learner=trainee, course=sequential)
    client.force_login(trainee)
    html = client.get(sequential.url).content.decode()
    assert "Phần 1" in html
    assert html.count("outline__lesson--locked") == 2
    assert "Finish “Một” first." in html


def test_a_locked_lesson_explains_itself_with_a_403(client, trainee, sequential):
    enrol_learner(learner=trainee, course=sequential)
    client.force_login(trainee)
    three = sequential.lessons().last()
    response = client.get(three.url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Finish “Một” first." in html
    assert f'href="{sequential.lessons().first().url}"' in html
    assert "Đọc" not in html and "Nội dung bài" not in html  # no lesson content


def test_a_prerequisite_course_must_be_completed_first(client, trainee, catalogue_page):
    basics = make_course(catalogue_page, title="Cơ bản")
    advanced = make_course(catalogue_page, title="Nâng cao", prerequisite=basics)
    enrol_learner(learner=trainee, course=advanced)
    lesson = advanced.lessons().first()

    access = lesson_access(learner=trainee, lesson=lesson)
    assert not access.allowed
    assert access.reason == "Complete the course “Cơ bản” first."
    assert access.unlock_page.pk == basics.pk
    state = course_state(user=trainee, course=advanced)
    assert all(item.status == LOCKED for item in state.lessons)
    assert state.continue_item is None

    client.force_login(trainee)
    html = client.get(advanced.url).content.decode()
    assert "Complete the course “Cơ bản” first." in html
    assert f'href="{basics.url}"' in html

    basics_enrolment = enrol_learner(learner=trainee, course=basics)
    for basic_lesson in basics.lessons():
        complete_lesson(enrolment=basics_enrolment, lesson=basic_lesson)
    assert lesson_access(learner=trainee, lesson=lesson).allowed


def test_an_unpublished_prerequisite_does_not_lock_forever(trainee, catalogue_page):
    basics = make_course(catalogue_page)
    advanced = make_course(catalogue_page, prerequisite=basics)
    enrol_learner(learner=trainee, course=advanced)
    basics.unpublish()
    assert lesson_access(learner=trainee, lesson=advanced.lessons().first()).allowed
    assert course_state(user=trainee, course=advanced).lock_reason == ""


def test_not_being_enrolled_locks_every_lesson(trainee, course):
    access = lesson_access(learner=trainee, lesson=course.lessons().first())
    assert not access.allowed
    assert access.reason == "Enrol in this course to open its lessons."
    assert access.enrolment is None
