from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_logged_in)
def remember_language_on_login(sender, request, user, **kwargs):
    """After sign-in the interface speaks the person's preferred language."""
    if user.preferred_language:
        translation.activate(user.preferred_language)
        request.preferred_language_changed = user.preferred_language
