from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Where a new address comes in: self-registration and adding an address.
# A password reset also passes through clean_email and must work for every
# existing account, whatever its domain.
DOMAIN_CHECKED_VIEWS = {"account_signup", "account_email"}


def email_domain_allowed(email: str) -> bool:
    """With SIGNUP_EMAIL_DOMAINS set, only addresses at those domains may register."""
    domains = settings.SIGNUP_EMAIL_DOMAINS
    if not domains:
        return True
    domain = email.rpartition("@")[2].lower()
    return domain in domains


class AccountAdapter(DefaultAccountAdapter):
    """Self-registration is off unless SIGNUP_OPEN; then limited to listed domains."""

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN

    def clean_email(self, email):
        email = super().clean_email(email)
        match = getattr(self.request, "resolver_match", None)
        if (
            match is not None
            and match.url_name in DOMAIN_CHECKED_VIEWS
            and not email_domain_allowed(email)
        ):
            raise ValidationError(
                _("Registration is open to addresses at %(domains)s only.")
                % {"domains": ", ".join(settings.SIGNUP_EMAIL_DOMAINS)}
            )
        return email
