"""The quizzes demo: every question type, quizzes in lessons, an essay to grade."""

import pytest
from django.core.management import call_command

from courses.models import CoursePage, LessonPage
from quizzes import demo_data
from quizzes.models import Attempt, EssayResponse, Question, Quiz

pytestmark = pytest.mark.django_db


def test_demo_is_complete_and_safe_to_run_twice(site_root):
    call_command("load_demo_data", verbosity=0)
    counts = (Question.objects.count(), Quiz.objects.count(), Attempt.objects.count())
    call_command("load_demo_data", verbosity=0)
    assert (
        Question.objects.count(),
        Quiz.objects.count(),
        Attempt.objects.count(),
    ) == counts
    assert set(Question.objects.values_list("type", flat=True)) == {
        t.value for t in Question.Type
    }
    with_quiz = [lesson for lesson in LessonPage.objects.live() if lesson.has_quiz]
    courses = {lesson.get_course().slug for lesson in with_quiz}
    assert courses == {demo_data.SPEAKING_COURSE, demo_data.FOREIGN_COURSE}
    speaking = CoursePage.objects.get(slug=demo_data.SPEAKING_COURSE)
    assert speaking.final_quiz is not None
    essay = EssayResponse.objects.get()
    assert essay.graded_at is None
    assert essay.attempt.learner.email == demo_data.DEMO_TRAINEE
    assert essay.attempt.state == Attempt.State.AWAITING_GRADING


def test_demo_without_courses_only_fills_the_bank(db):
    steps = list(demo_data.load())
    assert "not there yet" in steps[-1]
    assert Question.objects.exists() and not Quiz.objects.exists()
