"""Authoring in the Wagtail admin: menus, listings, the question form's rules,
item analysis, overrides and the role permissions the data migration grants."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from wagtail.snippets.models import get_snippet_models

from accounts.roles import ADMINISTRATOR, GROUP_NAMES, TRAINER
from quizzes.models import Question, Quiz, QuizOverride
from quizzes.services import save_answers, start_attempt, submit_attempt
from tests.factories import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def test_quiz_and_question_are_snippets_for_the_lesson_chooser():
    reverse("wagtailadmin_home")  # loads the admin URLs, which register viewsets
    assert Quiz in get_snippet_models() and Question in get_snippet_models()


def test_role_groups_get_quiz_permissions():
    trainer = Group.objects.get(name=GROUP_NAMES[TRAINER])
    codenames = set(trainer.permissions.values_list("codename", flat=True))
    assert {
        "add_question",
        "change_question",
        "delete_question",
        "view_quiz",
    } <= codenames
    assert {"change_essayresponse", "add_quizoverride"} <= codenames
    assert "delete_quiz" not in codenames
    administrator = Group.objects.get(name=GROUP_NAMES[ADMINISTRATOR])
    admin_codenames = set(administrator.permissions.values_list("codename", flat=True))
    assert {
        "delete_quiz",
        "delete_questioncategory",
        "delete_attempt",
    } <= admin_codenames


@pytest.mark.parametrize(
    "url_name",
    [
        "quizzes_quizzes:list",
        "quizzes_questions:list",
        "quizzes_categories:index",
        "quizzes_import:upload",
        "quizzes_essays:index",
        "quizzes_overrides:index",
        "quizzes_regrades:index",
    ],
)
def test_trainer_opens_every_quizzes_screen(trainer_client, all_questions, url_name):
    assert trainer_client.get(reverse(url_name)).status_code == 200


def test_admin_menu_has_one_quizzes_group(trainer_client):
    html = trainer_client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("quizzes_questions:list") in html
    assert reverse("quizzes_essays:index") in html


def test_question_listing_filters_by_category_subtree(trainer_client, single, category):
    from quizzes.models import QuestionCategory

    top = QuestionCategory.objects.get(path="Phát ngôn")
    html = trainer_client.get(
        reverse("quizzes_questions:list"), {"category": top.pk}
    ).content.decode()
    assert "Người phát ngôn" in html


def question_post(category, qtype, options, **extra):
    data = {
        "type": qtype,
        "category": category.pk,
        "name": "Câu mới",
        "text": "Nội dung",
        "mark": "1",
        "scoring": "all",
        "general_feedback": "",
        "true_false_answer": "on",
        "feedback_true": "",
        "feedback_false": "",
        "word_limit": "",
        "grader_info": "",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
        "rubric_criteria-TOTAL_FORMS": "0",
        "rubric_criteria-INITIAL_FORMS": "0",
        "rubric_criteria-MIN_NUM_FORMS": "0",
        "rubric_criteria-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (text, correct) in enumerate(options):
        data.update(
            {
                f"options-{i}-text": text,
                f"options-{i}-match_text": "",
                f"options-{i}-feedback": "",
                f"options-{i}-credit": "",
                f"options-{i}-ORDER": str(i + 1),
                f"options-{i}-DELETE": "",
                f"options-{i}-id": "",
            }
        )
        if correct:
            data[f"options-{i}-is_correct"] = "on"
    return data


def test_admin_form_refuses_a_single_choice_without_one_right_option(
    trainer_client, category
):
    url = reverse("quizzes_questions:add")
    response = trainer_client.post(
        url, question_post(category, "single", [("A", False), ("B", False)])
    )
    assert response.status_code == 200
    assert (
        escape(gettext("Tick exactly one right option.")) in response.content.decode()
    )
    assert not Question.objects.exists()
    response = trainer_client.post(
        url, question_post(category, "single", [("A", True), ("B", False)])
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert [o.is_correct for o in question.options.all()] == [True, False]
    assert question.revisions.count() == 1


def test_editing_a_question_keeps_revisions_and_bumps_the_version(
    trainer_client, single
):
    data = question_post(single.category, "single", [("Mới", True), ("Cũ", False)])
    data["name"] = single.name
    response = trainer_client.post(
        reverse("quizzes_questions:edit", args=[single.pk]), data
    )
    assert response.status_code == 302
    single.refresh_from_db()
    assert single.version == 2
    assert single.revisions.count() == 1


def test_item_analysis_counts_answers_and_options(
    trainer_client, trainee, enrolment, lesson
):
    from courses.selectors import lesson_quiz

    quiz = lesson_quiz(lesson)
    attempt = start_attempt(
        learner=trainee, quiz=quiz, enrolment=enrolment, lesson=lesson
    )
    save_answers(attempt=attempt, learner=trainee, data=answers_for(attempt), page=1)
    submit_attempt(attempt=attempt, learner=trainee)
    response = trainer_client.get(reverse("quizzes_quizzes:analysis", args=[quiz.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Người đứng đầu cơ quan: 1 (100%)" in html
    assert "Bất kỳ cán bộ nào: 0 (0%)" in html


def test_override_records_who_created_it(trainer_client, trainer, trainee, auto_quiz):
    response = trainer_client.post(
        reverse("quizzes_overrides:add"),
        {
            "quiz": auto_quiz.pk,
            "learner": trainee.pk,
            "extra_minutes": "15",
            "extra_attempts": "1",
            "opens_at": "",
            "closes_at": "",
            "reason": "Mất điện",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    override = QuizOverride.objects.get()
    assert override.created_by == trainer and override.extra_minutes == 15


def test_agency_manager_has_no_quiz_authoring(client, agency_manager):
    client.force_login(agency_manager)
    for name in ("quizzes_questions:list", "quizzes_quizzes:list"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403)
