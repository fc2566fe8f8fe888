from datetime import timedelta

from allauth.account.forms import EmailAwarePasswordResetTokenGenerator
from django.conf import settings
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationAwareTokenGenerator(EmailAwarePasswordResetTokenGenerator):
    """allauth's reset tokens, valid longer for an invited person not yet signed in.

    The invitation email links to the stock "set a new password" page, so the
    invitation and the reset share one token format. A token still dies as soon
    as the person sets a password or signs in (both are part of its hash).
    """

    def max_age_seconds(self, user) -> int:
        if getattr(user, "invited_at", None) and user.last_login is None:
            days = getattr(settings, "INVITATION_MAX_AGE_DAYS", 14)
            return max(
                int(timedelta(days=days).total_seconds()),
                settings.PASSWORD_RESET_TIMEOUT,
            )
        return settings.PASSWORD_RESET_TIMEOUT

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(
                self._make_token_with_timestamp(user, timestamp, secret), token
            )
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= self.max_age_seconds(user)
