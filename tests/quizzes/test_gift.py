"""GIFT and Aiken parsing: every supported feature; malformed files with lines."""

from decimal import Decimal

import pytest
from django.utils import translation

from quizzes.formats import (
    ParsedOption,
    ParsedQuestion,
    parse_aiken,
    parse_gift,
    write_gift,
)

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched by their English source text."""
    with translation.override("en"):
        yield


def one(text):
    result = parse_gift(text)
    assert result.errors == [], result.errors
    assert len(result.questions) == 1
    return result.questions[0]


def test_title_text_and_single_choice_with_feedback():
    q = one(
        "::Người phát ngôn:: Ai phát ngôn cho Bộ? {=Bộ trưởng#Đúng ~Phóng viên#Sai}"
    )
    assert (q.type, q.name, q.text) == (
        "single",
        "Người phát ngôn",
        "Ai phát ngôn cho Bộ?",
    )
    assert [(o.text, o.is_correct, o.feedback) for o in q.options] == [
        ("Bộ trưởng", True, "Đúng"),
        ("Phóng viên", False, "Sai"),
    ]


def test_name_defaults_to_the_text():
    assert one("Thủ đô của Việt Nam? {=Hà Nội ~Huế}").name == "Thủ đô của Việt Nam?"


def test_multiple_response_weights():
    q = one("Chọn các hình thức {\n~%50%Họp báo\n~%50%Thông cáo\n~%-100%Im lặng\n}")
    assert q.type == "multiple" and q.scoring == "partial"
    assert [(o.is_correct, o.credit) for o in q.options] == [
        (True, D(50)),
        (True, D(50)),
        (False, D(-100)),
    ]


def test_partial_credit_in_single_choice():
    q = one("Q {=Đúng ~%25%Gần đúng ~Sai}")
    assert q.type == "single"
    assert q.options[1].credit == D(25) and not q.options[1].is_correct


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)],
)
def test_true_false_forms(answer, expected):
    q = one(f"Phát ngôn là nghĩa vụ. {{{answer}}}")
    assert q.type == "truefalse"
    assert q.true_false_answer is expected


def test_true_false_feedback_wrong_then_right():
    q = one("Câu nói đúng. {TRUE#Chưa đúng.#Chính xác.}")
    assert (q.feedback_true, q.feedback_false) == ("Chính xác.", "Chưa đúng.")
    q = one("Câu nói sai. {F#Chưa đúng.#Chính xác.}")
    assert (q.feedback_true, q.feedback_false) == ("Chưa đúng.", "Chính xác.")


def test_short_answer_with_several_answers_and_weights():
    q = one("Số nghị định? {=09/2017/NĐ-CP =%50%09#Thiếu năm}")
    assert q.type == "short"
    assert [(o.text, o.credit, o.feedback) for o in q.options] == [
        ("09/2017/NĐ-CP", None, ""),
        ("09", D(50), "Thiếu năm"),
    ]


def test_matching_pairs():
    q = one("Ghép {\n=Nghị định 09 -> Phát ngôn\n=Nghị định 72 -> Đối ngoại\n}")
    assert q.type == "matching"
    assert [(o.text, o.match_text) for o in q.options] == [
        ("Nghị định 09", "Phát ngôn"),
        ("Nghị định 72", "Đối ngoại"),
    ]


def test_essay_and_general_feedback():
    q = one("Soạn thông cáo. {####Nêu rõ nguồn tin.}")
    assert q.type == "essay"
    assert q.general_feedback == "Nêu rõ nguồn tin."
    assert one("Soạn thông cáo. {}").type == "essay"


def test_general_feedback_on_choice_question():
    q = one("Q {=A ~B ####Giải thích chung}")
    assert q.general_feedback == "Giải thích chung"
    assert [o.text for o in q.options] == ["A", "B"]


def test_comments_are_ignored_and_questions_split_on_blank_lines():
    result = parse_gift(
        "// Bộ câu hỏi minh họa\n::A:: Câu 1 {T}\n\n// giữa\n\n::B:: Câu 2 {F}\n"
    )
    assert [q.name for q in result.questions] == ["A", "B"]
    assert [q.line for q in result.questions] == [2, 6]


def test_escapes():
    q = one(r"::Ký hiệu \: đặc biệt:: Dấu \{ \} \= \~ \# trong câu {=a\=b ~c\#d}")
    assert q.name == "Ký hiệu : đặc biệt"
    assert q.text == "Dấu { } = ~ # trong câu"
    assert [o.text for o in q.options] == ["a=b", "c#d"]


def test_escaped_newline_in_text():
    assert one(r"Dòng một\nDòng hai {T}").text == "Dòng một\nDòng hai"


def test_format_markers_store_plain_text():
    html = one("[html]<p>Đoạn <b>đậm</b> &amp; <script>x</script></p> {T}")
    assert html.text == "Đoạn đậm & x"
    assert one("[markdown]**Quan trọng** {T}").text == "**Quan trọng**"
    assert one("[plain]Văn bản thường {T}").text == "Văn bản thường"


def test_missing_word_format():
    q = one("Người phát ngôn {=phải ~không cần} cung cấp thông tin kịp thời.")
    assert q.text == "Người phát ngôn _____ cung cấp thông tin kịp thời."


def test_category_lines_apply_to_following_questions():
    result = parse_gift(
        "$CATEGORY: $course$/top/Phát ngôn/Cơ bản\n\nCâu 1 {T}\n\n"
        "$CATEGORY: Đối ngoại\n\nCâu 2 {F}\n"
    )
    assert [q.category for q in result.questions] == ["Phát ngôn/Cơ bản", "Đối ngoại"]


def test_ordering_comment_extension():
    q = one(
        "// @ordering ::Trình tự:: Sắp xếp {=Chuẩn bị =Phát biểu#Ngắn gọn =Trả lời}"
    )
    assert q.type == "ordering"
    assert [o.text for o in q.options] == ["Chuẩn bị", "Phát biểu", "Trả lời"]
    assert q.options[1].feedback == "Ngắn gọn"


def test_quizzes_meta_line_sets_what_gift_cannot():
    q = one(
        '// @quizzes {"mark": "4", "word_limit": 150, "rubric": '
        '[{"title": "Chính xác", "points": "2", "description": "Nêu nguồn"}]}\n'
        "Soạn thông cáo. {}"
    )
    assert q.mark == D(4) and q.word_limit == 150
    assert q.rubric[0].title == "Chính xác" and q.rubric[0].points == D(2)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("Câu 1 {T}\n\n::Tên:: Câu hỏi\n{=a ~b", 4, "not closed"),
        ("Câu 1 {T}\n\n\nCâu 2 không có đáp án", 4, "No answer section"),
        ("Câu } sai {T}", 1, "comes before"),
        ("::Tên chưa đóng Câu {T}", 1, "title"),
        ("Câu {=a ~b}\n\nCâu {~%150%a ~b}", 3, "between -100% and 100%"),
        ("Câu {\n~%30%a\n~%30%b\n~c\n}", 1, "add up to 60%"),
        ("Câu {=A -> 1\n=B}", 2, "=item -> match"),
        ("Câu {=a}{=b}", 1, "Only one answer section"),
        ("Câu {#5:1}", 1, "Numerical"),
        ("Câu {\n=a\n~   \n}", 3, "empty"),
        ("{=a ~b}", 1, "no text"),
        ("// @ordering Sắp xếp {=chỉ một}", 1, "at least two"),
        ('// @quizzes {"mark": 2\nCâu {T}', 1, "JSON"),
        ("Câu { a }", 1, "must start with"),
    ],
)
def test_malformed_gift_reports_the_line(text, line, fragment):
    result = parse_gift(text)
    assert result.errors, result.questions
    error = result.errors[0]
    assert error.line == line, error
    assert fragment.lower() in error.message.lower(), error.message


def test_errors_do_not_hide_later_questions():
    result = parse_gift("Câu {=a ~b\n\nCâu 2 {T}\n\nCâu 3 {")
    assert [q.text for q in result.questions] == ["Câu 2"]
    assert [e.line for e in result.errors] == [1, 5]


def test_empty_file_is_an_error():
    assert parse_gift("// chỉ có chú thích\n").errors[0].line == 1


def test_writer_escapes_and_parser_reads_back():
    question = ParsedQuestion(
        type="single",
        name="Dấu: {đặc biệt}",
        text="Hai dòng\n= ~ # \\ ở đây",
        category="Phát ngôn",
        options=[
            ParsedOption("Đúng # 1", is_correct=True, feedback="Hay: lắm"),
            ParsedOption("Sai ~ 2"),
        ],
    )
    back = parse_gift(write_gift([question]))
    assert back.errors == []
    assert back.questions == [question]


# Aiken -------------------------------------------------------------------------


AIKEN = """Ai là người phát ngôn của UBND tỉnh?
A. Chủ tịch UBND tỉnh hoặc người được giao
B) Bất kỳ phóng viên nào
C. Thư ký tòa soạn
ANSWER: A

Luật Báo chí 2025 có hiệu lực từ ngày nào?
A. 1/1/2026
B. 1/7/2026
ANSWER: B
"""


def test_aiken_reads_questions_and_answers():
    result = parse_aiken(AIKEN)
    assert result.errors == []
    first, second = result.questions
    assert first.type == "single" and first.line == 1
    assert [o.text for o in first.options][1] == "Bất kỳ phóng viên nào"
    assert [o.is_correct for o in second.options] == [False, True]
    assert second.line == 7


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("Câu hỏi\nA. một\nB. hai\nANSWER: C\n", 4, "not one of the options"),
        ("Câu hỏi\nA. một\nANSWER: A\n", 3, "at least two options"),
        ("Câu hỏi\nA. một\nC. hai\nANSWER: A\n", 3, "Expected option B"),
        ("Câu hỏi\nA. một\nB. hai\n", 1, "no ANSWER"),
        ("ANSWER: A\n", 1, "without a question"),
        ("Câu hỏi\nA. một\nB. hai\nCâu hỏi 2\nA. x\nB. y\nANSWER: A\n", 4, "ANSWER"),
    ],
)
def test_malformed_aiken_reports_the_line(text, line, fragment):
    result = parse_aiken(text)
    assert result.errors
    assert result.errors[0].line == line
    assert fragment.lower() in result.errors[0].message.lower()


def test_single_choice_with_two_right_answers_is_an_error():
    result = parse_gift("Câu\n{=a =b ~c}")
    assert result.errors[0].line == 1
    assert "exactly one" in result.errors[0].message
