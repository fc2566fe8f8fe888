"""Absolute links for emails and PDFs, which are made outside a request."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """Links in emails sent outside a request start from the site's public base URL."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path
