"""Agencies in the Wagtail admin: tree listing, create, rename, close, merge."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Agency, User
from accounts.services import deactivate_agency, merge_agency
from tests.factories import AgencyFactory, UserFactory


def test_merge_moves_people_and_open_units_and_keeps_the_history_pointer(
    district, other_agency, other_agency_trainee, administrator
):
    island_unit = AgencyFactory(code="D-LSO-TT", parent=other_agency)
    closed_unit = AgencyFactory(code="D-LSO-OLD", parent=other_agency, is_active=False)
    merge_agency(source=other_agency, target=district, merged_by=administrator)

    other_agency.refresh_from_db()
    assert not other_agency.is_active
    assert other_agency.replaced_by == district
    assert other_agency.closed_at is not None
    other_agency_trainee.refresh_from_db()
    assert other_agency_trainee.agency == district
    island_unit.refresh_from_db()
    assert island_unit.parent == district
    closed_unit.refresh_from_db()
    assert closed_unit.parent == other_agency  # closed units stay where they were
    assert set(other_agency.predecessors.all()) == set()
    assert list(district.predecessors.all()) == [other_agency]


@pytest.mark.parametrize(
    "case, message",
    [
        ("self", "cannot be merged into itself"),
        ("closed target", "is closed; choose an open agency"),
        ("own unit", "merging would put an agency under itself"),
        ("closed source", "is already closed"),
    ],
)
def test_merge_refuses_impossible_targets(district, administrator, case, message):
    unit = district.children.first()
    source, target = {
        "self": (district, district),
        "closed target": (district, AgencyFactory(code="X", is_active=False)),
        "own unit": (district, unit),
        "closed source": (AgencyFactory(code="Y", is_active=False), unit),
    }[case]
    with pytest.raises(ValidationError) as raised:
        merge_agency(source=source, target=target, merged_by=administrator)
    assert message in " ".join(raised.value.messages)
    district.refresh_from_db()
    assert district.is_active


def test_close_an_agency_without_open_units(district):
    unit = district.children.first()
    deactivate_agency(agency=unit)
    unit.refresh_from_db()
    assert not unit.is_active and unit.closed_at
    with pytest.raises(ValidationError):
        deactivate_agency(agency=district)  # one unit is still open


def test_agency_listing_is_a_tree_with_bounded_queries(
    client, administrator, district, other_agency, django_assert_max_num_queries
):
    for n in range(30):
        AgencyFactory(code=f"Z-{n:02d}", parent=other_agency)
    client.force_login(administrator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("agency:index"))
    assert response.status_code == 200
    codes = [a.code for a in response.context["object_list"]]
    assert codes.index("D-BSO") < codes.index("D-BSO-TT") < codes.index("D-BSO-VHTT")
    assert codes.index("D-BSO-VHTT") < codes.index("D-LSO")
    assert "padding-inline-start: 1rem" in response.content.decode()


def test_agency_listing_search_and_filters(
    client, administrator, district, other_agency
):
    client.force_login(administrator)
    response = client.get(reverse("agency:index"), {"q": "lso"})
    assert [a.code for a in response.context["object_list"]] == ["D-LSO"]
    response = client.get(reverse("agency:index"), {"kind": "broadcast"})
    assert [a.code for a in response.context["object_list"]] == ["D-BSO-TT"]
    deactivate_agency(agency=other_agency)
    response = client.get(reverse("agency:index"), {"is_active": "false"})
    assert [a.code for a in response.context["object_list"]] == ["D-LSO"]


def test_create_and_rename_an_agency_in_the_admin(client, administrator, district):
    client.force_login(administrator)
    response = client.post(
        reverse("agency:add"),
        {
            "code": "D-BSO-X",
            "name": "  Ban   mới ",
            "kind": "office",
            "parent": district.pk,
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(code="D-BSO-X")
    assert agency.name == "Ban mới" and agency.parent == district

    response = client.post(
        reverse("agency:edit", args=[agency.pk]),
        {
            "code": "HACKED",
            "name": "Ban đổi tên",
            "kind": "office",
            "parent": district.pk,
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.code, agency.name) == ("D-BSO-X", "Ban đổi tên")


def test_an_agency_cannot_be_moved_under_its_own_unit(client, administrator, district):
    client.force_login(administrator)
    unit = district.children.first()
    response = client.post(
        reverse("agency:edit", args=[district.pk]),
        {"name": district.name, "kind": "district", "parent": unit.pk},
    )
    assert response.status_code == 200
    district.refresh_from_db()
    assert district.parent is None


def test_merge_and_close_from_the_admin(
    client, administrator, district, other_agency, other_agency_trainee
):
    client.force_login(administrator)
    assert (
        client.get(reverse("agency:merge", args=[other_agency.pk])).status_code == 200
    )
    response = client.post(
        reverse("agency:merge", args=[other_agency.pk]), {"target": district.pk}
    )
    assert response["Location"] == reverse("agency:index")
    assert User.objects.get(pk=other_agency_trainee.pk).agency == district

    unit = district.children.first()
    client.post(reverse("agency:deactivate", args=[unit.pk]))
    assert not Agency.objects.get(pk=unit.pk).is_active


def test_merge_form_offers_no_target_inside_the_source(client, administrator, district):
    client.force_login(administrator)
    response = client.post(
        reverse("agency:merge", args=[district.pk]),
        {"target": district.children.first().pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target"]
    district.refresh_from_db()
    assert district.is_active


def test_an_agency_with_people_cannot_be_deleted(client, administrator, trainee):
    client.force_login(administrator)
    response = client.post(reverse("agency:delete", args=[trainee.agency.pk]))
    assert response.status_code == 302
    assert Agency.objects.filter(pk=trainee.agency.pk).exists()


def test_an_unused_agency_can_be_deleted(client, administrator):
    client.force_login(administrator)
    agency = AgencyFactory(code="TYPO")
    client.post(reverse("agency:delete", args=[agency.pk]))
    assert not Agency.objects.filter(pk=agency.pk).exists()


def test_a_merged_agency_keeps_its_row_for_history(
    district, other_agency, administrator
):
    """The old agency stays, closed, so rows recorded under it keep their target."""
    person = UserFactory(agency=other_agency)
    merge_agency(source=other_agency, target=district, merged_by=administrator)
    person.refresh_from_db()
    assert person.agency == district
    assert Agency.objects.get(pk=other_agency.pk).replaced_by_id == district.pk
