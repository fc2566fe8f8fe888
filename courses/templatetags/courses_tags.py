import hashlib
import json
from html import escape

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from courses.blocks import media_type as document_media_type

register = template.Library()

LESSON_BODY_SECONDS = 10 * 60


@register.filter
def media_type(document) -> str:
    return document_media_type(document)


@register.simple_tag
def outline_items(state):
    """The course outline's list items, built in Python.

    The outline is the hot loop of the course page: about a dozen template
    lookups per lesson, each of which costs more in Django's template engine
    (or in format_html) than the whole item does here. Same markup as a
    template would write; every value goes through html.escape, which is what
    Django's own escape calls.
    """
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(_outline_item(item, state.lock_reason) for item in state.items)
    )


def _outline_item(item, course_lock: str) -> str:
    title = escape(item.title)
    if item.is_module:
        return (
            f'<li class="outline__module" id="module-{item.pk}"><h3>{title}</h3></li>'
        )
    status = item.status
    if item.locked_reason:
        title = f'<span class="outline__title">{title}</span>'
    else:
        title = f'<a class="outline__title" href="{escape(item.url)}">{title}</a>'
    meta = (
        f'<span class="status status--{status}"><span aria-hidden="true">'
        f"{item.status_glyph}</span> {escape(item.status_label)}</span>"
    )
    if item.estimated_minutes:
        meta += f"<span>{escape(item.minutes_label)}</span>"
    if not item.is_required:
        meta += f'<span class="badge">{escape(_("Optional"))}</span>'
    reason = ""
    if item.locked_reason and item.locked_reason != course_lock:
        reason = f'<span class="outline__reason">{escape(item.locked_reason)}</span>'
    return (
        f'<li class="outline__lesson outline__lesson--{status}">{title}'
        f'<span class="outline__meta">{meta}</span>{reason}</li>'
    )


@register.simple_tag(takes_context=True)
def lesson_body(context, page):
    """The lesson's blocks, as {% include_block %} renders them, cached.

    The blocks (all but the quiz slot) render from their own value alone, the
    same for every learner, so the HTML is cached under a hash of the body's
    content and the language: an edited lesson gets a new key and is never
    served stale. A body with a quiz slot, which shows the learner's own
    attempts, is rendered every time. What can age, for at most
    LESSON_BODY_SECONDS, is the address of a page, image or document the text
    links to when that moves.
    """
    body = page.body
    if page.has_quiz:
        return _render_blocks(body, context)
    content = json.dumps(list(body.raw_data), separators=(",", ":"))
    digest = hashlib.blake2b(content.encode(), digest_size=16).hexdigest()
    key = f"courses:lesson-body:{digest}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = _render_blocks(body, context)
        cache.set(key, html, LESSON_BODY_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by the blocks' own templates


def _render_blocks(body, context) -> str:
    values = context.flatten()  # what {% include_block %} passes each block
    return mark_safe(  # noqa: S308 - each block's template escapes its values
        "".join(block.render_as_block(values) for block in body)
    )


@register.simple_tag
def progress_bar(percent, done, total, name):
    """The progress bar of the course, lesson and My learning pages.

    Built in Python like the outline: on a page it is two plural translations
    with numbers, which Django's blocktranslate localises one by one, at more
    cost than the rest of the bar. The counts are small whole numbers, written
    the same in both languages.
    """
    text = _("%(percent)s%% complete") % {"percent": percent}
    if total:
        text += " · " + ngettext(
            "%(done)s of %(total)s required lesson done",
            "%(done)s of %(total)s required lessons done",
            total,
        ) % {"done": done, "total": total}
    label = escape(f"progress-{name}")
    return mark_safe(  # noqa: S308 - the text and id are escaped
        f'<div class="progress"><progress max="100" value="{int(percent)}"'
        f' aria-labelledby="{label}"></progress>'
        f'<p class="progress__text" id="{label}">{escape(text)}</p></div>'
    )
