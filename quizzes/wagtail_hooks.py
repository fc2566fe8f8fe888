from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import (
    EssayResponse,
    Question,
    QuestionCategory,
    Quiz,
    QuizOverride,
    RegradeLog,
)
from .viewsets import QuizzesViewSetGroup

for model in (
    Quiz,
    Question,
    QuestionCategory,
    QuizOverride,
    EssayResponse,
    RegradeLog,
):
    register_permission_policy(model)


@hooks.register("register_admin_viewset")
def register_quizzes_viewsets():
    return QuizzesViewSetGroup()
