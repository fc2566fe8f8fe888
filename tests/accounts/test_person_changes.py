"""What follows a change to a person, called explicitly by the accounts services:
someone who arrives in an agency is enrolled in the courses assigned to it, and a
corrected name is reprinted on their certificates. Every way of changing a person
is covered: the roster import, the admin's user screens, the profile page, the
admin's Account page and an agency merge.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail import hooks

from accounts.models import User
from accounts.roles import GROUP_NAMES, TRAINEE
from accounts.services import (
    AFTER_PERSON_MOVED,
    AFTER_PERSON_RENAMED,
    import_learners,
    merge_agency,
    person_changed,
)
from courses.models import Certificate, Enrolment
from courses.services import assign_course_to_agency, complete_lesson, enrol_learner
from tests.factories import make_course, make_user

pytestmark = pytest.mark.django_db

HEADER = "email,full_name,agency_code,position,role\n"
NEW_NAME = "Trần Thị Ngọc Học"


@pytest.fixture
def assigned(course, district):
    """The course, assigned to the district and so to every unit below it."""
    assign_course_to_agency(course=course, agency=district)
    return course


@pytest.fixture
def unit(district):
    return district.children.get(code="D-BSO-TT")


def certify(person, catalogue_page) -> Certificate:
    course = make_course(catalogue_page, certificate_enabled=True)
    enrolment = enrol_learner(learner=person, course=course)
    for lesson in course.lessons():
        complete_lesson(enrolment=enrolment, lesson=lesson)
    return Certificate.objects.get(enrolment=enrolment)


@pytest.fixture
def certificate(trainee, catalogue_page):
    return certify(trainee, catalogue_page)


def roster(*rows) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def edit_in_admin(client, administrator, person, **changes):
    client.force_login(administrator)
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "position": person.position,
        "agency": person.agency_id,
        "preferred_language": person.preferred_language,
        "is_active": "on",
        "groups": list(person.groups.values_list("pk", flat=True)),
        **changes,
    }
    response = client.post(reverse("wagtailusers_users:edit", args=[person.pk]), data)
    assert response.status_code == 302, response.context["form"].errors


# Arriving in an agency ---------------------------------------------------------


def test_the_roster_enrols_a_newcomer_in_their_agencys_assigned_courses(assigned, unit):
    import_learners(
        content=roster("new@example.org,Phạm Văn Mới,D-BSO-TT,,trainee"),
        invite=False,
    )
    enrolment = Enrolment.objects.get(learner__email="new@example.org")
    assert enrolment.course_id == assigned.pk
    assert enrolment.source == Enrolment.Source.AGENCY
    assert enrolment.agency == unit


def test_the_roster_enrols_someone_it_moves_into_an_assigned_agency(
    assigned, unit, other_agency_trainee
):
    assert not other_agency_trainee.enrolments.exists()
    import_learners(
        content=roster(f"{other_agency_trainee.email},Lê Văn Khác,D-BSO-TT,,trainee"),
        invite=False,
    )
    enrolment = other_agency_trainee.enrolments.get()
    assert (enrolment.course_id, enrolment.agency) == (assigned.pk, unit)


def test_the_admin_enrols_someone_it_moves_into_an_assigned_agency(
    client, administrator, assigned, unit, other_agency_trainee
):
    edit_in_admin(client, administrator, other_agency_trainee, agency=unit.pk)
    enrolment = other_agency_trainee.enrolments.get()
    assert (enrolment.course_id, enrolment.agency) == (assigned.pk, unit)


def test_the_admin_enrols_someone_it_creates_in_an_assigned_agency(
    client, administrator, assigned, unit
):
    client.force_login(administrator)
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "created@example.org",
            "full_name": "Phạm Văn Mới",
            "position": "",
            "agency": unit.pk,
            "preferred_language": "vi",
            "password1": "",
            "password2": "",
            "groups": [Group.objects.get(name=GROUP_NAMES[TRAINEE]).pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    created = User.objects.get(email="created@example.org")
    assert created.enrolments.get().course_id == assigned.pk


def test_a_merge_enrols_the_people_it_moves_in_the_successors_courses(
    administrator, assigned, district, other_agency, other_agency_trainee
):
    merge_agency(source=other_agency, target=district, merged_by=administrator)
    enrolment = other_agency_trainee.enrolments.get()
    assert (enrolment.course_id, enrolment.agency) == (assigned.pk, district)


def test_saving_a_person_directly_enrols_nobody(assigned, unit):
    # No signal reacts to a save: only the services above call the courses rules.
    person = make_user(agency=unit)
    assert not person.enrolments.exists()


# A corrected name ----------------------------------------------------------------


def test_a_name_corrected_by_the_roster_shows_on_the_certificate(trainee, certificate):
    import_learners(
        content=roster(f"{trainee.email},{NEW_NAME},D-BSO-VHTT,,trainee"),
        invite=False,
    )
    certificate.refresh_from_db()
    assert certificate.learner_name == NEW_NAME


def test_a_name_corrected_in_the_admin_shows_on_the_certificate(
    client, administrator, trainee, certificate
):
    edit_in_admin(client, administrator, trainee, full_name=NEW_NAME)
    certificate.refresh_from_db()
    assert certificate.learner_name == NEW_NAME


def test_a_name_corrected_on_the_profile_shows_on_the_certificate(
    client, trainee, certificate
):
    client.force_login(trainee)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": NEW_NAME, "position": "", "preferred_language": "vi"},
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.learner_name == NEW_NAME


def test_a_name_corrected_on_the_admin_account_page_shows_on_the_certificate(
    client, trainer, catalogue_page
):
    certificate = certify(trainer, catalogue_page)
    client.force_login(trainer)
    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-full_name": "Phan Minh Giảng Viên",
            "name_email-position": "",
            "locale-preferred_language": "",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.learner_name == "Phan Minh Giảng Viên"


# The seam ---------------------------------------------------------------------------


@pytest.fixture
def calls():
    """What the apps above accounts are told, through the two hooks."""
    seen = []
    with (
        hooks.register_temporarily(
            AFTER_PERSON_MOVED, lambda user: seen.append(("moved", user.email))
        ),
        hooks.register_temporarily(
            AFTER_PERSON_RENAMED, lambda user: seen.append(("renamed", user.email))
        ),
    ):
        yield seen


def test_person_changed_tells_only_what_changed(calls, trainee):
    person_changed(user=trainee, agency_changed=True, name_changed=False)
    person_changed(user=trainee, agency_changed=False, name_changed=True)
    person_changed(user=trainee, agency_changed=False, name_changed=False)
    assert calls == [("moved", trainee.email), ("renamed", trainee.email)]


def test_a_profile_saved_with_the_same_name_reprints_nothing(calls, client, trainee):
    client.force_login(trainee)
    client.post(
        reverse("accounts:profile"),
        {"full_name": trainee.full_name, "position": "Mới", "preferred_language": "vi"},
    )
    assert calls == []


def test_a_roster_row_changing_only_the_position_tells_nothing(calls, trainee):
    import_learners(
        content=roster(f"{trainee.email},{trainee.full_name},D-BSO-VHTT,Mới,trainee"),
        invite=False,
    )
    assert calls == []


def test_an_admin_edit_keeping_agency_and_name_tells_nothing(
    calls, client, administrator, trainee
):
    edit_in_admin(client, administrator, trainee, position="Trưởng phòng")
    assert calls == []
