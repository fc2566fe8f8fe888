from django import template
from django.utils.safestring import mark_safe

from config.sanitise import sanitise_html
from courses.models import LessonPage

from ..selectors import quiz_status

register = template.Library()


def _slot(context, quiz, *, place: str, intro_url_name: str, place_id, **extra):
    request = context.get("request")
    user = getattr(request, "user", None)
    data = {
        "quiz": quiz,
        "request": request,
        "status": None,
        "intro_url_name": intro_url_name,
        "place_id": place_id,
        **extra,
    }
    if quiz is not None and user is not None and user.is_authenticated and place_id:
        data["status"] = quiz_status(
            learner=user, quiz=quiz, context=f"{place}:{place_id}"
        )
    return data


@register.inclusion_tag("quizzes/includes/quiz_slot.html", takes_context=True)
def quiz_slot(context, quiz, introduction=""):
    """A lesson's quiz: the learner's status and start or resume link (2 queries)."""
    page = context.get("page")
    lesson_id = page.pk if isinstance(page, LessonPage) else None
    return _slot(
        context,
        quiz,
        place="lesson",
        intro_url_name="quizzes:lesson_quiz",
        place_id=lesson_id,
        introduction=introduction,
        heading=True,
    )


@register.inclusion_tag("quizzes/includes/quiz_slot.html", takes_context=True)
def final_quiz_slot(context, course):
    """A course's final quiz, for the course page (two queries)."""
    return _slot(
        context,
        course.final_quiz if course.final_quiz_id else None,
        place="final",
        intro_url_name="quizzes:final_quiz",
        place_id=course.pk,
        introduction="",
        heading=True,
        is_final=True,
    )


@register.filter
def sanitised(value) -> str:
    """Learner HTML, cleaned again as it is shown (it was cleaned when saved too)."""
    return mark_safe(sanitise_html(value))  # noqa: S308 - sanitise_html made it safe
