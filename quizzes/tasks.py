from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from accounts.links import absolute_url

from .models import EssayResponse


@task()
def notify_essay_graded(response_id: int) -> bool:
    """Email the learner, in their language, that their written answer was graded."""
    response = (
        EssayResponse.objects.select_related("attempt__learner", "attempt__quiz")
        .filter(pk=response_id, graded_at__isnull=False)
        .first()
    )
    if response is None or not response.attempt.learner.is_active:
        return False
    learner = response.attempt.learner
    with translation.override(learner.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "learner": learner,
            "response": response,
            "attempt": response.attempt,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "result_url": absolute_url(
                reverse("quizzes:attempt_result", args=[response.attempt_id])
            ),
        }
        subject = " ".join(
            render_to_string("quizzes/email/essay_graded_subject.txt", context).split()
        )
        body = render_to_string("quizzes/email/essay_graded_message.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [learner.email]).send()
    return True
