import pytest
from wagtail.models import Page, Site


@pytest.fixture
def site_root(db):
    """The home page that the initial migration creates, as the default site's root."""
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def root_page(db):
    return Page.get_first_root_node()
