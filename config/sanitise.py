"""The one place HTML from people becomes safe to show.

Learners' essay answers (quizzes imports this) are sanitised here. Wagtail's
rich text editor already limits what trainers write; lesson rich text is
sanitised again when saved (courses.blocks.LessonTextBlock), because content
also arrives by import or the API, and saving is rarer than showing.
"""

import re

import bleach

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "cite",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "h2",
        "h3",
        "h4",
        "hr",
        "i",
        "ins",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "lang"],
    "abbr": ["title"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "*": ["lang", "dir"],
}
SAFE_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})

# bleach strips a forbidden tag but keeps its text; for these the text is code.
_DROP_WITH_CONTENT = re.compile(
    r"<(script|style|template|iframe|object|noscript)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\xa0`]+")


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if (
        name not in ALLOWED_ATTRIBUTES.get(tag, ())
        and name not in ALLOWED_ATTRIBUTES["*"]
    ):
        return False
    if name == "href":
        # bleach lets "javascript:1" through (urlparse reads it as host:port).
        scheme = _SCHEME.match(_IGNORED_IN_SCHEME.sub("", value).lower())
        return scheme is None or scheme.group(1) in SAFE_PROTOCOLS
    return True


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=SAFE_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


# Wagtail stores rich text with internal links as <a linktype="page" id="3">.
def _allow_stored_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name in ("linktype", "id"):
        return True
    return _allow_attribute(tag, name, value)


def sanitise_html(value: str) -> str:
    """Keep allow-listed tags, attributes and link schemes; drop everything else."""
    if not value:
        return ""
    return _cleaner.clean(_DROP_WITH_CONTENT.sub("", str(value)))


_stored_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_stored_attribute,
    protocols=SAFE_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def sanitise_rich_text(value: str) -> str:
    """The same allow-list for rich text as Wagtail stores it (internal links kept)."""
    if not value:
        return ""
    return _stored_cleaner.clean(_DROP_WITH_CONTENT.sub("", str(value)))
