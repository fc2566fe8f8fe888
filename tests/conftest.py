import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from wagtail.models import Site

from accounts.roles import ADMINISTRATOR, AGENCY_MANAGER, TRAINER
from courses.services import enrol_learner
from tests.factories import (
    AgencyFactory,
    UserFactory,
    make_course,
    make_index,
)


@pytest.fixture(autouse=True)
def _clear_cache():
    """allauth's rate limits count in the cache; each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole test module, for data its tests share.

    A module-scoped fixture that asks for this one writes its data once; each
    test still runs in its own savepoint, so what a test changes is undone
    before the next one, and the shared data is rolled back after the last.
    Hand tests a copy of the objects (copy.deepcopy), not the shared ones: a
    test that changes an object in memory would otherwise pass it on. Once
    built, the data is there for every later test of the module, including
    those that do not ask for it. Not for tests that need committed data
    (transactional_db, live_server, threads).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def site_root(db):
    """The home page that the initial migration creates, as the default site's root."""
    return Site.objects.get(is_default_site=True).root_page.specific


# People and agencies: one family. The district and its two units, another
# district beside it, and a person for each role. The trainee works in the
# district's office; the agency manager sees the district and its units.


@pytest.fixture
def district(db):
    """A district with two units under it (an office and a radio station)."""
    district = AgencyFactory(code="D-BSO", name="Huyện Bình Sơn", kind="district")
    AgencyFactory(
        code="D-BSO-VHTT", name="Phòng Văn hóa", kind="office", parent=district
    )
    AgencyFactory(
        code="D-BSO-TT", name="Đài Truyền thanh", kind="broadcast", parent=district
    )
    return district


@pytest.fixture
def other_agency(db):
    """Another district, outside the first one's subtree."""
    return AgencyFactory(code="D-LSO", name="Huyện Lý Sơn", kind="district")


@pytest.fixture
def trainee(district):
    """A trainee in the district's office (D-BSO-VHTT)."""
    return UserFactory(
        email="learner@example.org",
        full_name="Trần Thị Học",
        agency=district.children.get(code="D-BSO-VHTT"),
    )


@pytest.fixture
def agency_manager(district):
    """The focal person of the district, who sees the district and its units."""
    return UserFactory(
        email="manager@example.org",
        full_name="Võ Đức Quản",
        agency=district,
        role=AGENCY_MANAGER,
    )


@pytest.fixture
def other_agency_trainee(other_agency):
    return UserFactory(
        email="other@example.org", full_name="Lê Văn Khác", agency=other_agency
    )


@pytest.fixture
def trainer(db):
    return UserFactory(
        email="trainer@example.org",
        full_name="Phan Minh Giảng",
        agency=AgencyFactory(code="D-STTTT", name="Sở Thông tin và Truyền thông"),
        role=TRAINER,
    )


@pytest.fixture
def administrator(db):
    """A member of the Administrator group (not a superuser)."""
    return UserFactory(
        email="admin@example.org",
        full_name="Nguyễn Quản Trị",
        agency=AgencyFactory(code="D-STTTT", name="Sở Thông tin và Truyền thông"),
        role=ADMINISTRATOR,
    )


# Pages: the catalogue (the course index) and one course in it.


@pytest.fixture
def catalogue_page(site_root):
    return make_index(site_root)


@pytest.fixture
def course(catalogue_page):
    """catalogue → course → two required lessons, open for self-enrolment."""
    return make_course(
        catalogue_page, title="Kỹ năng phát ngôn", slug="ky-nang", lessons=2
    )


@pytest.fixture
def enrolment(trainee, course):
    """The trainee's enrolment in the course."""
    return enrol_learner(learner=trainee, course=course)


@pytest.fixture
def english(client):
    """Assert on the English msgids, whatever the vi catalogue holds by now."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
