"""Helpers for the real-browser journeys: sign-in, accessibility, page weight.

Import them in a journey; the fixtures that build browsers, pages and users
live in ``conftest.py`` beside this file.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, Request
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Impacts that fail a journey; "minor" and "moderate" findings are reported only.
BLOCKING_IMPACTS = {"serious", "critical"}

# The page editor's form posts to wagtailadmin_pages:add until the page exists,
# then to wagtailadmin_pages:edit.
EDITOR_FORM_PATH = re.compile(r"^/admin/pages/(?:add/\w+/\w+/\d+|\d+/edit)/$")

# True when the page editor has nothing left to autosave and no autosave running
# or waiting. Wagtail 8's editor form carries two Stimulus controllers (reached
# through window.wagtail.app): w-unsaved compares the form with what was last
# saved (initialFormData), w-autosave debounces and sends the autosave
# (submitPromise, from the trigger to the answer; retryTimeout after a network
# error). A form without w-autosave (WAGTAIL_AUTOSAVE_INTERVAL = 0) is idle.
EDITOR_IDLE_JS = """() => {
    const form = document.querySelector("form[data-edit-form]");
    const app = window.wagtail && window.wagtail.app;
    if (!form || !app) return false;
    const autosave = app.getControllerForElementAndIdentifier(form, "w-autosave");
    if (!autosave) return true;
    const unsaved = app.getControllerForElementAndIdentifier(form, "w-unsaved");
    return Boolean(
        unsaved && unsaved.initialFormData && !unsaved.forceValue
        && unsaved.formData === unsaved.initialFormData
        && !autosave.submitPromise && !autosave.retryTimeout
    );
}"""


def chromium_path() -> str | None:
    """Debian's Chromium (never a downloaded one), or CHROMIUM_PATH if set."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def login(page: Page, email: str, password: str) -> Page:
    """Sign in through the real allauth form, as a person would."""
    page.goto(reverse("account_login"))
    form = page.locator("form:has(input[name='password'])")
    form.locator("input[name='login']").fill(email)
    form.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        form.locator("button[type='submit'], input[type='submit']").first.click()
    assert reverse("account_login") not in page.url, (
        f"sign-in as {email} failed; still on {page.url}"
    )
    return page


def is_editor_autosave(request: Request) -> bool:
    """A background autosave of Wagtail's page editor.

    Wagtail 8 autosaves the editor (WAGTAIL_AUTOSAVE_INTERVAL, 500 ms by
    default): it POSTs the whole form, asking for JSON, to the form's own URL.
    The editor's buttons post the same form to the same URL as a navigation,
    asking for HTML.
    """
    return (
        request.method == "POST"
        and request.headers.get("accept") == "application/json"
        and EDITOR_FORM_PATH.match(urlsplit(request.url).path) is not None
    )


def wait_for_editor_idle(page: Page) -> None:
    """Wait until the page editor has autosaved what was typed and sends nothing.

    Call it before a button that posts the editor's form ("Save draft", the
    workflow actions). Otherwise, on a busy machine, the click races an
    autosave: when both POST the add URL, whichever comes second finds the slug
    taken, and if that is the click, the journey goes on with the autosaved,
    half-filled draft.
    """
    try:
        page.wait_for_function(EDITOR_IDLE_JS, polling=100)
    except PlaywrightTimeoutError as error:
        raise AssertionError(
            f"the page editor at {page.url} never became idle: an autosave kept "
            "failing, or Wagtail's w-unsaved/w-autosave controllers changed "
            "(see EDITOR_IDLE_JS)"
        ) from error


def axe_violations(page: Page, *, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """Run axe-core on the page and return the violations of the given impacts."""
    if not AXE_SCRIPT.exists():
        message = f"{AXE_SCRIPT} is missing: run `npm ci` (make does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v.get("impact") in impacts]


def assert_accessible(page: Page) -> None:
    """Fail on any serious or critical axe-core violation, naming each one."""
    violations = axe_violations(page)
    if violations:
        lines = [f"axe-core found problems on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- [{violation['impact']}] {violation['id']}: {violation['help']}"
            )
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['html'][:160]}")
        raise AssertionError("\n".join(lines))


@dataclass
class PageWeight:
    """Bytes transferred per resource type, from Chrome's network events (CDP)."""

    types: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def bytes_of(self, *resource_types: str) -> int:
        return sum(
            size
            for request_id, size in self.sizes.items()
            if self.types.get(request_id) in resource_types
        )

    @property
    def html_css_js(self) -> int:
        return self.bytes_of("Document", "Stylesheet", "Script")


def record_page_weight(page: Page) -> PageWeight:
    """Start counting the bytes a page transfers; read the result after loading.

    ``encodedDataLength`` is what crossed the wire (headers and compression
    included), the figure a slow provincial connection pays for.
    """
    weight = PageWeight()
    session = page.context.new_cdp_session(page)

    def on_response(event):
        weight.types[event["requestId"]] = event["type"]

    def on_finished(event):
        weight.sizes[event["requestId"]] = int(event["encodedDataLength"])

    session.on("Network.responseReceived", on_response)
    session.on("Network.loadingFinished", on_finished)
    session.send("Network.enable")
    return weight
