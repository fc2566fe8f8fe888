"""Question bank, quiz and course builders for the quiz tests."""

import itertools
from decimal import Decimal

import pytest

from courses.models import CourseIndexPage, CoursePage, LessonPage
from courses.services import enrol_learner
from quizzes.importing import ensure_category
from quizzes.models import Option, Question, Quiz, QuizSlot, RubricCriterion

_seq = itertools.count(1)


def make_question(category, type, *, options=(), rubric=(), **fields):
    """options: (text, is_correct) pairs, or dicts of Option fields."""
    fields.setdefault("name", f"Câu hỏi {next(_seq)}")
    fields.setdefault("text", f"Nội dung câu hỏi {fields['name']}")
    question = Question(category=category, type=type, **fields)
    question.options = [
        Option(
            sort_order=i,
            **(o if isinstance(o, dict) else {"text": o[0], "is_correct": o[1]}),
        )
        for i, o in enumerate(options)
    ]
    question.rubric_criteria = [
        RubricCriterion(sort_order=i, title=t, points=Decimal(p), description=d)
        for i, (t, p, d) in enumerate(rubric)
    ]
    question.save()
    return question


def make_quiz(questions=(), *, random_from=None, draw=1, **fields):
    fields.setdefault("title", f"Bài kiểm tra {next(_seq)}")
    fields.setdefault("shuffle_options", True)
    quiz = Quiz(**fields)
    slots = [QuizSlot(question=q, sort_order=i) for i, q in enumerate(questions)]
    if random_from is not None:
        slots.append(
            QuizSlot(category=random_from, draw_count=draw, sort_order=len(slots))
        )
    quiz.slots = slots
    quiz.save()
    return quiz


def set_lesson_quiz(lesson, quiz):
    lesson.body = [
        {"type": "text", "value": "<p>Nội dung bài học.</p>"},
        {"type": "quiz", "value": {"quiz": quiz.pk, "introduction": "Kiểm tra nhanh."}},
    ]
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


@pytest.fixture
def category(db):
    return ensure_category(path="Phát ngôn/Cơ bản")


@pytest.fixture
def single(category):
    return make_question(
        category,
        "single",
        name="Người phát ngôn",
        text="Ai phát ngôn cho cơ quan hành chính nhà nước?",
        general_feedback="Điều 2 Nghị định 09/2017/NĐ-CP.",
        options=[
            {
                "text": "Người đứng đầu cơ quan",
                "is_correct": True,
                "feedback": "FB-DUNG-1",
            },
            {"text": "Bất kỳ cán bộ nào", "is_correct": False, "feedback": "FB-SAI-1"},
            {
                "text": "Phóng viên thường trú",
                "is_correct": False,
                "feedback": "FB-SAI-2",
            },
        ],
    )


@pytest.fixture
def multiple(category):
    return make_question(
        category,
        "multiple",
        name="Hình thức cung cấp thông tin",
        text="Những hình thức nào là hình thức cung cấp thông tin cho báo chí?",
        scoring="partial",
        options=[
            ("Họp báo", True),
            ("Đăng trên cổng thông tin điện tử", True),
            ("Tin đồn trên mạng xã hội", False),
        ],
    )


@pytest.fixture
def truefalse(category):
    return make_question(
        category,
        "truefalse",
        name="Không bình luận",
        text="“Không bình luận” là một câu trả lời tốt.",
        true_false_answer=False,
        feedback_true="FB-TF-TRUE",
        feedback_false="FB-TF-FALSE",
    )


@pytest.fixture
def short(category):
    return make_question(
        category,
        "short",
        name="Số nghị định",
        text="Nghị định về phát ngôn năm 2017 có số hiệu là gì?",
        ignore_diacritics=True,
        options=[{"text": "09/2017/NĐ-CP", "feedback": "FB-SHORT"}],
    )


@pytest.fixture
def matching(category):
    return make_question(
        category,
        "matching",
        name="Ghép văn bản",
        text="Ghép văn bản với nội dung.",
        options=[
            {"text": "Nghị định 09/2017", "match_text": "Phát ngôn"},
            {"text": "Nghị định 72/2015", "match_text": "Thông tin đối ngoại"},
            {"text": "Luật Báo chí 2025", "match_text": "Nghĩa vụ cung cấp thông tin"},
        ],
    )


@pytest.fixture
def ordering(category):
    return make_question(
        category,
        "ordering",
        name="Trình tự họp báo",
        text="Sắp xếp các bước.",
        options=[
            {"text": "Chuẩn bị thông điệp chính"},
            {"text": "Phát biểu mở đầu"},
            {"text": "Trả lời câu hỏi"},
        ],
    )


@pytest.fixture
def essay(category):
    return make_question(
        category,
        "essay",
        name="Soạn thông cáo",
        text="Soạn một thông cáo báo chí ngắn.",
        mark=Decimal("4"),
        word_limit=50,
        rubric=[("Chính xác", "2", "Nêu rõ nguồn"), ("Ngắn gọn", "2", "Dưới 50 từ")],
    )


@pytest.fixture
def all_questions(single, multiple, truefalse, short, matching, ordering, essay):
    return [single, multiple, truefalse, short, matching, ordering, essay]


@pytest.fixture
def course_tree(site_root):
    index = site_root.add_child(
        instance=CourseIndexPage(title="Khóa học", slug="khoa-hoc")
    )
    course = index.add_child(
        instance=CoursePage(
            title="Kỹ năng phát ngôn", slug="ky-nang", summary="Minh họa."
        )
    )
    lesson = course.add_child(
        instance=LessonPage(
            title="Bài 1",
            slug="bai-1",
            body=[{"type": "text", "value": "<p>Nội dung.</p>"}],
        )
    )
    return course, lesson


@pytest.fixture
def auto_quiz(single, multiple, truefalse, short, matching, ordering):
    """Every automatically graded type, one page each."""
    return make_quiz(
        [single, multiple, truefalse, short, matching, ordering], pass_mark=50
    )


@pytest.fixture
def lesson(course_tree, auto_quiz):
    _course, lesson = course_tree
    return set_lesson_quiz(lesson, auto_quiz)


@pytest.fixture
def enrolment(learner, course_tree):
    course, _lesson = course_tree
    return enrol_learner(learner=learner, course=course)


def answers_for(attempt, *, right=True):
    """POST data answering every question of an attempt from its snapshot."""
    data = {}
    for snap in attempt.questions:
        key = snap["key"]
        options = snap["options"]
        if snap["type"] in ("single", "truefalse"):
            pick = [o for o in options if (Decimal(o["credit"]) == 100) == right]
            data[key] = pick[0]["token"]
        elif snap["type"] == "multiple":
            data[key] = [
                o["token"] for o in options if (Decimal(o["credit"]) > 0) == right
            ]
        elif snap["type"] == "short":
            data[key] = options[0]["text"] if right else "sai"
        elif snap["type"] == "matching":
            choices = [c["token"] for c in snap["choices"]]
            for o in options:
                wrong = next(c for c in choices if c != o["match"])
                data[f"{key}-{o['token']}"] = o["match"] if right else wrong
        elif snap["type"] == "ordering":
            order = snap["correct_order"]
            n = len(order)
            for place, token in enumerate(order, start=1):
                data[f"{key}-{token}"] = str(place if right else n + 1 - place)
        elif snap["type"] == "essay":
            data[key] = "Sở Thông tin và Truyền thông xác nhận thông tin."
    return data
