from django import template

from courses.blocks import media_type as document_media_type

register = template.Library()


@register.filter
def media_type(document) -> str:
    return document_media_type(document)
