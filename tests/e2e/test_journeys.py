"""Journeys through the real site in a real browser, at phone and desktop widths."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import E2E_PASSWORD
from tests.e2e.support import assert_accessible, login, record_page_weight

WIDTHS = [375, 1280]
# HTML + CSS + JS an anonymous visitor downloads for the home page; learners in
# communes may be on slow mobile connections.
HOME_PAGE_BUDGET_BYTES = 150_000


def assert_fits_width(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"horizontal scrolling: {scroll_width}px > {width}px"


@pytest.mark.parametrize("width", WIDTHS)
def test_anonymous_visitor_sees_home_page_in_vietnamese(page_at, screenshot, width):
    page = page_at(width)
    weight = record_page_weight(page)

    page.goto("/")

    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").first.is_visible()
    sign_in = page.locator(f"main a[href='{reverse('account_login')}']")
    assert sign_in.is_visible()
    assert_fits_width(page, width)
    assert_accessible(page)
    screenshot("home")
    page.wait_for_load_state("networkidle")
    assert 0 < weight.html_css_js <= HOME_PAGE_BUDGET_BYTES, (
        f"home page weighs {weight.html_css_js} bytes of HTML, CSS and JS"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_in_page_is_accessible(page_at, screenshot, width):
    page = page_at(width)

    page.goto(reverse("account_login"))

    assert page.locator("input[name='login']").is_visible()
    assert page.locator("input[name='password']").is_visible()
    assert_fits_width(page, width)
    assert_accessible(page)
    screenshot("sign-in")


@pytest.mark.parametrize(
    ("width", "javascript"), [(375, True), (1280, True), (375, False)]
)
def test_learner_signs_in_sees_profile_and_switches_to_english(
    page_at, make_e2e_user, screenshot, width, javascript
):
    learner = make_e2e_user(full_name="Trần Văn Bình")
    page = page_at(width, javascript=javascript)

    login(page, learner.email, E2E_PASSWORD)
    page.goto(reverse("accounts:profile"))

    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_text(learner.email).first.is_visible()
    assert_fits_width(page, width)
    if javascript:  # axe-core is itself a script
        assert_accessible(page)
    screenshot("profile-vi")

    with page.expect_navigation():
        page.locator(".language-switch button[value='en']").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith(reverse("accounts:profile"))
    assert page.locator("h1").first.inner_text() == "My profile"
    if javascript:
        assert_accessible(page)
    screenshot("profile-en")
