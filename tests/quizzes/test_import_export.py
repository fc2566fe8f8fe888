"""Bank import and export: services, commands, admin upload → preview → confirm."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from quizzes.formats import ParseError
from quizzes.importing import (
    ensure_category,
    export_gift,
    import_questions,
    parse_file,
    question_to_parsed,
)
from quizzes.models import Question, QuestionCategory

pytestmark = pytest.mark.django_db

GIFT = (Path(__file__).parent / "bank.gift").read_text(encoding="utf-8")


def test_import_creates_categories_and_every_type():
    result = parse_file(GIFT, "gift")
    assert result.errors == []
    saved = import_questions(questions=result.questions, category_path="Mặc định")
    assert [q.type for q in saved] == [
        "single",
        "multiple",
        "truefalse",
        "short",
        "matching",
        "essay",
        "ordering",
    ]
    paths = set(QuestionCategory.objects.values_list("path", flat=True))
    assert {"Phát ngôn", "Phát ngôn/Cơ bản", "Phát ngôn/Nâng cao"} <= paths
    essay = Question.objects.get(name="Thông cáo")
    assert essay.mark == Decimal("4") and essay.word_limit == 150
    assert essay.rubric_total() == Decimal("4")
    assert essay.revisions.count() == 1  # revisions are kept from the first save


def test_questions_without_category_line_go_to_the_chosen_category():
    result = parse_file("Câu hỏi {T}", "gift")
    (question,) = import_questions(
        questions=result.questions, category_path="Chung/Thử"
    )
    assert question.category.path == "Chung/Thử"


def test_export_then_import_gives_the_same_questions():
    first = import_questions(
        questions=parse_file(GIFT, "gift").questions, category_path="Mặc định"
    )
    before = [question_to_parsed(q) for q in first]
    text = export_gift(category=QuestionCategory.objects.get(path="Phát ngôn"))
    # Import into an empty bank.
    Question.objects.all().delete()
    result = parse_file(text, "gift")
    assert result.errors == []
    again = import_questions(questions=result.questions, category_path="Khác")
    after = [question_to_parsed(q) for q in again]
    key = lambda q: (q.category, q.name)  # noqa: E731
    assert sorted(after, key=key) == sorted(before, key=key)


def test_round_trip_keeps_defaults_and_all_or_nothing_scoring(category):
    from tests.factories import make_question

    make_question(
        category,
        "multiple",
        name="Mặc định",
        scoring="all",
        options=[("A", True), ("B", True), ("C", False)],
    )
    make_question(
        category,
        "short",
        name="Không dấu",
        ignore_diacritics=True,
        options=[("Đà Nẵng", True)],
    )
    before = [question_to_parsed(q) for q in Question.objects.order_by("name")]
    text = export_gift(category=category)
    assert "// @ordering" not in text
    Question.objects.all().delete()
    import_questions(questions=parse_file(text, "gift").questions, category_path="X")
    after = [question_to_parsed(q) for q in Question.objects.order_by("name")]
    assert after == before


def test_ordering_is_exported_as_a_marked_comment(ordering, category):
    text = export_gift(category=category)
    (line,) = [row for row in text.splitlines() if "Trình tự họp báo" in row]
    assert line.startswith("// @ordering ::Trình tự họp báo::")


def test_import_command_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    call_command("import_questions", str(path), "--category", "Mặc định", "--dry-run")
    assert not Question.objects.exists()
    call_command("import_questions", str(path), "--category", "Mặc định")
    assert Question.objects.count() == 7


def test_import_command_with_errors_lists_them_and_imports_nothing(tmp_path, capsys):
    path = tmp_path / "bad.gift"
    path.write_text("Câu 1 {T}\n\nCâu 2 {=a ~b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_questions", str(path), "--category", "Mặc định")
    expected = ParseError(3, gettext("The answer section is not closed with '}'."))
    assert str(expected) in capsys.readouterr().err
    assert not Question.objects.exists()


def test_aiken_import_command(tmp_path):
    path = tmp_path / "bank.txt"
    path.write_text(
        "Ai phát ngôn?\nA. Người đứng đầu\nB. Phóng viên\nANSWER: A\n", encoding="utf-8"
    )
    call_command(
        "import_questions", str(path), "--format", "aiken", "--category", "Aiken/Thử"
    )
    question = Question.objects.get()
    assert question.category.path == "Aiken/Thử"
    assert [o.is_correct for o in question.options.all()] == [True, False]


def test_export_command_writes_a_file(tmp_path, single, category):
    output = tmp_path / "out.gift"
    call_command("export_questions", "--category", "Phát ngôn", "--output", str(output))
    text = output.read_text(encoding="utf-8")
    assert "$CATEGORY: Phát ngôn/Cơ bản" in text
    assert "::Người phát ngôn::" in text
    with pytest.raises(CommandError):
        call_command("export_questions", "--category", "Không có")


def test_ensure_category_reuses_existing_levels():
    a = ensure_category(path="A/B/C")
    b = ensure_category(path=" A / B / C ")
    assert a == b
    assert QuestionCategory.objects.count() == 3
    assert [c.path for c in QuestionCategory.objects.all()] == ["A", "A/B", "A/B/C"]


def test_renaming_a_category_moves_its_subtree():
    leaf = ensure_category(path="A/B/C")
    top = QuestionCategory.objects.get(path="A")
    top.name = "Z"
    top.save()
    leaf.refresh_from_db()
    assert leaf.path == "Z/B/C"


# The admin screens -------------------------------------------------------------


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def test_admin_import_preview_lists_questions_and_errors_then_saves_on_confirm(
    trainer_client,
):
    upload = SimpleUploadedFile("bank.gift", GIFT.encode("utf-8"))
    response = trainer_client.post(
        reverse("quizzes_import:upload"),
        {"file": upload, "format": "gift", "category": "Mặc định"},
    )
    assert response.status_code == 302
    preview = trainer_client.get(reverse("quizzes_import:preview"))
    html = preview.content.decode()
    for name in ("Người phát ngôn", "Hình thức", "Thông cáo", "Trình tự"):
        assert name in html
    assert not Question.objects.exists()
    token = trainer_client.session["quizzes_import"]["token"]
    assert (
        trainer_client.post(
            reverse("quizzes_import:preview"), {"token": "x"}
        ).status_code
        == 400
    )
    response = trainer_client.post(reverse("quizzes_import:preview"), {"token": token})
    assert response.status_code == 302
    assert Question.objects.count() == 7
    assert "quizzes_import" not in trainer_client.session


def test_admin_import_with_errors_cannot_be_confirmed(trainer_client):
    trainer_client.post(
        reverse("quizzes_import:upload"),
        {"text": "Câu 1 {T}\n\nCâu 2 {=a ~b\n", "format": "gift", "category": "X"},
    )
    html = trainer_client.get(reverse("quizzes_import:preview")).content.decode()
    assert "<td>3</td>" in html  # the line of the broken question
    assert escape(gettext("The answer section is not closed with '}'.")) in html
    token = trainer_client.session["quizzes_import"]["token"]
    trainer_client.post(reverse("quizzes_import:preview"), {"token": token})
    assert not Question.objects.exists()


def test_admin_export_downloads_gift(trainer_client, single, category):
    top = QuestionCategory.objects.get(path="Phát ngôn")
    response = trainer_client.get(reverse("quizzes_categories:export", args=[top.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "::Người phát ngôn::" in response.content.decode()


def test_agency_manager_cannot_import(client, agency_manager):
    client.force_login(agency_manager)
    assert client.get(reverse("quizzes_import:upload")).status_code == 403
