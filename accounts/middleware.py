from django.conf import settings
from django.utils import translation


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
