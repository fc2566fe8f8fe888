from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from .invitations import invitation_url
from .links import absolute_url
from .models import User


@task()
def send_invitation(user_id: int) -> bool:
    """Email a new person, in their language, a link to set a password; note when."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "invitation_url": invitation_url(user),
            "login_url": absolute_url(reverse("account_login")),
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        }
        subject = " ".join(
            render_to_string("accounts/email/invitation_subject.txt", context).split()
        )
        body = render_to_string("accounts/email/invitation_message.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    User.objects.filter(pk=user.pk).update(invited_at=timezone.now())
    return True
