"""Every English string of our own has Vietnamese, and the Vietnamese is what users get.

``locale/vi/LC_MESSAGES/django.po`` holds the project's own strings (gettext,
``{% translate %}``, ``{% blocktranslate %}`` in the apps and templates);
``vendor_locale/`` holds allauth/Wagtail/Django strings and is checked by
``test_vendor_translations.py``.

The completeness test runs Django's real ``makemessages`` on a copy of the
source tree, merging into a copy of the committed catalogue, so a string added
anywhere without a translation fails here with its msgid listed. To fix a
failure, regenerate and translate the catalogue, then compile it::

    .venv/bin/python manage.py makemessages -l vi --ignore=.venv --ignore=static \\
        --ignore=node_modules --ignore=vendor_locale --ignore=e2e-artifacts \\
        --ignore=tests --no-obsolete
    # fill in every empty msgstr and clear every "fuzzy" flag, then
    .venv/bin/python manage.py compilemessages -l vi --ignore=.venv \\
        --ignore=vendor_locale

``tests/`` is left out of extraction: the vendor test calls gettext on
allauth/Wagtail msgids, which belong to ``vendor_locale/``. (A copy in our
catalogue would shadow the vendor's and make that test check ours.)
"""

import gettext as gettext_module
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "vi" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# Top-level folders that hold no strings of ours; the same list as the
# makemessages command in the module docstring (hidden folders such as .git
# are skipped by makemessages itself).
NOT_OURS = {
    ".venv",
    "static",
    "node_modules",
    "vendor_locale",
    "e2e-artifacts",
    "tests",
    "locale",  # copied separately: only the vi catalogue
    "media",
    ".test-media",
}
# What makemessages reads for the "django" domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

needs_gettext = pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msgmerge"))
    and os.environ.get("CI") != "true",
    reason="GNU gettext (xgettext, msgmerge) is not installed",
)


# --- a small .po reader (the catalogue is written by GNU gettext tools) ------


def _unquote(text):
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return (
        text[1:-1]
        .replace('\\"', '"')
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\\\", "\\")
    )


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr
    (a list: one string, or one per plural form) and flags. Obsolete (#~)
    entries and the header are left out."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
                entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": []}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(_unquote(value))
            else:
                field = keyword
                entry[field] = _unquote(value)
    finish()
    return [e for e in entries if e["msgid"] != ""]  # the header


def untranslated(entries):
    return [
        e
        for e in entries
        if "fuzzy" in e["flags"] or not e["msgstr"] or not all(e["msgstr"])
    ]


def describe(entry):
    text = repr(entry["msgid"])
    if entry.get("msgid_plural"):
        text += f" / plural {entry['msgid_plural']!r}"
    if entry.get("msgctxt"):
        text += f" (context {entry['msgctxt']!r})"
    if "fuzzy" in entry["flags"]:
        text += "  [fuzzy]"
    return text


# --- the tests ---------------------------------------------------------------


def _copy_sources(destination):
    def ignore(directory, names):
        top = Path(directory) == BASE_DIR
        return {
            name
            for name in names
            if (top and (name in NOT_OURS or name.startswith(".")))
            or (
                (Path(directory) / name).is_file()
                and Path(name).suffix not in SOURCE_SUFFIXES
            )
        }

    shutil.copytree(BASE_DIR, destination, ignore=ignore, dirs_exist_ok=True)


@needs_gettext
def test_every_message_of_ours_is_translated(tmp_path, settings, monkeypatch):
    """makemessages on a copy of the tree finds no msgid without Vietnamese.

    makemessages writes preprocessed copies of templates next to them and the
    catalogue into the first locale folder, so it runs on a copy (about 5 s).
    """
    tree = tmp_path / "tree"
    _copy_sources(tree)
    catalogue = tree / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, catalogue)
    settings.LOCALE_PATHS = [tree / "locale"]
    monkeypatch.chdir(tree)

    call_command(
        "makemessages",
        locale=["vi"],
        domain="django",
        no_obsolete=True,
        verbosity=0,
        ignore_patterns=sorted(NOT_OURS - {"locale"}),
    )

    entries = read_po(catalogue)
    assert len(entries) > 100, "makemessages found almost nothing: the copy is wrong"
    missing = untranslated(entries)
    assert not missing, (
        f"{len(missing)} message(s) have no Vietnamese in "
        f"{CATALOGUE.relative_to(BASE_DIR)} (regenerate it with makemessages, "
        "translate, compile):\n  " + "\n  ".join(describe(e) for e in missing)
    )


def test_committed_catalogue_is_complete_and_compiled():
    """The .po has no gap or fuzzy entry, and the .mo holds exactly the .po."""
    entries = read_po(CATALOGUE)
    assert not untranslated(entries), [describe(e) for e in untranslated(entries)]
    assert COMPILED.exists(), "compile the catalogue: compilemessages -l vi"
    with COMPILED.open("rb") as fp:
        compiled = gettext_module.GNUTranslations(fp)
    assert compiled.plural(1) == compiled.plural(5) == 0  # nplurals=1; plural=0
    for entry in entries:
        msgid = entry["msgid"]
        if entry.get("msgctxt"):
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        key = (msgid, 0) if entry.get("msgid_plural") else msgid
        assert compiled._catalog.get(key) == entry["msgstr"][0], (
            f"the .mo is out of date for {describe(entry)}: run compilemessages -l vi"
        )


@pytest.mark.skipif(
    not shutil.which("msgfmt") and os.environ.get("CI") != "true",
    reason="msgfmt is not installed",
)
def test_catalogue_passes_msgfmt_check(tmp_path):
    """Placeholders (%(name)s, %s) and plural forms agree with the English."""
    msgfmt = shutil.which("msgfmt")
    result = subprocess.run(  # noqa: S603 - GNU msgfmt on our own catalogue
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


KEY_STRINGS = {
    "Courses": "Khóa học",
    "My learning": "Khóa học của tôi",
    "Sign out": "Đăng xuất",
    "Sign in": "Đăng nhập",
    "Not started": "Chưa bắt đầu",
    "Completed": "Hoàn thành",
    "Overdue": "Quá hạn",
    "Agency manager": "Cán bộ đầu mối",
}


def test_key_strings_are_vietnamese_in_vi_and_english_in_en():
    with translation.override("vi"):
        assert {k: translation.gettext(k) for k in KEY_STRINGS} == KEY_STRINGS
        assert translation.ngettext(
            "%(counter)s lesson", "%(counter)s lessons", 1
        ) == translation.ngettext("%(counter)s lesson", "%(counter)s lessons", 5)
        # A learner is "đang học"; Wagtail's workflow state keeps its own word.
        assert translation.pgettext("learning status", "In progress") == "Đang học"
        assert translation.pgettext("attempt state", "In progress") == "Đang làm bài"
        assert translation.gettext("In progress") != "Đang học"
    with translation.override("en"):
        assert {k: translation.gettext(k) for k in KEY_STRINGS} == {
            k: k for k in KEY_STRINGS
        }


def test_pages_come_out_in_the_chosen_language(rf):
    """The site frame and a page of ours, rendered as a visitor gets them."""
    request = rf.get("/missing/")
    request.user = AnonymousUser()
    with translation.override("vi"):
        html = render_to_string("404.html", request=request)
    assert '<html lang="vi">' in html
    for text in (
        "Bồi dưỡng người phát ngôn",
        ">Khóa học</a>",
        ">Đăng nhập</a>",
        "Không tìm thấy trang",
        "Sở Thông tin và Truyền thông tỉnh Quảng Ngãi",
    ):
        assert text in html
    assert "Spokesperson training" not in html and "Page not found" not in html

    with translation.override("en"):
        html = render_to_string("404.html", request=request)
    assert '<html lang="en">' in html
    assert "Spokesperson training" in html and "Page not found" in html
    assert "Bồi dưỡng người phát ngôn" not in html
