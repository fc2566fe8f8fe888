from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """Links in emails sent outside a request start from the site's public base URL."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def invitation_url(user) -> str:
    """The absolute link to allauth's "set a new password" page for this person."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return absolute_url(path)
