from django import template
from django.utils.safestring import mark_safe
from wagtail.templatetags.wagtailcore_tags import richtext

from courses.blocks import media_type as document_media_type
from courses.sanitise import sanitise_html

register = template.Library()


@register.filter
def sanitised_richtext(value) -> str:
    """Wagtail rich text, expanded, then through the site's one sanitiser."""
    return mark_safe(sanitise_html(richtext(value)))  # noqa: S308 - sanitised above


@register.filter
def media_type(document) -> str:
    return document_media_type(document)
