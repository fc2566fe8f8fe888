"""Who may open which admin screen, and which rows each person gets."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.permissions import policy_registry

from accounts.models import Agency
from accounts.permissions import (
    agencies_visible_to,
    can_manage_agency,
    learners_visible_to,
)
from accounts.roles import is_administrator
from accounts.services import merge_agency
from courses.models import Certificate, Enrolment
from courses.permissions import (
    certificate_permission_policy,
    enrolment_permission_policy,
)
from tests.factories import AgencyFactory, UserFactory

SCREENS = {
    "admin home": "/admin/",
    "pages": "/admin/pages/",
    "users": "/admin/users/",
    "agencies": "/admin/agencies/",
    "agency import": "/admin/agencies/import/",
    "roster import": "/admin/learners/import/",
    "completion report": "/admin/reports/completion/",
    "enrolment list": "/admin/courses/enrolments/",
}
ALLOWED = {
    "anonymous": set(),
    "trainee": set(),
    "trainer": {"admin home", "pages"},
    "agency_manager": {"admin home", "completion report"},
    "administrator": set(SCREENS),
}


@pytest.fixture
def people(trainee, trainer, agency_manager, administrator, site_root):
    return {
        "anonymous": None,
        "trainee": trainee,
        "trainer": trainer,
        "agency_manager": agency_manager,
        "administrator": administrator,
    }


def _opens(client, url) -> bool:
    """The screen (or a page inside it, e.g. the explorer's start page) answers 200.

    Refusals redirect: to the sign-in, to a 403 page, or to the admin home page
    with a "no permission" message.
    """
    response = client.get(url, follow=True)
    path = response.request["PATH_INFO"]
    inside = path == url or (url != "/admin/" and path.startswith(url))
    return response.status_code == 200 and inside


@pytest.mark.parametrize("person", list(ALLOWED))
def test_role_matrix_of_admin_screens(client, people, person):
    if people[person] is not None:
        client.force_login(people[person])
    opened = {name for name, url in SCREENS.items() if _opens(client, url)}
    assert opened == ALLOWED[person]


def test_each_model_has_one_permission_policy(site_root):
    assert policy_registry.get_by_type(Enrolment) is enrolment_permission_policy
    assert policy_registry.get_by_type(Certificate) is certificate_permission_policy


@pytest.mark.parametrize(
    "person, view, listing",
    [
        ("trainee", False, False),
        ("trainer", False, False),
        ("agency_manager", True, False),
        ("administrator", True, True),
    ],
)
def test_the_enrolment_policy_opens_the_report_to_managers_and_the_list_to_admins(
    people, person, view, listing
):
    user = people[person]
    assert enrolment_permission_policy.user_has_permission(user, "view") is view
    assert enrolment_permission_policy.user_has_permission(user, "list") is listing
    for action in ("add", "change", "delete"):
        assert not enrolment_permission_policy.user_has_permission(user, action)


def test_an_inactive_administrator_administers_nothing(administrator):
    assert is_administrator(administrator)
    administrator.is_active = False
    assert not is_administrator(administrator)


def test_anonymous_visitors_are_sent_to_sign_in(client, site_root):
    response = client.get("/admin/agencies/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_trainee_in_the_admin_gets_a_clear_403(client, trainee):
    client.force_login(trainee)
    client.cookies["django_language"] = "en"
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "does not give access to the administration" in response.content.decode()


def test_superusers_open_every_screen(client, site_root):
    client.force_login(UserFactory(is_superuser=True))
    for url in SCREENS.values():
        assert _opens(client, url), url


# Row scoping -----------------------------------------------------------------


def test_agency_manager_cannot_see_other_agency_learners(
    agency_manager, trainee, other_agency_trainee
):
    visible = learners_visible_to(agency_manager)
    assert trainee in visible
    assert agency_manager in visible
    assert other_agency_trainee not in visible


def test_agency_manager_sees_their_agency_and_its_units_only(
    agency_manager, district, other_agency
):
    codes = set(agencies_visible_to(agency_manager).values_list("code", flat=True))
    assert codes == {"D-BSO", "D-BSO-VHTT", "D-BSO-TT"}
    assert can_manage_agency(agency_manager, district.children.first())
    assert not can_manage_agency(agency_manager, other_agency)


def test_merged_agency_rows_count_under_the_successor(
    agency_manager, district, other_agency, other_agency_trainee, administrator
):
    island_unit = AgencyFactory(code="D-LSO-TT", parent=other_agency)
    merge_agency(source=other_agency, target=district, merged_by=administrator)
    ids = Agency.objects.subtree_ids(district)
    # The closed agency is part of the successor's subtree, and so is its
    # unit, re-parented under the successor by the merge.
    assert {other_agency.pk, island_unit.pk} <= ids
    assert other_agency_trainee in learners_visible_to(agency_manager)


def test_subtree_follows_predecessors_of_units(district):
    unit = district.children.get(code="D-BSO-TT")
    old = AgencyFactory(code="OLD", is_active=False)
    Agency.objects.filter(pk=old.pk).update(replaced_by=unit)
    assert old.pk in Agency.objects.subtree_ids(district)


def test_trainee_sees_only_themself(trainee, other_agency_trainee):
    assert list(learners_visible_to(trainee)) == [trainee]
    assert not agencies_visible_to(trainee).exists()
    assert not can_manage_agency(trainee, trainee.agency)


def test_trainer_sees_no_agency_and_only_themself(trainer, trainee):
    assert list(learners_visible_to(trainer)) == [trainer]
    assert not agencies_visible_to(trainer).exists()


def test_anonymous_sees_nobody(db, trainee):
    from django.contrib.auth.models import AnonymousUser

    assert not learners_visible_to(AnonymousUser()).exists()
    assert not can_manage_agency(AnonymousUser(), trainee.agency)


def test_administrators_see_everything(
    administrator, trainee, other_agency_trainee, district, other_agency
):
    assert set(learners_visible_to(administrator)) == {
        administrator,
        trainee,
        other_agency_trainee,
    }
    assert agencies_visible_to(administrator).count() == Agency.objects.count()
    assert can_manage_agency(administrator, other_agency)


def test_a_missing_and_a_forbidden_agency_both_404(
    client, agency_manager, district, other_agency
):
    # Give the manager the right to edit agencies: rows still come from
    # agencies_visible_to, so an agency outside the subtree does not exist.
    agency_manager.user_permissions.add(
        Permission.objects.get(codename="change_agency")
    )
    client.force_login(agency_manager)
    assert client.get(f"/admin/agencies/edit/{district.pk}/").status_code == 200
    assert client.get(f"/admin/agencies/edit/{other_agency.pk}/").status_code == 404
    assert client.get("/admin/agencies/edit/999999/").status_code == 404
    assert client.get(f"/admin/agencies/merge/{other_agency.pk}/").status_code == 404
    assert client.get("/admin/agencies/merge/999999/").status_code == 404


def test_user_screens_scope_people_like_everything_else(
    client, agency_manager, trainee, other_agency_trainee
):
    # A manager given the right to edit people still reaches only their own.
    agency_manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(agency_manager)
    listed = client.get("/admin/users/").context["object_list"]
    assert trainee in listed and other_agency_trainee not in listed
    assert client.get(f"/admin/users/edit/{trainee.pk}/").status_code == 200
    assert (
        client.get(f"/admin/users/edit/{other_agency_trainee.pk}/").status_code == 404
    )
    assert client.get("/admin/users/edit/999999/").status_code == 404
