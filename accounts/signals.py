from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_logged_in)
def remember_language_on_login(sender, request, user, **kwargs):
    """After sign-in the interface speaks the person's preferred language."""
    if user.preferred_language:
        translation.activate(user.preferred_language)
        request.preferred_language_changed = user.preferred_language


@receiver(password_reset)
def verify_address_on_password_reset(sender, request, user, **kwargs):
    """Setting a password from an emailed link proves the person reads that address.

    This is how an imported person's invitation verifies their address.
    """
    EmailAddress.objects.filter(user=user, email__iexact=user.email).update(
        verified=True
    )
