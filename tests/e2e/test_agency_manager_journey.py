"""An agency manager follows completion for their own agency: the report shows
their subtree only, and another agency's drill-down is a 404. At phone and
desktop widths."""

import pytest
from django.urls import reverse

from accounts.demo_data import DEMO_PASSWORD
from accounts.models import Agency, User
from tests.e2e.conftest import vi
from tests.e2e.support import login

MANAGER = "manager@example.org"  # the demo's manager of Huyện Bình Sơn
OTHER_AGENCY = "QNG-STTTT"  # a department outside the district


def expect_not_found(page_at, page, url):
    """Open a URL that must be a 404; Chrome's console line for it is expected."""
    page_at.expect_failed_load(url, 404)
    response = page.goto(url)
    assert response.status == 404, f"{url} answered {response.status}"


@pytest.mark.parametrize("width", [375, 1280])
def test_agency_manager_sees_only_their_agency(page_at, screenshot, e2e_demo, width):
    manager = User.objects.get(email=MANAGER)
    own = manager.agency
    subtree = set(
        Agency.objects.filter(pk__in=Agency.objects.subtree_ids(own)).values_list(
            "name", flat=True
        )
    )
    other = Agency.objects.get(code=OTHER_AGENCY)
    assert other.name not in subtree
    page = page_at(width)
    login(page, MANAGER, DEMO_PASSWORD)

    # The report: one row per agency of the manager's subtree, no others.
    page.goto(reverse("reports:completion"))
    rows = page.locator("th.completion-report__agency > div > a:first-child")
    rows.first.wait_for()
    names = {name.strip() for name in rows.all_inner_texts()}
    assert own.name in names
    outside = names - subtree - {vi("Elsewhere or no agency")}
    assert not outside, f"the manager sees other agencies: {sorted(outside)}"
    assert "Tỉnh Quảng Ngãi" not in names
    screenshot("01-report-own-subtree")

    # Their own agency's learners open.
    with page.expect_navigation():
        page.get_by_role("link", name=own.name, exact=True).first.click()
    assert f"/agencies/{own.pk}/" in page.url
    assert page.locator("table.completion-report__learners").is_visible()
    screenshot("02-own-learners")

    # Another agency's drill-down, by its id in the URL: 404.
    expect_not_found(page_at, page, reverse("reports:learners", args=[other.pk]))
    assert other.name not in page.content()
    screenshot("03-other-agency-404")

    # Nor can the report's agency filter reach it.
    expect_not_found(
        page_at, page, reverse("reports:completion") + f"?agency={other.pk}"
    )
