import copy

import pytest
from wagtail.models import Site

from tests.reports.test_completion_report import build_world, grant_report_permission


@pytest.fixture(scope="module")
def shared_world(module_db):
    """build_world, once per test module (see module_db)."""
    grant_report_permission()
    return build_world(Site.objects.get(is_default_site=True).root_page.specific)


@pytest.fixture
def world(shared_world, db):
    """build_world's agencies, people, courses and enrolments: a copy for each
    test, whose changes are rolled back after it."""
    return copy.deepcopy(shared_world)
