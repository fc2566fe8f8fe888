"""The courses part of the demo: a catalogue, two courses, learners at every stage.

Content is ours, written from /work/shared/DOMAIN.md and marked "Nội dung minh họa";
real courses are written by trainers in the admin. Everything goes through the
real services, and running it twice changes nothing.
"""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Site

from accounts.models import Agency, User

from .models import (
    CourseAssignment,
    CourseIndexPage,
    CoursePage,
    InformationPage,
    LessonPage,
    ModulePage,
)
from .services import (
    assign_course_to_agency,
    assign_course_to_learner,
    complete_lesson,
    enrol_learner,
    open_lesson,
    withdraw_enrolment,
)

ILLUSTRATIVE = "Nội dung minh họa"


def _text(html):
    return {"type": "text", "value": html}


def _heading(text, level="h2"):
    return {"type": "heading", "value": {"text": text, "level": level}}


def _key(text, title=""):
    return {"type": "key_message", "value": {"title": title, "text": text}}


def _do_dont(dos, donts):
    return {"type": "do_dont", "value": {"dos": dos, "donts": donts}}


def _quote(quote, attribution, source=""):
    return {
        "type": "quotation",
        "value": {"quote": quote, "attribution": attribution, "source": source},
    }


def _case(title, situation, questions):
    return {
        "type": "case_study",
        "value": {"title": title, "situation": situation, "questions": questions},
    }


def _term(term, definition):
    return {"type": "glossary_term", "value": {"term": term, "definition": definition}}


def _checklist(title, items):
    return {"type": "checklist", "value": {"title": title, "items": items}}


def _image(image, caption, alt):
    return {
        "type": "image",
        "value": {"image": image.pk, "caption": caption, "alt_text": alt},
    }


def _document(document, title, description):
    return {
        "type": "document",
        "value": {
            "document": document.pk,
            "title": title,
            "description": description,
        },
    }


DECREE_SUMMARY = """TÓM TẮT NGHỊ ĐỊNH 09/2017/NĐ-CP (Nội dung minh họa)

Nghị định quy định việc phát ngôn và cung cấp thông tin cho báo chí của các cơ quan
hành chính nhà nước. Có hiệu lực từ ngày 30/3/2017.

1. Người đứng đầu cơ quan có trách nhiệm phát ngôn, hoặc giao người phát ngôn.
2. Họ tên, chức vụ, số điện thoại, thư điện tử của người phát ngôn được công bố.
3. Các hình thức cung cấp thông tin: họp báo; đăng trên cổng thông tin điện tử;
   trả lời phỏng vấn; thông cáo báo chí; trả lời bằng văn bản.
4. Bộ, UBND cấp tỉnh cung cấp thông tin định kỳ và tổ chức họp báo định kỳ.
5. Khi có sự kiện, vấn đề bất ngờ, có ảnh hưởng lớn (thiên tai, sự cố, dư luận
   trái chiều), phải phát ngôn kịp thời.

Hãy đối chiếu văn bản hiện hành trước khi sử dụng.
"""


def _ensure_document(title, filename, text):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save(filename, ContentFile(text.encode("utf-8")), save=False)
        document.save()
    return document


def _ensure_image(title, filename, colours):
    """A plain generated illustration (stripes in the course colours), not a photo."""
    from PIL import Image as PillowImage
    from PIL import ImageDraw

    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is not None:
        return image
    canvas = PillowImage.new("RGB", (960, 540), colours[0])
    draw = ImageDraw.Draw(canvas)
    for i, colour in enumerate(colours[1:], start=1):
        draw.rectangle([0, 540 - i * 90, 960, 540 - (i - 1) * 90], fill=colour)
    draw.ellipse([380, 90, 580, 290], fill="#ffffff")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = Image(title=title, file=ImageFile(buffer, name=filename))
    image.save()
    return image


HOME_INTRO = (
    "<h2>Bồi dưỡng công tác phát ngôn và thông tin đối ngoại</h2>"
    "<p>Chương trình trực tuyến dành cho người đứng đầu, người phát ngôn và cán bộ "
    "làm công tác thông tin của các sở, ban, ngành, địa phương, cơ quan báo chí "
    "trên địa bàn tỉnh: học từng bài, làm bài kiểm tra, học tiếp ở lần sau và "
    "nhận chứng nhận khi hoàn thành, trên điện thoại hay máy tính.</p>"
    "<ul><li>Kỹ năng phát ngôn và cung cấp thông tin cho báo chí</li>"
    "<li>Thông tin đối ngoại, làm việc với phóng viên nước ngoài</li>"
    "<li>Khung pháp lý: Nghị định 09/2017/NĐ-CP, Luật Báo chí 2025</li></ul>"
)


GUIDE_TITLE = "Hướng dẫn học trực tuyến"
GUIDE_BODY = (
    "<h2>Đăng nhập</h2>"
    "<p>Đăng nhập bằng địa chỉ thư điện tử công vụ. Lần đầu, mở thư mời và đặt "
    "mật khẩu; nếu quên mật khẩu, chọn “Quên mật khẩu?” ở trang đăng nhập.</p>"
    "<h2>Học từng bài</h2>"
    "<ul><li>Vào “Việc học của tôi” để xem khóa học được giao, hạn hoàn thành và "
    "khóa học đang học.</li>"
    "<li>Trên trang khóa học, nút “Học tiếp” mở bài đầu tiên chưa học xong.</li>"
    "<li>Đọc hết bài rồi bấm “Đánh dấu đã học xong”; bài có bài kiểm tra cần làm "
    "đạt trước.</li></ul>"
    "<h2>Trên điện thoại, khi mạng yếu</h2>"
    "<p>Các trang nhẹ và dùng được cả khi trình duyệt tắt JavaScript. Tiến độ và "
    "câu trả lời được lưu trên máy chủ sau mỗi trang: có thể dừng giữa chừng và "
    "học tiếp trên máy khác.</p>"
    "<h2>Bài kiểm tra và chứng nhận</h2>"
    "<p>Mỗi bài kiểm tra ghi rõ điểm đạt, số lần làm và thời gian (nếu có). Câu "
    "tự luận, như soạn thông cáo báo chí, do giảng viên chấm; kết quả được gửi "
    "qua thư điện tử. Khi hoàn thành khóa học, tải chứng nhận (PDF) ở trang "
    "khóa học; mã trên chứng nhận cho phép bất kỳ ai kiểm tra.</p>"
    "<h2>Cần hỗ trợ?</h2>"
    "<p>Liên hệ cán bộ đầu mối về đào tạo của cơ quan, đơn vị mình.</p>"
)


def _page(parent, model, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    topics = fields.pop("topics", [])
    page = model(slug=slug, **fields)
    if topics:
        page.topics.add(*topics)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


def _speaking_course(index, *, document, image):
    course, created = _page(
        index,
        CoursePage,
        "ky-nang-phat-ngon",
        title="Kỹ năng phát ngôn và cung cấp thông tin cho báo chí",
        summary=(
            "Vai trò, nhiệm vụ của người phát ngôn theo Nghị định 09/2017/NĐ-CP và "
            "các kỹ năng chuẩn bị, trả lời báo chí chính xác, kịp thời. "
            f"({ILLUSTRATIVE})"
        ),
        learning_objectives=[
            ("objective", "Nêu được trách nhiệm phát ngôn của người đứng đầu cơ quan."),
            (
                "objective",
                "Chọn hình thức cung cấp thông tin phù hợp với từng tình huống.",
            ),
            ("objective", "Chuẩn bị ba thông điệp chính trước khi gặp báo chí."),
            (
                "objective",
                "Trả lời câu hỏi khó mà không suy đoán, không vượt thẩm quyền.",
            ),
        ],
        audience="Người phát ngôn và lãnh đạo các sở, ban, ngành, địa phương",
        estimated_minutes=90,
        is_sequential=True,
        default_due_days=30,
        certificate_enabled=True,
        cover_image=image,
        topics=["Phát ngôn", "Báo chí"],
    )
    if not created:
        return course
    legal, _ = _page(course, ModulePage, "nen-tang", title="Nền tảng pháp lý")
    skills, _ = _page(course, ModulePage, "ky-nang", title="Kỹ năng trước báo chí")
    _page(
        legal,
        LessonPage,
        "vai-tro-nguoi-phat-ngon",
        title="Vai trò của người phát ngôn",
        estimated_minutes=15,
        body=[
            _text(
                "<p>Theo Nghị định 09/2017/NĐ-CP, <b>người đứng đầu</b> cơ quan hành "
                "chính nhà nước có trách nhiệm phát ngôn và cung cấp thông tin cho báo "
                "chí; người đứng đầu có thể giao người phát ngôn. Họ tên và thông tin "
                "liên hệ của người phát ngôn được công bố công khai.</p>"
            ),
            _key(
                "Người phát ngôn nói thay cơ quan: thông tin phải chính xác, kịp thời "
                "và đúng thẩm quyền."
            ),
            _term(
                "Người phát ngôn",
                "Người được người đứng đầu cơ quan giao nhiệm vụ phát ngôn và cung "
                "cấp thông tin cho báo chí một cách thường xuyên.",
            ),
            _quote(
                "Nói điều đã được xác nhận, nói ai xác nhận, và hẹn khi nào có "
                "thông tin tiếp theo.",
                "Giảng viên khóa học",
                ILLUSTRATIVE,
            ),
            _document(
                document,
                "Tóm tắt Nghị định 09/2017/NĐ-CP",
                "Bản tóm tắt để ôn tập; hãy đối chiếu văn bản hiện hành.",
            ),
        ],
    )
    _page(
        legal,
        LessonPage,
        "hinh-thuc-cung-cap-thong-tin",
        title="Các hình thức cung cấp thông tin cho báo chí",
        estimated_minutes=15,
        body=[
            _heading("Năm hình thức"),
            _text(
                "<ul><li>Họp báo</li><li>Đăng tải trên cổng hoặc trang thông tin điện "
                "tử của cơ quan</li><li>Trả lời phỏng vấn</li><li>Thông cáo báo "
                "chí</li><li>Trả lời bằng văn bản</li></ul>"
            ),
            _text(
                "<p>Bộ và UBND cấp tỉnh cung cấp thông tin định kỳ và họp báo định "
                "kỳ. Khi có sự kiện bất ngờ, có ảnh hưởng lớn như thiên tai, sự cố "
                "hay dư luận trái chiều, cơ quan phải phát ngôn <b>kịp thời</b>.</p>"
            ),
            _checklist(
                "Chọn hình thức phù hợp",
                [
                    "Cần giải thích, hỏi đáp trực tiếp: họp báo.",
                    "Thông tin ngắn, cho nhiều cơ quan báo chí cùng lúc: thông cáo.",
                    "Câu hỏi của một tờ báo về số liệu: trả lời bằng văn bản.",
                ],
            ),
            _do_dont(
                [
                    "Đăng thông cáo lên cổng thông tin của cơ quan",
                    "Ghi rõ đầu mối liên hệ",
                ],
                [
                    "Để phóng viên chờ không hẹn thời điểm trả lời",
                    "Chỉ trả lời một tờ báo quen",
                ],
            ),
        ],
    )
    _page(
        skills,
        LessonPage,
        "thong-diep-chinh",
        title="Chuẩn bị thông điệp chính",
        estimated_minutes=20,
        body=[
            _text(
                "<p>Trước mỗi lần gặp báo chí, hãy viết ra tối đa <b>ba thông điệp "
                "chính</b>: điều cơ quan muốn công chúng nhớ sau buổi làm việc.</p>"
            ),
            _image(
                image,
                "Ba thông điệp chính, mỗi thông điệp một câu (hình minh họa).",
                "Hình minh họa gồm các dải màu và một hình tròn.",
            ),
            _checklist(
                "Trước khi gặp báo chí",
                [
                    "Viết ba thông điệp chính, mỗi thông điệp một câu",
                    "Kiểm tra số liệu với đơn vị chuyên môn",
                    "Chuẩn bị câu trả lời cho năm câu hỏi khó nhất",
                    "Thống nhất nội dung tiếng Việt và tiếng Anh",
                ],
            ),
            _key("Không có thông điệp chính, buổi họp báo sẽ do câu hỏi dẫn dắt."),
        ],
    )
    _page(
        skills,
        LessonPage,
        "tra-loi-cau-hoi-kho",
        title="Trả lời câu hỏi khó",
        estimated_minutes=25,
        body=[
            _do_dont(
                [
                    "Trả lời đúng câu hỏi, ngắn gọn",
                    "Nói rõ điều gì đã được xác nhận, ai xác nhận",
                    "Hẹn thời điểm và nơi có thông tin tiếp theo",
                ],
                [
                    "Nói “miễn bình luận”",
                    "Suy đoán hoặc trả lời ngoài thẩm quyền",
                    "Nói sai sự thật",
                ],
            ),
            _case(
                "Sạt lở trong đêm",
                "<p>6 giờ sáng, một phóng viên gọi hỏi số người bị ảnh hưởng do sạt "
                "lở đất ở một xã miền núi. Số liệu mới nhất chưa được Ban chỉ huy "
                "phòng chống thiên tai xác nhận.</p>",
                [
                    "Anh/chị có thể nói gì ngay bây giờ?",
                    "Khi nào và ở đâu sẽ có thông tin tiếp theo?",
                    "Ai cần được báo trước khi trả lời?",
                ],
            ),
            _quote(
                "“Miễn bình luận” không phải là một câu trả lời.",
                "Nguyên tắc phát ngôn",
                ILLUSTRATIVE,
            ),
        ],
    )
    _page(
        skills,
        LessonPage,
        "xu-ly-thong-tin-sai",
        title="Xử lý thông tin sai lệch trên mạng",
        estimated_minutes=15,
        is_required=False,
        body=[
            _text(
                "<p>Thông tin sai lan nhanh hơn đính chính. Cơ quan cần phát hiện sớm, "
                "xác minh và <b>đính chính nhanh</b> trên kênh chính thức.</p>"
            ),
            _checklist(
                "Khi phát hiện thông tin sai",
                [
                    "Ghi lại đường dẫn, thời điểm, nội dung",
                    "Xác minh với đơn vị chuyên môn",
                    "Đăng thông tin chính thức trên cổng của cơ quan",
                    "Gửi thông cáo cho các cơ quan báo chí",
                ],
            ),
        ],
    )
    return course


def _foreign_course(index, *, prerequisite, image):
    course, created = _page(
        index,
        CoursePage,
        "thong-tin-doi-ngoai",
        title="Thông tin đối ngoại và làm việc với phóng viên nước ngoài",
        summary=(
            "Cung cấp thông tin đối ngoại chính xác, kịp thời; quy định khi làm việc "
            "với phóng viên nước ngoài; giữ thống nhất thông điệp tiếng Việt và "
            f"tiếng Anh. ({ILLUSTRATIVE})"
        ),
        learning_objectives=[
            (
                "objective",
                "Nêu nguyên tắc quản lý thông tin đối ngoại (Nghị định 72/2015/NĐ-CP).",
            ),
            ("objective", "Chuẩn bị làm việc với phóng viên nước ngoài đúng quy định."),
            (
                "objective",
                "Giữ một thông điệp thống nhất bằng tiếng Việt và tiếng Anh.",
            ),
        ],
        audience="Lãnh đạo, người phát ngôn các cơ quan có hoạt động đối ngoại",
        estimated_minutes=70,
        enrolment_mode=CoursePage.EnrolmentMode.ASSIGNED,
        prerequisite=prerequisite,
        cover_image=image,
        topics=["Thông tin đối ngoại", "Báo chí"],
    )
    if not created:
        return course
    _page(
        course,
        LessonPage,
        "nguyen-tac-thong-tin-doi-ngoai",
        title="Nguyên tắc thông tin đối ngoại",
        estimated_minutes=15,
        body=[
            _text(
                "<p>Nghị định 72/2015/NĐ-CP về quản lý hoạt động thông tin đối ngoại "
                "đặt ra yêu cầu: thông tin <b>chính xác, kịp thời</b>; bảo vệ bí mật "
                "nhà nước và hình ảnh quốc gia; sử dụng kênh chính thức khi cung cấp "
                "thông tin về Việt Nam.</p>"
            ),
            _term(
                "Thông tin đối ngoại",
                "Hoạt động cung cấp thông tin về đất nước, con người, chính sách của "
                "Việt Nam ra nước ngoài và thông tin về thế giới vào trong nước.",
            ),
            _key(
                "Một thông điệp, hai ngôn ngữ: nội dung tiếng Anh phải khớp tiếng Việt."
            ),
        ],
    )
    _page(
        course,
        LessonPage,
        "tinh-hinh-bien-dong",
        title="Tình hình thế giới, khu vực và Biển Đông",
        estimated_minutes=20,
        body=[
            _heading("Vì sao người phát ngôn địa phương cần nắm tình hình"),
            _text(
                "<p>Phóng viên có thể hỏi cán bộ địa phương về ngư dân, về đảo Lý Sơn, "
                "về các sự việc trên biển. Câu trả lời phải thống nhất với phát ngôn "
                "chính thức của Bộ Ngoại giao.</p>"
            ),
            _do_dont(
                [
                    "Dẫn phát ngôn chính thức của Bộ Ngoại giao",
                    "Chuyển câu hỏi đúng đầu mối",
                ],
                [
                    "Tự đưa ra nhận định về chủ quyền, ngoại giao",
                    "Bình luận tin chưa kiểm chứng",
                ],
            ),
            _image(image, "Hình minh họa.", "Hình minh họa gồm các dải màu."),
        ],
    )
    _page(
        course,
        LessonPage,
        "lam-viec-voi-phong-vien-nuoc-ngoai",
        title="Làm việc với phóng viên nước ngoài",
        estimated_minutes=20,
        body=[
            _text(
                "<p>Phóng viên nước ngoài hoạt động theo quy định riêng áp dụng cho "
                "họ. Khi nhận đề nghị phỏng vấn, hãy kiểm tra với Sở Ngoại vụ và đầu "
                "mối thông tin đối ngoại của tỉnh.</p>"
            ),
            _checklist(
                "Khi nhận đề nghị phỏng vấn",
                [
                    "Hỏi rõ cơ quan báo chí, chủ đề, thời lượng",
                    "Báo Sở Ngoại vụ và xin ý kiến lãnh đạo",
                    "Chuẩn bị thông điệp bằng hai ngôn ngữ",
                    "Bố trí phiên dịch nếu cần",
                ],
            ),
            _case(
                "Một đoàn phóng viên đến không báo trước",
                "<p>Một nhóm phóng viên nước ngoài đến trụ sở UBND huyện xin phỏng vấn "
                "về dự án khu kinh tế.</p>",
                ["Anh/chị làm gì trong 15 phút đầu?", "Ai là đầu mối cần liên hệ?"],
            ),
        ],
    )
    _page(
        course,
        LessonPage,
        "quang-ba-hinh-anh-dia-phuong",
        title="Quảng bá hình ảnh và môi trường đầu tư",
        estimated_minutes=15,
        body=[
            _text(
                "<p>Mỗi lần làm việc với báo chí nước ngoài là một dịp giới thiệu "
                "tiềm năng và môi trường đầu tư của tỉnh. Chuẩn bị sẵn số liệu đã "
                "công bố chính thức.</p>"
            ),
            _quote(
                "Hình ảnh địa phương được xây dựng từ những câu trả lời chính xác.",
                "Giảng viên khóa học",
                ILLUSTRATIVE,
            ),
        ],
    )
    return course


def _learners_in(code):
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, agency_id__in=Agency.objects.subtree_ids(agency)
        ).order_by("email")
    )


def _advance(enrolment, lessons, done, *, open_next=True):
    for lesson in lessons[:done]:
        open_lesson(enrolment=enrolment, lesson=lesson)
        complete_lesson(enrolment=enrolment, lesson=lesson)
    if open_next and done < len(lessons) and not enrolment.completed_at:
        open_lesson(enrolment=enrolment, lesson=lessons[done])


def _required(course):
    return list(course.lessons().filter(is_required=True).defer_streamfields())


def _assign_once(course, *, agency=None, learner=None, due_at, by):
    existing = CourseAssignment.objects.filter(
        course=course, agency=agency, learner=learner
    )
    if existing.exists():
        return False
    if agency is not None:
        assign_course_to_agency(
            course=course, agency=agency, due_at=due_at, assigned_by=by
        )
    else:
        assign_course_to_learner(
            course=course, learner=learner, due_at=due_at, assigned_by=by
        )
    return True


def _fresh(learner, course):
    """Demo progress is made once per learner and course; withdrawn stays withdrawn."""
    return not course.enrolments.filter(learner=learner).exists()


@transaction.atomic
def _enrolments(speaking, foreign):
    now = timezone.now()
    admin = User.objects.filter(email="admin@example.org").first()
    speaking_lessons = _required(speaking)
    foreign_lessons = _required(foreign)
    made = 0

    # Self-enrolled trainees in the open course, at different stages.
    trainee = User.objects.filter(email="trainee@example.org").first()
    if trainee and _fresh(trainee, speaking):
        _advance(enrol_learner(learner=trainee, course=speaking), speaking_lessons, 2)
        made += 1
    for learner, done in zip(
        _learners_in("QNG-STTTT")[:4], [99, 3, 1, 0], strict=False
    ):
        if _fresh(learner, speaking):
            _advance(
                enrol_learner(learner=learner, course=speaking), speaking_lessons, done
            )
            made += 1

    # The foreign-information course is assigned to Bình Sơn district (and the
    # units below it) with a deadline already past: some finished, some late.
    district = Agency.objects.filter(code="QNG-BSO").first()
    if district is not None:
        district_learners = _learners_in("QNG-BSO")
        plans = {0: "completed", 1: "in_progress", 2: "withdrawn"}
        for i, learner in enumerate(district_learners):
            plan = plans.get(i % 4)
            if plan and _fresh(learner, speaking):
                # The prerequisite comes first.
                _advance(
                    enrol_learner(learner=learner, course=speaking),
                    speaking_lessons,
                    99,
                )
        _assign_once(
            foreign, agency=district, due_at=now - timedelta(days=10), by=admin
        )
        for i, learner in enumerate(district_learners):
            plan = plans.get(i % 4)
            enrolment = foreign.enrolments.filter(
                learner=learner, withdrawn_at__isnull=True
            ).first()
            if enrolment is None or enrolment.started_at or plan is None:
                continue
            if plan == "completed":
                _advance(enrolment, foreign_lessons, 99)
            elif plan == "in_progress":
                _advance(enrolment, foreign_lessons, 1)
            else:
                withdraw_enrolment(enrolment=enrolment)
            made += 1

    # Lý Sơn island district has the speaking course assigned, due in three weeks.
    island = Agency.objects.filter(code="QNG-LSO").first()
    if island is not None:
        _assign_once(speaking, agency=island, due_at=now + timedelta(days=21), by=admin)

    # The demo trainee also has the foreign course assigned personally: locked
    # until they complete the speaking course.
    if trainee is not None:
        _assign_once(
            foreign, learner=trainee, due_at=now + timedelta(days=14), by=admin
        )
    return made


def load(stdout=None):
    """Yield one progress line per step."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    index, created = _page(
        home,
        CourseIndexPage,
        "khoa-hoc",
        title="Khóa học",
        intro=(
            "<p>Các khóa học về công tác phát ngôn và thông tin đối ngoại. "
            f"Hai khóa học dưới đây là {ILLUSTRATIVE.lower()}.</p>"
        ),
    )
    yield f"Course catalogue: {'created' if created else 'already there'}."
    guide, created = _page(
        home, InformationPage, "huong-dan", title=GUIDE_TITLE, body=GUIDE_BODY
    )
    state = "created" if created else "already there"
    yield f"Information page “{guide.title}”: {state}."
    if not home.intro:
        home.intro = (
            HOME_INTRO + f'<p>Lần đầu học trực tuyến? Xem <a linktype="page" '
            f'id="{guide.pk}">{GUIDE_TITLE.lower()}</a>.</p>'
        )
        home.save_revision().publish()
        yield "Home page: introduction written."
    document = _ensure_document(
        "Tóm tắt Nghị định 09/2017/NĐ-CP (minh họa)",
        "tom-tat-nghi-dinh-09-2017.txt",
        DECREE_SUMMARY,
    )
    speaking_image = _ensure_image(
        "Minh họa: kỹ năng phát ngôn",
        "minh-hoa-phat-ngon.png",
        ["#8a1c1c", "#b34a3c", "#d98c5f", "#f2c38b"],
    )
    foreign_image = _ensure_image(
        "Minh họa: thông tin đối ngoại",
        "minh-hoa-doi-ngoai.png",
        ["#0b4f8a", "#2f74b5", "#6aa5d8", "#b9d8f2"],
    )
    speaking = _speaking_course(index, document=document, image=speaking_image)
    foreign = _foreign_course(index, prerequisite=speaking, image=foreign_image)
    yield (
        f"Courses: “{speaking.title}” ({speaking.lessons().count()} lessons) and "
        f"“{foreign.title}” ({foreign.lessons().count()} lessons)."
    )
    made = _enrolments(speaking, foreign)
    active = speaking.enrolments.count() + foreign.enrolments.count()
    yield f"Enrolments: {active} in all, {made} given demo progress this run."
