"""Fixtures for real-browser journeys (Playwright driving Debian's Chromium).

A journey asks for ``page_at`` (and ``make_e2e_user`` when it signs in):

    def test_something(page_at, make_e2e_user, screenshot):
        user = make_e2e_user()
        page = page_at(375)                      # or page_at(1280, javascript=False)
        login(page, user.email, E2E_PASSWORD)     # from tests.e2e.support
        assert_accessible(page)
        screenshot("after-sign-in")

``page_at`` starts the live server on a freshly rebuilt site, so the page's
relative URLs ("/me/profile/") reach it. Any console error or uncaught script
error fails the test, except a failed load the journey announced
(``page_at.expect_failed_load``) and a refused autosave of Wagtail's page editor
(see ``_Pages._response``). Screenshots go to e2e-artifacts/<run>/, printed at
the end; a failed journey leaves one of each page and a log of its requests.

The journeys are marked ``browser``: ``make test-browser`` runs them on
PostgreSQL, the other legs leave them out. ``E2E_SLOW_MO=300`` slows every
browser action down by 300 ms, to see that a journey does not depend on timing.
"""

import os
import re
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from wagtail.models import Collection, Locale, Page, Site

from courses.models import HomePage
from tests.e2e.support import (
    CHROMIUM_ARGS,
    REPO_ROOT,
    chromium_path,
    is_editor_autosave,
)

E2E_PASSWORD = "Lop-hoc-phat-ngon-2026"  # throwaway test password
RUN_NAME = os.environ.get("E2E_RUN") or datetime.now().strftime(  # noqa: DTZ005
    "%Y%m%d-%H%M%S"
)
ARTIFACTS_DIR = REPO_ROOT / "e2e-artifacts" / RUN_NAME
PHONE_HEIGHT, DESKTOP_HEIGHT = 812, 900

# Console errors from these URLs are not the page's fault.
IGNORED_ERROR_URLS = [
    # Chromium asks for /favicon.ico on its own; the site declares no icon yet
    # (templates/base.html), so the first page of a run logs a 404 for it.
    re.compile(r"/favicon\.ico$"),
]
# How Chromium logs a response with an error status.
FAILED_RESOURCE = re.compile(r"^Failed to load resource: .* status of (\d{3})\b")

_report = {"browser_missing": None, "screenshots": 0, "refused_autosaves": 0}


def pytest_itemcollected(item):
    """Every journey is marked `browser`: `make test-browser` runs `-m browser`
    on PostgreSQL, the other legs `-m "not browser"`."""
    item.add_marker(pytest.mark.browser)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the journeys after every other test.

    The live server needs a transactional database, flushed after each journey,
    which deletes what migrations created (groups, the site tree). pytest-django
    already runs transactional tests after the others; putting the journeys
    last keeps other transactional tests from finding an empty database.
    """
    here = Path(__file__).resolve().parent
    journeys = [item for item in items if here in item.path.resolve().parents]
    if journeys:
        others = [item for item in items if here not in item.path.resolve().parents]
        items[:] = others + journeys


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; never a downloaded browser."""
    path = chromium_path()
    if path is None:
        message = (
            "Chromium is not installed (make installs it with "
            "`apt-get install chromium`, which needs root)"
        )
        _report["browser_missing"] = message
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: browser journeys cannot be skipped in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django
    # would otherwise refuse database work from the test code. The journeys run
    # last, so no other test loses Django's async-safety check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=path,
                args=CHROMIUM_ARGS,
                # E2E_SLOW_MO=300 waits 300 ms before each browser action: a
                # slow machine on demand, to see that a journey does not
                # depend on timing.
                slow_mo=float(os.environ.get("E2E_SLOW_MO") or 0),
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def e2e_site(transactional_db):
    """The Wagtail tree and default site that every page needs.

    Browser tests use a transactional database that is flushed after each test,
    which removes the root page, home page, locale and site that migrations made;
    this puts them back (and is a no-op when they are still there).
    """
    language = settings.LANGUAGE_CODE
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        locale = Locale.objects.create(language_code=language)
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title="Đào tạo người phát ngôn", slug="home", locale=locale
            )
        )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": settings.WAGTAIL_SITE_NAME,
        },
    )
    return home


@pytest.fixture
def make_e2e_user(e2e_site):
    """Create a user who can sign in: a real password and a verified address."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    counter = iter(range(1, 1000))

    def make(email=None, *, password=E2E_PASSWORD, full_name="Nguyễn Thị Hà", **extra):
        email = email or f"hoc-vien-{next(counter)}@quangngai.gov.vn"
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, **extra
        )
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=True
        )
        return user

    return make


class _Pages:
    """Opens pages at a given width and remembers them for screenshots and checks."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.pages = []
        self.console_errors = []  # (label, text, url, line)
        self.uncaught = []
        self.expected_failures = []  # (absolute URL, status)
        self.refused_autosaves = 0
        self.log = []  # what the pages did, written out when the test fails
        self.started = time.monotonic()

    def __call__(self, width, *, javascript=True, locale="vi-VN", height=None):
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={
                "width": width,
                "height": height or (PHONE_HEIGHT if width < 768 else DESKTOP_HEIGHT),
            },
            java_script_enabled=javascript,
            locale=locale,
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        page = context.new_page()
        label = f"{width}px{'' if javascript else ', no JavaScript'}"
        page.on("console", lambda message: self._console(label, message))
        page.on("response", self._response)
        page.on(
            "pageerror",
            lambda error: self.uncaught.append(f"[{label}] uncaught: {error}"),
        )
        for event in ("request", "requestfinished", "requestfailed"):
            page.on(
                event,
                lambda request, event=event: self._note(
                    label, f"{event} {request.method} {request.url}"
                ),
            )
        self.pages.append(page)
        return page

    def _note(self, label, line):
        self.log.append(f"{time.monotonic() - self.started:7.2f}s [{label}] {line}")

    def _console(self, label, message):
        location = message.location or {}
        url = location.get("url", "")
        self._note(label, f"console {message.type}: {message.text}")
        if message.type == "error" and not any(
            pattern.search(url) for pattern in IGNORED_ERROR_URLS
        ):
            self.console_errors.append(
                (label, message.text, url, location.get("lineNumber", "?"))
            )

    def _response(self, response):
        # Wagtail's page editor autosaves in the background while a journey
        # fills its form in, and refuses with 400 an autosave it cannot save:
        # typically one that lost a race with the journey's own "Save draft"
        # (the click created the page first, so its slug is taken). How often
        # that happens depends on how busy the machine is, not on the page.
        # Chromium logs "Failed to load resource" for it. Only that response
        # is excused: a POST asking for JSON to the editor's add or edit URL,
        # answered 400. (wait_for_editor_idle before such a click keeps the
        # race away.)
        if response.status == 400 and is_editor_autosave(response.request):
            self.refused_autosaves += 1
            self.expected_failures.append((response.url, 400))

    def expect_failed_load(self, url, status):
        """Chromium's console line for one load of ``url`` answered ``status``
        (a 404 the journey asks for on purpose) is not an error."""
        self.expected_failures.append((urljoin(self.base_url, url), status))

    def errors(self):
        """Console errors, but one "Failed to load resource" line per expected
        failure (same URL and status), and uncaught script errors."""
        expected = list(self.expected_failures)
        errors = []
        for label, text, url, line in self.console_errors:
            failed = FAILED_RESOURCE.match(text)
            if failed and (url, int(failed[1])) in expected:
                expected.remove((url, int(failed[1])))
                continue
            errors.append(f"[{label}] console error: {text} ({url or '?'}:{line})")
        return errors + self.uncaught

    def take_errors(self):
        """The errors so far, for a test to assert on (then not reported again
        at teardown)."""
        errors = self.errors()
        self.console_errors.clear()
        self.uncaught.clear()
        self.expected_failures.clear()
        return errors

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for page_at to see a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page_at(request, browser, e2e_site, live_server):
    """``page_at(width, javascript=True, locale="vi-VN")`` opens a fresh page.

    Each call gets its own browser context (cookies, viewport, JavaScript on or
    off). The test fails if any page logged a console error. When the test
    fails, every page it opened is saved as a screenshot ("--failed-N.png"),
    and their requests and console lines, timed, in "--failed.log".
    """
    pages = _Pages(browser, live_server.url)
    yield pages
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for number, page in enumerate(pages.pages, start=1):
            if not page.is_closed():
                _screenshot(request, page, f"failed-{number}")
        _artifact(request, "failed.log").write_text("\n".join(pages.log) + "\n")
    pages.close()
    _report["refused_autosaves"] += pages.refused_autosaves
    if errors := pages.errors():
        pytest.fail("The browser reported errors:\n" + "\n".join(errors), pytrace=False)


def _artifact(request, name):
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR / f"{test_name}--{name}"


def _screenshot(request, page, name):
    path = _artifact(request, f"{name}.png")
    page.screenshot(path=str(path), full_page=True)
    _report["screenshots"] += 1
    return path


@pytest.fixture
def screenshot(request, page_at):
    """``screenshot(name, page=None)`` saves a full-page PNG of the latest page."""

    def take(name, page=None):
        return _screenshot(request, page or page_at.pages[-1], name)

    return take


def pytest_terminal_summary(terminalreporter):
    if _report["browser_missing"]:
        terminalreporter.write_sep(
            "#", "WARNING: BROWSER JOURNEYS DID NOT RUN", red=True
        )
        terminalreporter.write_line(_report["browser_missing"])
    if _report["refused_autosaves"]:
        terminalreporter.write_line(
            f"{_report['refused_autosaves']} background autosaves of the page editor "
            "were refused (400) and not counted as errors"
        )
    if _report["screenshots"]:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(
            f"{_report['screenshots']} screenshots in {ARTIFACTS_DIR}"
        )


# Roles, workflow and demo data for the role journeys ----------------------------


@pytest.fixture
def e2e_roles(e2e_site):
    """What migrations made besides the site tree, put back after the flush.

    The role groups and their permissions (accounts 0002, quizzes 0004), the
    "Course review" workflow on the home page (courses 0004), and the report's
    courses.view_enrolment for administrators and agency managers, which an
    administrator grants in Settings → Groups (no migration does).
    """
    import importlib

    from django.apps import apps as global_apps

    from accounts.roles import (
        ADMINISTRATOR,
        AGENCY_MANAGER,
        TRAINER,
        grant_model_permissions,
        install_roles,
    )

    install_roles()
    quiz_grants = importlib.import_module("quizzes.migrations.0004_role_permissions")
    grant_model_permissions(TRAINER, "quizzes", quiz_grants.TRAINER_PERMISSIONS)
    grant_model_permissions(
        ADMINISTRATOR, "quizzes", quiz_grants.ADMINISTRATOR_PERMISSIONS
    )
    workflow = importlib.import_module("courses.migrations.0004_course_review_workflow")
    workflow.create_course_review_workflow(global_apps, None)
    for role in (ADMINISTRATOR, AGENCY_MANAGER):
        grant_model_permissions(role, "courses", ["view_enrolment"])
    return e2e_site


@pytest.fixture
def e2e_demo(e2e_roles):
    """The demo data (`manage.py load_demo_data`): agencies, roster, one account
    per role (password accounts.demo_data.DEMO_PASSWORD), two courses with
    quizzes and learners at every stage."""
    from accounts import demo_data as accounts_demo
    from courses import demo_data as courses_demo
    from quizzes import demo_data as quizzes_demo

    for loader in (accounts_demo, courses_demo, quizzes_demo):
        list(loader.load())
    return e2e_roles


def vi(message: str) -> str:
    """A message as the site shows it in Vietnamese (the journeys' locale)."""
    from django.utils import translation

    with translation.override("vi"):
        return translation.gettext(message)


@pytest.fixture
def e2e_course(e2e_roles):
    """A small open course with a certificate: a reading lesson, then a lesson
    with a two-question quiz (single choice, true/false) to pass before it is done.

    Returns a namespace: index, course, lessons, quiz, agency.
    """
    from types import SimpleNamespace

    from accounts.models import Agency
    from courses.models import LessonPage
    from quizzes.importing import ensure_category
    from tests.factories import (
        make_course,
        make_index,
        make_lesson,
        make_question,
        make_quiz,
        set_lesson_quiz,
    )

    agency = Agency.objects.create(
        code="QNG-E2E", name="Sở Thông tin và Truyền thông Quảng Ngãi"
    )
    index = make_index(e2e_roles, title="Khóa học", slug="khoa-hoc")
    course = make_course(
        index,
        lessons=0,
        title="Kỹ năng phát ngôn cơ bản",
        slug="ky-nang-phat-ngon-co-ban",
        summary="Vai trò của người phát ngôn và cách trả lời báo chí.",
        is_sequential=True,
        certificate_enabled=True,
        estimated_minutes=30,
    )
    reading = make_lesson(
        course,
        title="Vai trò của người phát ngôn",
        slug="vai-tro",
        body=[
            {"type": "heading", "value": {"text": "Người phát ngôn", "level": "h2"}},
            {
                "type": "text",
                "value": "<p>Người đứng đầu cơ quan có trách nhiệm phát ngôn.</p>",
            },
        ],
    )
    practice = make_lesson(course, title="Trả lời báo chí", slug="tra-loi-bao-chi")
    category = ensure_category(path="Phát ngôn/Cơ bản")
    single = make_question(
        category,
        "single",
        name="Ai phát ngôn",
        text="Ai chịu trách nhiệm phát ngôn cho cơ quan hành chính nhà nước?",
        options=[
            ("Người đứng đầu cơ quan", True),
            ("Bất kỳ cán bộ nào", False),
            ("Phóng viên thường trú", False),
        ],
    )
    truefalse = make_question(
        category,
        "truefalse",
        name="Không bình luận",
        text="“Không bình luận” là một câu trả lời tốt.",
        true_false_answer=False,
    )
    quiz = make_quiz(
        [single, truefalse], title="Kiểm tra: trả lời báo chí", pass_mark=70
    )
    practice = set_lesson_quiz(practice, quiz)
    return SimpleNamespace(
        index=index,
        course=course,
        lessons=[LessonPage.objects.get(pk=reading.pk), practice],
        quiz=quiz,
        agency=agency,
    )


def answer_quiz_correctly(page, quiz):
    """Answer every question of the attempt on screen, page by page, with the
    correct answers read from the database (never from the page), then open the
    submit page. Works with and without JavaScript."""
    from quizzes.models import Question

    questions = Question.objects.filter(
        pk__in=quiz.slots.values_list("question_id", flat=True)
    ).prefetch_related("options")
    correct = {}
    for question in questions:
        if question.type == "truefalse":
            correct[question.text] = vi(
                "True" if question.true_false_answer else "False"
            )
        elif question.type == "single":
            correct[question.text] = next(
                o.text for o in question.options.all() if o.is_correct
            )
        else:  # pragma: no cover - the journeys' quizzes use these two types
            raise ValueError(f"no browser answer for a {question.type} question")
    for _page in range(len(correct) + 1):
        for block in page.locator(".question").all():
            text = block.locator(".question__text").inner_text().strip()
            block.get_by_label(correct[text], exact=True).check()
        finish = page.locator("button[name='nav'][value='finish']")
        with page.expect_navigation():
            if finish.count():
                finish.click()
                return
            page.locator(".attempt-nav button[name='nav'][value='next']").click()
    raise AssertionError("the quiz never reached its last page")
