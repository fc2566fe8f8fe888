import pytest
from django.conf import settings
from django.utils import translation

from courses.services import enrol_learner
from tests.courses.builders import make_agency, make_course, make_index, make_user


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
def province(db):
    return make_agency("P", kind="province", name="Tỉnh")


@pytest.fixture
def district_unit(province):
    """A district under the province, with an office below it."""
    district = make_agency("P-D", parent=province, kind="district", name="Huyện")
    make_agency("P-D-O", parent=district, kind="office", name="Phòng Văn hóa")
    return district


@pytest.fixture
def trainee(district_unit):
    return make_user("trainee@example.org", agency=district_unit.children.get())


@pytest.fixture
def enrolment(trainee, course):
    return enrol_learner(learner=trainee, course=course)


@pytest.fixture
def english(client):
    """Assert on the English msgids, whatever the vi catalogue holds by now."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
