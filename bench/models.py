"""The baseline: a plain Wagtail page with a rich-text body and nothing else."""

from wagtail.fields import RichTextField
from wagtail.models import Page


class PlainPage(Page):
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + ["body"]
