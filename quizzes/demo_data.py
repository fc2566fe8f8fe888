"""The quizzes part of the demo: a Vietnamese question bank of every type, a quiz in
a lesson of each demo course, a final quiz, and one essay waiting for a trainer.

The bank is written in GIFT and goes through the real importer; attempts go
through the real services. Content is illustrative (“minh họa”), written from
/work/shared/DOMAIN.md. Running it twice changes nothing.
"""

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

BANK = """// Ngân hàng câu hỏi minh họa: công tác phát ngôn và thông tin đối ngoại.

$CATEGORY: Phát ngôn/Cơ bản

::Trách nhiệm phát ngôn::Theo Nghị định 09/2017/NĐ-CP, ai chịu trách nhiệm phát ngôn và cung cấp thông tin cho báo chí của một cơ quan hành chính nhà nước?{
\t=Người đứng đầu cơ quan, hoặc người được giao làm người phát ngôn#Đúng: người đứng đầu trực tiếp phát ngôn hoặc giao người phát ngôn.
\t~Bất kỳ cán bộ nào được phóng viên liên hệ#Chưa đúng: chỉ người có thẩm quyền mới phát ngôn nhân danh cơ quan.
\t~Phóng viên thường trú của cơ quan báo chí tại địa phương#Chưa đúng: phóng viên là người nhận thông tin.
\t~Bộ phận văn thư của cơ quan#Chưa đúng: văn thư không được giao phát ngôn.
\t####Nghị định 09/2017/NĐ-CP quy định người đứng đầu phát ngôn hoặc giao người phát ngôn; họ tên và cách liên hệ của người phát ngôn được công bố.
}

::Hình thức cung cấp thông tin::Những hình thức nào là hình thức phát ngôn, cung cấp thông tin cho báo chí theo Nghị định 09/2017/NĐ-CP?{
\t~%25%Tổ chức họp báo
\t~%25%Đăng tải nội dung trên cổng thông tin điện tử của cơ quan
\t~%25%Trả lời phỏng vấn của phóng viên
\t~%25%Văn bản trả lời hoặc thông cáo báo chí
\t~%-100%Nhắn tin riêng cho phóng viên quen biết#Không phải hình thức chính thức: thông tin phải qua kênh của cơ quan.
}

::Không bình luận::“Không bình luận” là một câu trả lời tốt khi chưa có thông tin chính thức.{FALSE#Chưa đúng: hãy nói điều đã được xác nhận và khi nào sẽ có thêm thông tin.#Đúng: “không bình luận” không phải là câu trả lời.}

::Số hiệu nghị định::Nghị định quy định việc phát ngôn và cung cấp thông tin cho báo chí của cơ quan hành chính nhà nước năm 2017 có số hiệu là gì?{
\t=09/2017/NĐ-CP
\t=Nghị định 09/2017/NĐ-CP
\t=%50%09#Gần đúng: hãy ghi đủ số hiệu 09/2017/NĐ-CP.
}

::Ghép văn bản::Ghép mỗi văn bản với nội dung chính của nó.{
\t=Nghị định 09/2017/NĐ-CP -> Phát ngôn và cung cấp thông tin cho báo chí
\t=Nghị định 72/2015/NĐ-CP -> Quản lý hoạt động thông tin đối ngoại
\t=Luật Tiếp cận thông tin 2016 -> Quyền tiếp cận thông tin của công dân
\t=Luật Báo chí 2025 -> Nghĩa vụ cung cấp thông tin cho báo chí từ ngày 1/7/2026
}

::Thời điểm Luật Báo chí 2025::Luật Báo chí 2025 có hiệu lực từ ngày 1 tháng 7 năm 2026.{TRUE#Chưa đúng: luật có hiệu lực từ 1/7/2026 và thay thế Luật Báo chí 2016.#Đúng.}

::Từ chối cung cấp thông tin::Theo Luật Báo chí 2025, cơ quan có thể từ chối cung cấp thông tin cho báo chí vì bất kỳ lý do nào.{FALSE#Chưa đúng: chỉ được từ chối theo các trường hợp luật liệt kê, như bí mật nhà nước hoặc vụ việc đang điều tra.#Đúng.}

$CATEGORY: Phát ngôn/Kỹ năng

// @ordering ::Trình tự họp báo::Sắp xếp các việc của người phát ngôn cho một buổi họp báo, từ trước đến sau.{=Xác định ba thông điệp chính =Chuẩn bị tài liệu và dự kiến câu hỏi khó =Gửi thông báo mời báo chí =Phát biểu mở đầu ngắn gọn =Trả lời câu hỏi của phóng viên =Theo dõi tin bài và đính chính thông tin sai ####Chuẩn bị thông điệp trước, trả lời ngắn gọn, rồi theo dõi và đính chính kịp thời.}

::Câu hỏi khó::Phóng viên hỏi về số người thiệt hại trong một sự cố khi số liệu chưa được xác minh. Người phát ngôn nên làm gì?{
\t=Nói rõ điều đã được xác nhận, ai xác nhận, và khi nào sẽ cung cấp thêm thông tin#Đúng: không suy đoán, và hẹn thời điểm có thông tin mới.
\t~Đưa ra con số ước tính để báo chí có tin kịp thời#Chưa đúng: không suy đoán khi chưa được xác minh.
\t~Từ chối trả lời và kết thúc buổi gặp#Chưa đúng: im lặng tạo chỗ cho tin đồn.
\t~Đề nghị phóng viên hỏi cơ quan khác#Chưa đúng: hãy nói khi nào và ở đâu sẽ có thông tin.
}

::Đính chính thông tin sai::Khi phát hiện thông tin sai lệch về cơ quan lan truyền trên mạng xã hội, cơ quan nên chờ đến buổi họp báo định kỳ tiếp theo để đính chính.{FALSE#Chưa đúng: thông tin sai cần được đính chính nhanh qua kênh chính thức.#Đúng.}

::Thông điệp chính::Trước khi gặp báo chí, người phát ngôn nên chuẩn bị bao nhiêu thông điệp chính?{
\t=Khoảng ba thông điệp ngắn, rõ ràng#Đúng: ít thông điệp thì dễ nhớ và dễ nhắc lại.
\t~Càng nhiều càng tốt để trả lời mọi câu hỏi
\t~Không cần chuẩn bị, trả lời theo câu hỏi
}

// @quizzes {"mark": "8", "word_limit": 200, "grader_info": "Một thông cáo tốt nêu điều đã xác nhận, nguồn xác nhận, việc cơ quan đang làm và thời điểm có thông tin tiếp theo; không suy đoán.", "rubric": [{"title": "Chính xác và có nguồn", "points": "3", "description": "Chỉ nêu điều đã được xác nhận và ai xác nhận."}, {"title": "Kịp thời và hướng tiếp theo", "points": "2", "description": "Nói khi nào và ở đâu sẽ có thêm thông tin."}, {"title": "Ngắn gọn, rõ ràng", "points": "2", "description": "Câu ngắn, không thuật ngữ khó, dưới 200 từ."}, {"title": "Đúng thẩm quyền", "points": "1", "description": "Không vượt quá thẩm quyền của cơ quan."}]}
::Soạn thông cáo báo chí::Một trận lũ quét vừa xảy ra ở một xã miền núi của tỉnh. Hãy soạn một thông cáo báo chí ngắn (không quá 200 từ) của Ủy ban nhân dân tỉnh gửi các cơ quan báo chí.{####Tham khảo: nêu thời gian, địa điểm, số liệu đã được xác nhận và cơ quan xác nhận, các biện pháp đang triển khai, và thời điểm họp báo tiếp theo.}

$CATEGORY: Thông tin đối ngoại

::Nguyên tắc thông tin đối ngoại::Theo Nghị định 72/2015/NĐ-CP, hoạt động thông tin đối ngoại cần bảo đảm những yêu cầu nào?{
\t~%34%Chính xác, kịp thời
\t~%33%Bảo vệ bí mật nhà nước
\t~%33%Giữ gìn hình ảnh quốc gia và dùng kênh thông tin chính thức
\t~%-100%Cung cấp cả thông tin chưa xác minh để nhanh hơn báo chí nước ngoài
}

::Phóng viên nước ngoài::Một phóng viên nước ngoài đề nghị phỏng vấn lãnh đạo tỉnh. Cách làm nào đúng?{
\t=Làm việc theo quy định về hoạt động của phóng viên nước ngoài, qua cơ quan có thẩm quyền#Đúng.
\t~Nhận lời ngay vì đây là dịp quảng bá hình ảnh#Chưa đúng: cần theo quy định áp dụng cho phóng viên nước ngoài.
\t~Từ chối mọi phỏng vấn của báo chí nước ngoài#Chưa đúng: thông tin đối ngoại cần chủ động, đúng quy định.
}

::Thông điệp song ngữ::Thông điệp bằng tiếng Anh có thể khác thông điệp bằng tiếng Việt để phù hợp với người đọc nước ngoài.{FALSE#Chưa đúng: giữ cùng một thông điệp bằng tiếng Việt và tiếng Anh.#Đúng.}

::Tên biển::Trong thông tin đối ngoại bằng tiếng Việt, vùng biển phía đông Việt Nam được gọi là gì? (hai từ){
\t=Biển Đông
}

::Quảng bá địa phương::Khi giới thiệu môi trường đầu tư của tỉnh với báo chí nước ngoài, người phát ngôn nên dựa vào đâu?{
\t=Số liệu chính thức, đã được công bố#Đúng: số liệu chính thức giữ uy tín cho thông điệp.
\t~Ước tính lạc quan để thu hút nhà đầu tư#Chưa đúng: thông tin phải chính xác.
\t~Ý kiến cá nhân của người phát ngôn
}
"""


def _bank():
    """Import the questions not yet in the bank; returns how many were added."""
    result = formats.parse_gift(BANK)
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
    """The demo trainee's final-quiz attempt, submitted, its essay waiting for grading."""
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
        "Kiểm tra: Nền tảng phát ngôn",
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
        "Kiểm tra: Nguyên tắc thông tin đối ngoại",
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
        "Bài kiểm tra cuối khóa: Kỹ năng phát ngôn",
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
