"""The screens people use come out in Vietnamese.

Django's Vietnamese catalogue is partial, Wagtail's mostly empty and
django-allauth has none; ``vendor_locale/vi`` fills the gaps. This test walks
the sign-in, account and admin pages with the language set to Vietnamese and
fails on any visible text that is still an English message of django-allauth,
Wagtail or Django.

How a text counts as untranslated (deterministic, no guessing):
- S is the set of English msgids of the installed packages' source catalogues
  (the ``en`` .po files of allauth, every Wagtail app and Django);
- each visible text node (and button value, placeholder, aria-label, title) is
  whitespace-normalised; it is untranslated when it equals a msgid in S whose
  Vietnamese gettext still returns the English msgid, unless our catalogue
  translates it deliberately to the same text (e.g. "Email", "URL").
"""

import gettext as gettext_module
import json
import re
from functools import cache
from pathlib import Path

import allauth
import django
import pytest
import wagtail
from bs4 import BeautifulSoup, Comment
from django.conf import settings
from django.utils import translation
from wagtail.models import Page, Site

VENDOR_MO = (
    Path(settings.BASE_DIR) / "vendor_locale" / "vi" / "LC_MESSAGES" / "django.mo"
)

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/signup/",  # the sign-up form, or the "sign up closed" page
    "/admin/login/",
    "/accounts/password/reset/done/",
]

SIGNED_IN_PAGES = [
    "/accounts/2fa/",
    "/accounts/2fa/totp/activate/",
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/logout/",
    "/admin/",
    "/admin/pages/",
    "/admin/pages/{home}/",
    "/admin/pages/{home}/edit/",
    "/admin/pages/{home}/history/",
    "/admin/pages/{home}/add_subpage/",
    "/admin/pages/{home}/move/",
    "/admin/pages/{home}/copy/",
    "/admin/pages/{home}/privacy/",
    "/admin/images/",
    "/admin/images/multiple/add/",
    "/admin/documents/",
    "/admin/documents/multiple/add/",
    "/admin/collections/",
    "/admin/snippets/",
    "/admin/reports/locked/",
    "/admin/reports/aging-pages/",
    "/admin/reports/site-history/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/workflows/list/",
    "/admin/workflows/tasks/index/",
    "/admin/account/",
    "/admin/users/",
    "/admin/users/new/",
    "/admin/groups/",
    "/admin/groups/new/",
    "/admin/collections/add/",
    "/admin/workflows/add/",
    "/admin/workflows/tasks/select_type/",
    "/admin/workflows/tasks/add/wagtailcore/groupapprovaltask/",
    "/admin/workflows/edit/{workflow}/",
    "/admin/workflows/tasks/edit/{task}/",
    "/admin/images/{image}/",
    "/admin/documents/edit/{document}/",
    "/admin/pages/search/?q=khoa",
    "/admin/sites/",
    "/admin/redirects/",
]

ATTRIBUTES = ("placeholder", "aria-label", "title")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_PO_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


def _unquote(text):
    return re.sub(
        r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text
    )


def _po_messages(path):
    """(context, msgid, msgid_plural) of every entry of a .po file."""
    entries, current, field = [], {}, None

    def flush():
        if current.get("msgid"):
            entries.append(
                (current.get("msgctxt"), current["msgid"], current.get("msgid_plural"))
            )
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if line.startswith('"') and field:
            current[field] += _unquote(line[1:-1])
            continue
        match = _PO_LINE.match(line)
        if not match:
            continue
        keyword, value = match.groups()
        if keyword in ("msgctxt", "msgid") and "msgstr" in current:
            flush()
        if keyword.startswith("msgstr"):
            field = "msgstr"
            current.setdefault("msgstr", "")
            continue
        field = keyword
        current[keyword] = _unquote(value)
    flush()
    return entries


def _source_catalogues():
    django_root = Path(django.__file__).parent
    yield Path(allauth.__file__).parent / "locale/en/LC_MESSAGES/django.po"
    yield from sorted(
        Path(wagtail.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po")
    )
    yield django_root / "conf/locale/en/LC_MESSAGES/django.po"
    yield from sorted(django_root.glob("contrib/*/locale/en/LC_MESSAGES/django.po"))


@cache
def english_messages():
    """msgid (normalised) -> list of (context, msgid, msgid_plural, is_plural_form)."""
    messages = {}
    for path in _source_catalogues():
        for context, msgid, plural in _po_messages(path):
            for text, is_plural in ((msgid, False), (plural, True)):
                if text:
                    key = " ".join(text.split())
                    messages.setdefault(key, []).append(
                        (context, msgid, plural, is_plural)
                    )
    return messages


class _Missing(gettext_module.NullTranslations):
    """Fallback that marks a message as absent from our catalogue."""

    def gettext(self, message):
        return None

    def ngettext(self, singular, plural, n):
        return None

    def pgettext(self, context, message):
        return None

    def npgettext(self, context, singular, plural, n):
        return None


@cache
def vendor_catalogue():
    with VENDOR_MO.open("rb") as handle:
        catalogue = gettext_module.GNUTranslations(handle)
    catalogue.add_fallback(_Missing())
    return catalogue


def vendor_translation(context, msgid, plural, n):
    """Our own Vietnamese for a message, or None when we do not carry it."""
    catalogue = vendor_catalogue()
    if plural and context:
        return catalogue.npgettext(context, msgid, plural, n)
    if plural:
        return catalogue.ngettext(msgid, plural, n)
    if context:
        return catalogue.pgettext(context, msgid)
    return catalogue.gettext(msgid)


def still_english(context, msgid, plural, is_plural):
    """True when gettext gives back the English text of this message.

    A message that our catalogue deliberately keeps identical in Vietnamese
    ("Email", "URL", "ID") is not reported.
    """
    n = 2 if is_plural else 1
    english = plural if is_plural else msgid
    if plural and context:
        result = translation.npgettext(context, msgid, plural, n)
    elif plural:
        result = translation.ngettext(msgid, plural, n)
    elif context:
        result = translation.pgettext(context, msgid)
    else:
        result = translation.gettext(msgid)
    return (
        result == english and vendor_translation(context, msgid, plural, n) != english
    )


def visible_texts(soup):
    for element in soup(["script", "style", "template"]):
        element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    yield from soup.find_all(string=True)
    for tag in soup.find_all(True):
        for attribute in ATTRIBUTES:
            if tag.get(attribute):
                yield tag[attribute]
        is_button = tag.get("type") in ("submit", "button", "reset")
        if tag.name in ("input", "button") and is_button and tag.get("value"):
            yield tag["value"]


def untranslated_texts(html, skip, language="vi"):
    soup = BeautifulSoup(html, "html.parser")
    found = []
    messages = english_messages()
    with translation.override(language):
        for raw in visible_texts(soup):
            text = " ".join(str(raw).split())
            if not text or text in skip or EMAIL.fullmatch(text):
                continue
            candidates = messages.get(text)
            if candidates and any(
                still_english(*candidate) for candidate in candidates
            ):
                found.append(text)
    return sorted(set(found))


def html_lang(html):
    html_tag = BeautifulSoup(html, "html.parser").find("html")
    return html_tag.get("lang") if html_tag else None


def content_to_skip(user=None):
    """Our own content and names: page titles, the site, people, languages."""
    skip = set(Page.objects.values_list("title", flat=True))
    skip |= set(Site.objects.values_list("site_name", flat=True))
    skip.add(settings.WAGTAIL_SITE_NAME)
    for _code, name in list(settings.LANGUAGES) + list(
        settings.WAGTAILADMIN_PERMITTED_LANGUAGES
    ):
        skip.add(str(name))
    if user is not None:
        skip |= {user.email, user.full_name, str(user), user.get_short_name()}
    return {" ".join(str(item).split()) for item in skip if item}


def check_page(client, path, skip):
    """Follow redirects within the site; return (final path, problems)."""
    try:
        response = client.get(path, follow=True)
    except Exception as error:  # noqa: BLE001 - report every page, not just the first
        return path, [f"request raised {type(error).__name__}: {error}"]
    final = response.redirect_chain[-1][0] if response.redirect_chain else path
    if response.status_code != 200:
        return final, [f"HTTP {response.status_code}"]
    problems = []
    if response.headers.get("Content-Type", "").startswith("application/json"):
        # a Wagtail modal (privacy, choosers): an HTML fragment inside JSON
        html = response.json().get("html", "")
    else:
        html = response.content.decode()
        lang = html_lang(html)
        if not (lang or "").startswith("vi"):
            problems.append(f'<html lang="{lang}">')
    problems += untranslated_texts(html, skip)
    return final, problems


@pytest.fixture
def vi_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    return client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        email="quantri@example.org",
        password="Mật-khẩu-thử-2026",
        full_name="Quản Trị Thử",
    )


def test_vendor_catalogue_is_compiled_and_loaded():
    assert VENDOR_MO.exists()
    with translation.override("vi"):
        assert translation.gettext("Forgot your password?") == "Quên mật khẩu?"
        assert translation.gettext("Pages") != "Pages"
        assert translation.gettext("Dashboard") != "Dashboard"
        # Vietnamese has a single plural form
        assert translation.ngettext("Delete 1 page", "Delete %(counter)s pages", 1) == (
            translation.ngettext("Delete 1 page", "Delete %(counter)s pages", 5)
        )


def test_detection_can_fail():
    """The check reports English it finds, and only visible English."""
    html = (
        '<html lang="vi"><body><p>Remember Me</p><p> Forgot your\n password? </p>'
        "<script>var label = 'Sign In';</script>"
        '<input type="submit" value="Reset My Password"><p>Email</p></body></html>'
    )
    # In Vietnamese every one of these is translated (or deliberately the same).
    assert untranslated_texts(html, skip=set()) == []
    # The same page with the English catalogue: the check must complain, and
    # about the visible texts only (not the script).
    assert untranslated_texts(html, skip=set(), language="en") == [
        "Forgot your password?",
        "Remember Me",
        "Reset My Password",
    ]
    # Our own content is skipped.
    assert untranslated_texts(html, skip={"Remember Me"}, language="en") == [
        "Forgot your password?",
        "Reset My Password",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_page_is_vietnamese(vi_client, site_root, path):
    final, problems = check_page(vi_client, path, content_to_skip())
    assert not problems, f"{path} (shown as {final}): {problems}"


@pytest.fixture
def admin_objects(site_root, settings, tmp_path):
    """An image, a document, a workflow and a task, so their edit screens exist."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import GroupApprovalTask, Workflow

    settings.MEDIA_ROOT = tmp_path
    image = get_image_model().objects.create(
        title="Ảnh họp báo", file=get_test_image_file()
    )
    document = get_document_model().objects.create(
        title="Thông cáo báo chí mẫu",
        file=ContentFile(b"Noi dung", name="thong-cao.txt"),
    )
    task = GroupApprovalTask.objects.first() or GroupApprovalTask.objects.create(
        name="Duyệt nội dung"
    )
    workflow = Workflow.objects.first() or Workflow.objects.create(
        name="Duyệt khóa học"
    )
    return {
        "home": site_root.pk,
        "image": image.pk,
        "document": document.pk,
        "workflow": workflow.pk,
        "task": task.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("template", SIGNED_IN_PAGES)
def test_signed_in_page_is_vietnamese(vi_client, superuser, admin_objects, template):
    from wagtail.models import Task, Workflow

    vi_client.force_login(superuser)
    skip = content_to_skip(superuser)
    skip |= set(Workflow.objects.values_list("name", flat=True))
    skip |= set(Task.objects.values_list("name", flat=True))
    path = template.format(**admin_objects)
    final, problems = check_page(vi_client, path, skip)
    assert not problems, f"{path} (shown as {final}): {problems}"


@pytest.mark.django_db
def test_snippet_and_page_type_screens_are_vietnamese(vi_client, superuser, site_root):
    """Every registered snippet's listing and create form, and the create form of
    every page type allowed under the home page (the page editor)."""
    from django.urls import reverse
    from wagtail.snippets.models import get_snippet_models

    vi_client.force_login(superuser)
    skip = content_to_skip(superuser)
    paths = []
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        paths.append(reverse(viewset.get_url_name("list")))
        paths.append(reverse(viewset.get_url_name("add")))
    for page_type in site_root.specific_class.allowed_subpage_models():
        meta = page_type._meta
        paths.append(
            f"/admin/pages/add/{meta.app_label}/{meta.model_name}/{site_root.pk}/"
        )
    failures = {}
    for path in paths:
        final, problems = check_page(vi_client, path, skip)
        if problems:
            failures[path if final == path else f"{path} -> {final}"] = problems
    assert not failures, "\n".join(
        f"{path}: {found}" for path, found in failures.items()
    )


@pytest.mark.django_db
def test_admin_javascript_catalogue_is_vietnamese(vi_client, superuser):
    """The strings Wagtail's admin scripts show (sidebar, editor, comments)."""
    vi_client.force_login(superuser)
    response = vi_client.get("/admin/jsi18n/")
    assert response.status_code == 200
    match = re.search(r"const newcatalog = (\{.*?\});", response.content.decode(), re.S)
    catalogue = json.loads(match.group(1))
    source = Path(wagtail.__file__).parent / "admin/locale/en/LC_MESSAGES/djangojs.po"
    missing = sorted(
        msgid
        for _context, msgid, _plural in _po_messages(source)
        if msgid not in catalogue
    )
    assert not missing, (
        f"Wagtail admin JavaScript strings without Vietnamese: {missing}"
    )


def untranslated_paragraphs(text, skip):
    """English msgids among the paragraphs (and lines) of a plain-text email."""
    messages = english_messages()
    chunks = [*re.split(r"\n\s*\n", text), *text.splitlines()]
    found = []
    with translation.override("vi"):
        for chunk in chunks:
            normalised = " ".join(chunk.split())
            if not normalised or normalised in skip:
                continue
            candidates = messages.get(normalised)
            if candidates and any(still_english(*c) for c in candidates):
                found.append(normalised)
    return sorted(set(found))


@pytest.mark.django_db
def test_account_emails_are_vietnamese(vi_client, site_root, superuser, mailoutbox):
    """Password reset and address confirmation (an unknown address gets no mail)."""
    vi_client.post("/accounts/password/reset/", {"email": superuser.email})
    vi_client.post("/accounts/password/reset/", {"email": "khong-co@example.org"})
    vi_client.force_login(superuser)
    vi_client.post("/accounts/email/", {"action_add": "", "email": "moi@example.org"})
    assert len(mailoutbox) == 2, [m.subject for m in mailoutbox]
    skip = content_to_skip(superuser)
    failures = {}
    for message in mailoutbox:
        problems = untranslated_paragraphs(f"{message.subject}\n\n{message.body}", skip)
        if problems:
            failures[message.subject] = problems
    assert not failures, f"English in account emails: {failures}"
