from allauth.account import app_settings
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from .links import absolute_url


def invitation_url(user) -> str:
    """The absolute link to allauth's "set a new password" page for this person."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            # The generator allauth's own reset form uses (allauth.account.forms
            # builds it the same way), without importing its forms module.
            "key": app_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user),
        },
    )
    return absolute_url(path)
