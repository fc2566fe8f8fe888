from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .roles import ADMINISTRATOR, role_of


class PreferredLanguageMiddleware:
    """Use a signed-in person's preferred language unless they chose one by cookie.

    The language switch (Django's ``set_language``) sets the cookie; a sign-in
    stores the person's preference in it so later requests keep it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and not cookie:
            language = user.preferred_language
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        changed = getattr(request, "preferred_language_changed", None)
        if changed:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                changed,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
        return response


class MfaRequiredMiddleware:
    """With MFA_REQUIRED_FOR_ADMINISTRATORS, administrators set up TOTP before all else.

    A superuser or Administrator-group member without an active TOTP
    authenticator is sent to the TOTP activation page from every URL except
    the two-factor pages, sign-out, reauthentication, email verification (an
    unverified address blocks adding an authenticator) and static files.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_REQUIRED_FOR_ADMINISTRATORS and self._must_set_up(request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _exempt_prefixes():
        return (
            reverse("mfa_index"),
            reverse("account_logout"),
            reverse("account_reauthenticate"),
            reverse("account_email"),
            # Also the prefix of every confirm-email link.
            reverse("account_email_verification_sent"),
            reverse("wagtailadmin_logout"),
            settings.STATIC_URL,
            settings.MEDIA_URL,
        )

    def _must_set_up(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(self._exempt_prefixes()):
            return False
        if role_of(user) != ADMINISTRATOR:
            return False
        return not is_mfa_enabled(user, [Authenticator.Type.TOTP])
