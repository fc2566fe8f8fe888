from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site's front page, edited by editors in Wagtail."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul", "h2", "h3"],
    )

    content_panels = Page.content_panels + ["intro"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
