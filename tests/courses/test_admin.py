"""Trainers author under review; administrators assign courses and list enrolments."""

import pytest
from wagtail.models import GroupApprovalTask, Site, Workflow

from accounts.roles import GROUP_NAMES
from courses.models import CoursePage, Enrolment
from courses.services import enrol_learner
from tests.factories import days, make_course, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_course_pages_go_through_the_course_review_workflow(course):
    workflow = Workflow.objects.get(name="Course review")
    task = workflow.tasks.get().specific
    assert isinstance(task, GroupApprovalTask)
    assert list(task.groups.values_list("name", flat=True)) == [
        GROUP_NAMES["administrator"]
    ]
    home = Site.objects.get(is_default_site=True).root_page
    assert home.get_workflow() == workflow
    assert course.get_workflow() == workflow
    assert course.lessons().first().get_workflow() == workflow


@pytest.fixture
def administrator(db):
    return make_user("quantri@example.org", role="administrator", is_staff=True)


def test_only_administrators_open_the_assign_screen(client, administrator):
    assert client.get("/admin/courses/assign/").status_code == 302
    client.force_login(make_user(role="trainer", is_staff=True))
    assert client.get("/admin/courses/assign/").status_code in (302, 403)
    client.force_login(administrator)
    response = client.get("/admin/courses/assign/")
    assert response.status_code == 200
    assert "Assign a course" in response.content.decode()


def test_an_administrator_assigns_a_course_to_agencies_and_people(
    client, administrator, course, district
):
    member = make_user(agency=district.children.get(code="D-BSO-VHTT"))
    person = make_user("ca-nhan@example.org")
    client.force_login(administrator)
    due = days(20).date()
    response = client.post(
        "/admin/courses/assign/",
        {
            "course": course.pk,
            "agencies": [district.pk],
            "emails": "ca-nhan@example.org\n",
            "due_date": due.isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "2 new enrolments" in response.content.decode()
    for learner, source in ((member, "agency"), (person, "personal")):
        enrolment = learner.enrolments.get()
        assert enrolment.source == source
        assert enrolment.assigned_by == administrator
        assert enrolment.due_at.date() == due


def test_the_assign_form_explains_mistakes(client, administrator, course):
    client.force_login(administrator)
    response = client.post(
        "/admin/courses/assign/",
        {"course": course.pk, "emails": "khong-co@example.org", "due_date": ""},
    )
    assert response.status_code == 200
    assert "khong-co@example.org" in response.content.decode()
    response = client.post(
        "/admin/courses/assign/",
        {"course": course.pk, "due_date": days(-3).date().isoformat()},
    )
    html = response.content.decode()
    assert "The due date is in the past." in html
    assert "Choose at least one agency or person." in html
    assert not Enrolment.objects.exists()


def test_a_course_page_offers_assignment_to_administrators(
    client, administrator, course
):
    client.force_login(administrator)
    html = client.get(f"/admin/pages/{course.pk}/").content.decode()
    assert f"/admin/courses/assign/?course={course.pk}" in html


def test_administrators_list_enrolments(client, administrator, trainee, course):
    enrol_learner(learner=trainee, course=course)
    client.force_login(administrator)
    response = client.get("/admin/courses/enrolments/")
    assert response.status_code == 200
    assert trainee.full_name in response.content.decode()
    client.force_login(make_user(role="trainer", is_staff=True))
    assert client.get("/admin/courses/enrolments/").status_code in (302, 403)


def test_a_course_with_learners_cannot_be_deleted(
    client, trainee, course, catalogue_page
):
    superuser = make_user("root@example.org", is_staff=True, is_superuser=True)
    enrol_learner(learner=trainee, course=course)
    client.force_login(superuser)
    response = client.post(f"/admin/pages/{course.pk}/delete/", follow=True)
    assert "Unpublish the course instead" in response.content.decode()
    assert CoursePage.objects.filter(pk=course.pk).exists()
    response = client.post(f"/admin/pages/{catalogue_page.pk}/delete/", follow=True)
    assert CoursePage.objects.filter(pk=course.pk).exists()

    unused = make_course(catalogue_page)
    client.post(f"/admin/pages/{unused.pk}/delete/")
    assert not CoursePage.objects.filter(pk=unused.pk).exists()
