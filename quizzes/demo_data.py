"""The quizzes part of the demo: a Vietnamese question bank of every type, a quiz in
a lesson of each demo course, a final quiz, and one essay waiting for a trainer.

The bank is written in GIFT and goes through the real importer; attempts go
through the real services. Content is illustrative (“minh họa”), written from
/work/shared/DOMAIN.md. Running it twice changes nothing.
"""

from pathlib import Path

from django.db import transaction

from accounts.models import User
from courses.models import CoursePage, LessonPage
from courses.services import enrol_learner

from . import formats
from .importing import ensure_category, import_questions
from .models import Attempt, Question, QuestionCategory, Quiz, QuizSlot
from .services import save_answers, start_attempt, submit_attempt

ILLUSTRATIVE = "Nội dung minh họa"
SPEAKING_COURSE = "ky-nang-phat-ngon"
FOREIGN_COURSE = "thong-tin-doi-ngoai"
SPEAKING_LESSON = "thong-diep-chinh"
FOREIGN_LESSON = "nguyen-tac-thong-tin-doi-ngoai"
DEMO_TRAINEE = "trainee@example.org"

# The bank is a GIFT file next to this module: trainers can read it as an example.
BANK = Path(__file__).with_name("demo_bank.gift")


def _bank():
    """Import the questions not yet in the bank; returns how many were added."""
    result = formats.parse_gift(BANK.read_text(encoding="utf-8"))
    if result.errors:  # pragma: no cover - the text above is ours and parses
        raise ValueError("; ".join(str(e) for e in result.errors))
    missing = [
        q
        for q in result.questions
        if not Question.objects.filter(name=q.name, category__path=q.category).exists()
    ]
    import_questions(questions=missing, category_path="Phát ngôn")
    for path in ("Phát ngôn", "Thông tin đối ngoại"):
        QuestionCategory.objects.filter(path=path, description="").update(
            description=f"{ILLUSTRATIVE}: câu hỏi soạn từ các văn bản pháp luật."
        )
    return len(missing)


def _question(name):
    return Question.objects.get(name=name)


def _quiz(title, *, fixed=(), random=(), **settings):
    """A quiz with fixed questions then random draws; left alone once it exists."""
    quiz = Quiz.objects.filter(title=title).first()
    if quiz is not None:
        return quiz, False
    quiz = Quiz(title=title, **settings)
    slots = [QuizSlot(question=_question(name)) for name in fixed]
    for path, count in random:
        slots.append(
            QuizSlot(
                category=QuestionCategory.objects.get(path=path),
                draw_count=count,
            )
        )
    for index, slot in enumerate(slots):
        slot.sort_order = index
    quiz.slots = slots
    quiz.full_clean()
    quiz.save()
    return quiz, True


def _place_in_lesson(course, slug, quiz, introduction) -> str:
    lesson = (
        LessonPage.objects.descendant_of(course).filter(slug=slug).first()
        or course.lessons().first()
    )
    if lesson is None:
        return f"“{course.title}” has no lesson for the quiz."
    lesson = lesson.specific
    if lesson.has_quiz:
        return f"“{lesson.title}” already has its quiz."
    lesson.body.append(("quiz", {"quiz": quiz, "introduction": introduction}))
    lesson.save_revision().publish()
    return f"Quiz “{quiz.title}” added to the lesson “{lesson.title}”."


def _set_final_quiz(course, quiz) -> str:
    if course.final_quiz_id:
        return f"“{course.title}” already has a final quiz."
    course.final_quiz = quiz
    course.save_revision().publish()
    return f"“{quiz.title}” is the final quiz of “{course.title}”."


ESSAY_ANSWER = (
    "Thông cáo báo chí của Ủy ban nhân dân tỉnh\n\n"
    "Khoảng 3 giờ sáng nay, lũ quét xảy ra tại xã Sơn Bao, huyện Sơn Hà. "
    "Theo báo cáo của Ban Chỉ huy phòng chống thiên tai tỉnh lúc 9 giờ, 12 hộ dân "
    "bị ảnh hưởng; chưa ghi nhận thiệt hại về người. Các lực lượng đang sơ tán "
    "người dân và bảo đảm giao thông.\n\n"
    "Ủy ban nhân dân tỉnh sẽ cung cấp thông tin tiếp theo lúc 16 giờ hôm nay "
    "trên cổng thông tin điện tử của tỉnh."
)


@transaction.atomic
def _waiting_essay(course, quiz) -> str:
    """The demo trainee's final quiz, submitted, its essay waiting for a trainer."""
    trainee = User.objects.filter(email=DEMO_TRAINEE).first()
    if trainee is None:
        return "No demo trainee: no essay to grade."
    if Attempt.objects.filter(learner=trainee, quiz=quiz).exists():
        return "The demo trainee's essay is already submitted."
    enrolment = enrol_learner(learner=trainee, course=course)
    attempt = start_attempt(learner=trainee, quiz=quiz, enrolment=enrolment)
    data = {}
    for snapshot in attempt.questions:
        key = snapshot["key"]
        options = snapshot["options"]
        if snapshot["type"] == "essay":
            data[key] = ESSAY_ANSWER
        elif snapshot["type"] in ("single", "truefalse"):
            best = max(options, key=lambda o: float(o["credit"]))
            data[key] = best["token"]
        elif snapshot["type"] == "multiple":
            data[key] = [o["token"] for o in options if float(o["credit"]) > 0][:2]
        elif snapshot["type"] == "short":
            data[key] = options[0]["text"]
    save_answers(attempt=attempt, learner=trainee, data=data, page=1)
    submit_attempt(attempt=attempt, learner=trainee)
    return "The demo trainee submitted the final quiz; the essay awaits grading."


def load(stdout=None):
    """Yield one progress line per step."""
    speaking = CoursePage.objects.filter(slug=SPEAKING_COURSE).first()
    foreign = CoursePage.objects.filter(slug=FOREIGN_COURSE).first()
    added = _bank()
    yield f"Question bank: {added} questions added, {Question.objects.count()} in all."
    if speaking is None or foreign is None:
        yield "The demo courses are not there yet: no quizzes placed in lessons."
        return
    ensure_category(path="Phát ngôn/Kỹ năng")
    lesson_quiz, _new = _quiz(
        "Nền tảng phát ngôn",
        description=f"{ILLUSTRATIVE}. Sáu câu hỏi, mỗi câu một trang.",
        fixed=[
            "Trách nhiệm phát ngôn",
            "Hình thức cung cấp thông tin",
            "Không bình luận",
            "Số hiệu nghị định",
            "Ghép văn bản",
            "Trình tự họp báo",
        ],
        pass_mark=70,
        attempts_allowed=3,
        shuffle_options=True,
    )
    yield _place_in_lesson(
        speaking,
        SPEAKING_LESSON,
        lesson_quiz,
        "Sáu câu hỏi ngắn về vai trò người phát ngôn và cách chuẩn bị.",
    )
    foreign_quiz, _new = _quiz(
        "Nguyên tắc thông tin đối ngoại",
        description=f"{ILLUSTRATIVE}. Hai câu cố định và hai câu rút ngẫu nhiên.",
        fixed=["Nguyên tắc thông tin đối ngoại", "Phóng viên nước ngoài"],
        random=[("Thông tin đối ngoại", 2)],
        pass_mark=60,
        layout=Quiz.Layout.SINGLE_PAGE,
        review_while_open=Quiz.Review.FULL,
    )
    yield _place_in_lesson(
        foreign,
        FOREIGN_LESSON,
        foreign_quiz,
        "Bốn câu hỏi trên một trang; xem đáp án ngay sau khi nộp.",
    )
    final_quiz, _new = _quiz(
        "Cuối khóa: Kỹ năng phát ngôn",
        description=(
            f"{ILLUSTRATIVE}. Câu hỏi rút ngẫu nhiên từ ngân hàng và một bài viết "
            "thông cáo báo chí do giảng viên chấm."
        ),
        fixed=["Soạn thông cáo báo chí"],
        random=[("Phát ngôn/Cơ bản", 4), ("Phát ngôn/Kỹ năng", 2)],
        pass_mark=70,
        attempts_allowed=2,
        time_limit_minutes=30,
        shuffle_questions=True,
        layout=Quiz.Layout.SINGLE_PAGE,
        review_while_open=Quiz.Review.CORRECTNESS,
    )
    yield _set_final_quiz(CoursePage.objects.get(pk=speaking.pk), final_quiz)
    yield _waiting_essay(speaking, final_quiz)
