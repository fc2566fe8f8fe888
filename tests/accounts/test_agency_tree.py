"""The one agency tree: Agency.objects.subtree_ids() and ancestor_ids(), which the
permissions, course assignment and the completion report all follow."""

import pytest

from accounts.models import Agency, AgencyLinks
from accounts.services import merge_agency
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(administrator):
    """Province P → districts A and B; A has commune A1, B has commune B1.
    A1 is merged into B1, a commune of another district."""
    p = make_agency("P", kind="province")
    a = make_agency("A", parent=p, kind="district")
    b = make_agency("B", parent=p, kind="district")
    a1 = make_agency("A1", parent=a, kind="commune")
    b1 = make_agency("B1", parent=b, kind="commune")
    merge_agency(source=a1, target=b1, merged_by=administrator)
    return {x.code: x.pk for x in (p, a, b, a1, b1)}


def codes(ids) -> set[str]:
    return set(Agency.objects.filter(pk__in=ids).values_list("code", flat=True))


def test_a_subtree_holds_the_units_below_and_what_was_merged_into_them(tree):
    assert codes(Agency.objects.subtree_ids(tree["P"])) == {"P", "A", "B", "A1", "B1"}
    assert codes(Agency.objects.subtree_ids(tree["B"])) == {"B", "B1", "A1"}
    assert codes(Agency.objects.subtree_ids(tree["B1"])) == {"B1", "A1"}


def test_a_merged_agency_sits_under_its_successor_not_its_old_parent(tree):
    # Its history counts where it went, as the completion report counts it.
    assert codes(Agency.objects.subtree_ids(tree["A"])) == {"A"}


def test_ancestors_are_the_agencies_whose_subtree_holds_one(tree):
    assert codes(Agency.objects.ancestor_ids(tree["B1"])) == {"B1", "B", "P"}
    assert codes(Agency.objects.ancestor_ids(tree["A1"])) == {"A1", "B1", "B", "P"}
    for pk in tree.values():
        for other in tree.values():
            holds = pk in Agency.objects.subtree_ids(other)
            assert holds == (other in Agency.objects.ancestor_ids(pk))


def test_each_walk_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        Agency.objects.subtree_ids(tree["P"])
    with django_assert_num_queries(1):
        Agency.objects.ancestor_ids(tree["A1"])


def test_an_agency_instance_or_its_pk_will_do(tree):
    b = Agency.objects.get(pk=tree["B"])
    assert Agency.objects.subtree_ids(b) == Agency.objects.subtree_ids(b.pk)


def test_loops_end_the_walk():
    # The admin forbids these; a walk must still end.
    links = AgencyLinks([(1, 2, None), (2, 1, None), (3, None, 4), (4, None, 3)])
    assert links.subtree(1) == {1, 2}
    assert links.ancestors(1) == {1, 2}
    assert links.successor(3) is None
    assert links.successor(1) == 1


def test_a_successor_outside_the_rows_given_is_none():
    links = AgencyLinks([(1, None, 9)])
    assert links.successor(1) is None
