from django import template

from courses.blocks import media_type as document_media_type

register = template.Library()


@register.filter
def media_type(document) -> str:
    return document_media_type(document)


@register.inclusion_tag("courses/includes/progress_bar.html")
def progress_bar(percent, done, total, name):
    """The progress bar of the course, lesson and My learning pages."""
    return {"percent": percent, "done": done, "total": total, "name": name}
