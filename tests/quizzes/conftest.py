"""Questions of every type, a quiz of them and a lesson that holds it.

The course, the trainee and their enrolment come from tests/conftest.py.
"""

from decimal import Decimal

import pytest

from quizzes.importing import ensure_category
from tests.factories import make_question, make_quiz, set_lesson_quiz


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
def auto_quiz(single, multiple, truefalse, short, matching, ordering):
    """Every automatically graded type, one page each."""
    return make_quiz(
        [single, multiple, truefalse, short, matching, ordering], pass_mark=50
    )


@pytest.fixture
def lesson(course, auto_quiz):
    """The course's first lesson (tests/conftest.py), with auto_quiz in it."""
    return set_lesson_quiz(course.lessons().first(), auto_quiz)
