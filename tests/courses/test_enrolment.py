"""Learners are enrolled by themselves, by an agency assignment or personally."""

import pytest
from django.db import IntegrityError, transaction

from courses.models import CoursePage, Enrolment
from courses.services import (
    CourseRuleError,
    apply_agency_assignments,
    assign_course_to_agency,
    assign_course_to_learner,
    complete_lesson,
    enrol_learner,
    open_lesson,
    withdraw_enrolment,
)
from tests.factories import days, make_agency, make_course, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_a_learner_enrols_in_an_open_course_through_the_enrol_button(
    client, trainee, course
):
    client.force_login(trainee)
    response = client.post(f"/my-learning/enrol/{course.pk}/")
    assert response.status_code == 302
    assert response.url == course.url
    enrolment = Enrolment.objects.get(learner=trainee, course=course)
    assert enrolment.source == Enrolment.Source.SELF
    assert enrolment.agency == trainee.agency
    assert enrolment.status == Enrolment.Status.NOT_STARTED
    assert enrolment.due_at is None


def test_the_course_default_due_period_sets_the_due_date(trainee, catalogue_page):
    course = make_course(catalogue_page, default_due_days=30)
    enrolment = enrol_learner(learner=trainee, course=course)
    assert (enrolment.due_at - enrolment.enrolled_at).days == 30


def test_the_enrolment_keeps_the_agency_the_learner_had_then(trainee, course):
    enrolment = enrol_learner(learner=trainee, course=course)
    first_agency = trainee.agency
    trainee.agency = make_agency()
    trainee.save()
    enrolment.refresh_from_db()
    assert enrolment.agency == first_agency


def test_an_assigned_only_course_refuses_self_enrolment(
    client, trainee, catalogue_page
):
    course = make_course(
        catalogue_page, enrolment_mode=CoursePage.EnrolmentMode.ASSIGNED
    )
    client.force_login(trainee)
    response = client.post(f"/my-learning/enrol/{course.pk}/", follow=True)
    assert response.status_code == 200
    assert "assigned by administrators" in response.content.decode()
    assert not Enrolment.objects.filter(learner=trainee).exists()


def test_enrolling_needs_a_published_course(client, trainee, course):
    course.unpublish()
    client.force_login(trainee)
    assert client.post(f"/my-learning/enrol/{course.pk}/").status_code == 404
    with pytest.raises(CourseRuleError):
        enrol_learner(learner=trainee, course=CoursePage.objects.get(pk=course.pk))


def test_enrolling_needs_sign_in_and_a_post(client, course):
    response = client.post(f"/my-learning/enrol/{course.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(make_user())
    assert client.get(f"/my-learning/enrol/{course.pk}/").status_code == 405


def test_an_agency_assignment_enrols_the_whole_subtree(district, other_agency, course):
    office = district.children.get(code="D-BSO-VHTT")
    in_district = make_user(agency=district)
    in_office = make_user(agency=office)
    elsewhere = make_user(agency=other_agency)
    inactive = make_user(agency=office, is_active=False)
    admin = make_user(role="administrator")

    assignment = assign_course_to_agency(
        course=course, agency=district, due_at=days(14), assigned_by=admin
    )

    enrolled = Enrolment.objects.filter(course=course)
    assert set(enrolled.values_list("learner", flat=True)) == {
        in_district.pk,
        in_office.pk,
    }
    for enrolment in enrolled:
        assert enrolment.source == Enrolment.Source.AGENCY
        assert enrolment.assignment == assignment
        assert enrolment.assigned_by == admin
        assert enrolment.due_at == assignment.due_at
    assert elsewhere.enrolments.count() == 0
    assert inactive.enrolments.count() == 0


# Who calls this rule (roster import, admin, merge): see
# tests/accounts/test_person_changes.py


def test_a_learner_who_joins_the_agency_later_is_enrolled(district, course):
    assign_course_to_agency(course=course, agency=district, due_at=days(7))
    office = district.children.get(code="D-BSO-VHTT")

    newcomer = make_user(agency=office)
    apply_agency_assignments(learner=newcomer)
    assert newcomer.enrolments.get().course_id == course.pk

    mover = make_user(agency=make_agency())
    assert apply_agency_assignments(learner=mover) == []
    mover.agency = office
    mover.save(update_fields=["agency"])
    apply_agency_assignments(learner=mover)
    enrolment = mover.enrolments.get()
    assert enrolment.source == Enrolment.Source.AGENCY
    assert enrolment.agency == office


def test_moving_a_member_within_the_agency_does_not_re_enrol_after_withdrawal(
    district, course
):
    member = make_user(agency=district)
    assign_course_to_agency(course=course, agency=district)
    withdraw_enrolment(enrolment=member.enrolments.get())
    member.agency = district.children.get(code="D-BSO-VHTT")
    member.save(update_fields=["agency"])
    assert apply_agency_assignments(learner=member) == []
    assert member.enrolments.count() == 1
    assert member.enrolments.get().status == Enrolment.Status.WITHDRAWN


def test_an_assignment_takes_over_an_unfinished_self_enrolment(
    trainee, district, course
):
    own = enrol_learner(learner=trainee, course=course)
    assignment = assign_course_to_agency(course=course, agency=district, due_at=days(3))
    own.refresh_from_db()
    assert Enrolment.objects.filter(learner=trainee).count() == 1
    assert own.assignment == assignment
    assert own.source == Enrolment.Source.AGENCY
    assert own.due_at == assignment.due_at


def test_a_personal_assignment_enrols_one_person_with_a_due_date(trainee, course):
    admin = make_user(role="administrator")
    assignment = assign_course_to_learner(
        course=course, learner=trainee, due_at=days(10), assigned_by=admin
    )
    enrolment = trainee.enrolments.get()
    assert enrolment.source == Enrolment.Source.PERSONAL
    assert enrolment.assignment == assignment
    assert enrolment.due_at == assignment.due_at
    assert enrolment.assigned_by == admin


def test_enrolling_twice_returns_the_same_enrolment(client, trainee, course):
    first = enrol_learner(learner=trainee, course=course)
    assert enrol_learner(learner=trainee, course=course) == first
    client.force_login(trainee)
    client.post(f"/my-learning/enrol/{course.pk}/")
    client.post(f"/my-learning/enrol/{course.pk}/")
    assert Enrolment.objects.filter(learner=trainee, course=course).count() == 1


def test_the_database_allows_one_active_enrolment_per_course(trainee, course):
    enrol_learner(learner=trainee, course=course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(learner=trainee, course=course)


def test_withdrawal_keeps_the_enrolment_and_its_progress(trainee, course):
    enrolment = enrol_learner(learner=trainee, course=course)
    lesson = course.lessons().first()
    open_lesson(enrolment=enrolment, lesson=lesson)
    complete_lesson(enrolment=enrolment, lesson=lesson)

    withdraw_enrolment(enrolment=enrolment)
    withdraw_enrolment(enrolment=enrolment)  # twice changes nothing

    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert enrolment.withdrawn_at is not None
    assert enrolment.lesson_progress.get().completed_at is not None

    again = enrol_learner(learner=trainee, course=course)
    assert again.pk != enrolment.pk
    assert Enrolment.objects.filter(learner=trainee, course=course).count() == 2
    assert again.lesson_progress.count() == 0


def test_a_withdrawn_enrolment_records_nothing(trainee, course):
    enrolment = withdraw_enrolment(
        enrolment=enrol_learner(learner=trainee, course=course)
    )
    with pytest.raises(CourseRuleError):
        open_lesson(enrolment=enrolment, lesson=course.lessons().first())


def test_a_completed_enrolment_cannot_be_withdrawn(trainee, course, enrolment):
    for lesson in course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    with pytest.raises(CourseRuleError):
        withdraw_enrolment(enrolment=enrolment)
