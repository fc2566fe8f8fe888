"""The blocks trainers build lessons from. Block names live in the stored JSON."""

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from config.sanitise import sanitise_rich_text

# What the lesson rich text may contain: no embeds or images inside text (those
# have their own blocks, with captions and transcripts).
LESSON_RICH_TEXT_FEATURES = [
    "bold",
    "italic",
    "link",
    "document-link",
    "ol",
    "ul",
    "h3",
    "h4",
    "blockquote",
]
VIDEO_EXTENSIONS = {".mp4", ".webm", ".ogv", ".m4v"}
AUDIO_EXTENSIONS = {".mp3", ".m4a", ".ogg", ".oga", ".wav", ".opus"}
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".opus": "audio/ogg",
}


def document_extension(document) -> str:
    return PurePosixPath(document.file.name).suffix.lower() if document else ""


def media_type(document) -> str:
    return MEDIA_TYPES.get(document_extension(document), "")


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")
        description = _("A heading that splits the lesson into sections.")
        preview_value = {"text": "Chuẩn bị trước buổi họp báo", "level": "h2"}


class LessonTextBlock(blocks.RichTextBlock):
    """Rich text, sanitised when saved (whatever wrote it), rendered as stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", LESSON_RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def get_prep_value(self, value):
        return sanitise_rich_text(super().get_prep_value(value))

    class Meta:
        icon = "pilcrow"
        template = "blocks/rich_text_block.html"
        label = _("Text")
        description = _("Paragraphs, lists and links.")
        preview_value = (
            "<p>Người phát ngôn cung cấp thông tin <b>chính xác, kịp thời</b> "
            "và nói rõ nguồn của thông tin.</p>"
        )


class CalloutBlock(blocks.StructBlock):
    """A key message the learner should remember from the lesson."""

    title = blocks.CharBlock(
        label=_("Title"),
        required=False,
        max_length=120,
        help_text=_("Leave blank for 'Key message'."),
    )
    text = blocks.TextBlock(label=_("Message"))

    class Meta:
        icon = "pick"
        template = "blocks/callout_block.html"
        label = _("Key message")
        description = _("A highlighted message to remember.")
        preview_value = {
            "title": "",
            "text": "Nói điều đã được xác nhận và ai xác nhận; không suy đoán.",
        }


class DoDontBlock(blocks.StructBlock):
    dos = blocks.ListBlock(blocks.CharBlock(label=_("Do")), label=_("Do"))
    donts = blocks.ListBlock(blocks.CharBlock(label=_("Don't")), label=_("Don't"))

    class Meta:
        icon = "list-ul"
        template = "blocks/do_dont_block.html"
        label = _("Do and don't")
        description = _("Two lists side by side: what to do and what to avoid.")
        preview_value = {
            "dos": ["Trả lời đúng câu hỏi, ngắn gọn", "Hẹn thời điểm thông tin tiếp"],
            "donts": ["Nói “miễn bình luận”", "Suy đoán ngoài thẩm quyền"],
        }


class QuotationBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(label=_("Attribution"), max_length=200)
    source = blocks.CharBlock(
        label=_("Source"),
        required=False,
        max_length=255,
        help_text=_("Where it was said or published, e.g. a decree or a briefing."),
    )

    class Meta:
        icon = "openquote"
        template = "blocks/quotation_block.html"
        label = _("Quotation")
        description = _("A quotation with who said it and where.")
        preview_value = {
            "quote": "Thông tin chưa được kiểm chứng thì chưa công bố.",
            "attribution": "Giảng viên khóa học",
            "source": "Nội dung minh họa",
        }


class CaseStudyBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    situation = LessonTextBlock(label=_("Situation"))
    questions = blocks.ListBlock(
        blocks.CharBlock(label=_("Question")), label=_("Questions to consider")
    )

    class Meta:
        icon = "help"
        template = "blocks/case_study_block.html"
        label = _("Case study")
        description = _("A situation from practice and questions to think through.")
        preview_value = {
            "title": "Sự cố sạt lở trong đêm",
            "situation": "<p>Sáng sớm, phóng viên gọi hỏi số người bị ảnh hưởng.</p>",
            "questions": ["Thông tin nào đã được xác nhận?", "Khi nào họp báo?"],
        }


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"), required=True)
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=255,
        help_text=_("Describe the image for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")
        description = _("An image with a caption.")
        preview_value = {"caption": "Một buổi họp báo định kỳ (ảnh minh họa)"}


class VideoBlock(blocks.StructBlock):
    """A video from a URL (embedded) or an uploaded file (played in <video>)."""

    url = EmbedBlock(
        label=_("Video URL"),
        required=False,
        help_text=_("A YouTube or Vimeo address. Leave blank to use a file."),
    )
    file = DocumentChooserBlock(
        label=_("Video file"),
        required=False,
        help_text=_("An uploaded MP4 or WebM document."),
    )
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.TextBlock(
        label=_("Transcript"),
        required=False,
        help_text=_("Learners on a weak connection read this instead."),
    )

    def clean(self, value):
        value = super().clean(value)
        has_url, has_file = bool(value.get("url")), bool(value.get("file"))
        if has_url == has_file:
            message = _("Give either a video URL or a video file, not both.")
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(message)}
            )
        if has_file and document_extension(value["file"]) not in VIDEO_EXTENSIONS:
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(_("Choose an MP4, WebM or OGV file."))
                }
            )
        return value

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"
        label = _("Video")
        description = _("A video from YouTube or Vimeo, or an uploaded video file.")
        preview_value = {
            "url": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
            "title": "Họp báo: những phút đầu tiên",
            "transcript": "Người phát ngôn chào, nêu ba thông điệp, mời đặt câu hỏi.",
        }


class AudioBlock(blocks.StructBlock):
    file = DocumentChooserBlock(
        label=_("Audio file"), help_text=_("An uploaded MP3, M4A or OGG document.")
    )
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.TextBlock(label=_("Transcript"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if document_extension(value.get("file")) not in AUDIO_EXTENSIONS:
            raise StructBlockValidationError(
                block_errors={
                    "file": ValidationError(_("Choose an MP3, M4A, OGG or WAV file."))
                }
            )
        return value

    class Meta:
        icon = "media"
        template = "blocks/audio_block.html"
        label = _("Audio")
        description = _("A sound recording, such as an interview, with a transcript.")
        preview_value = {
            "title": "Phỏng vấn qua điện thoại",
            "transcript": "Phóng viên: Ông có thể xác nhận con số không?",
        }


class DocumentDownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Title"),
        required=False,
        max_length=255,
        help_text=_("Leave blank to use the document's title."),
    )
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        label = _("Document download")
        description = _("A decree, guideline or template to download.")
        preview_value = {
            "title": "Nghị định 09/2017/NĐ-CP",
            "description": "Quy định về phát ngôn và cung cấp thông tin cho báo chí.",
        }


class GlossaryTermBlock(blocks.StructBlock):
    term = blocks.CharBlock(label=_("Term"), max_length=200)
    definition = blocks.TextBlock(label=_("Definition"))

    class Meta:
        icon = "bold"
        template = "blocks/glossary_term_block.html"
        label = _("Glossary term")
        description = _("A term and what it means.")
        preview_value = {
            "term": "Thông cáo báo chí",
            "definition": "Văn bản cơ quan gửi báo chí để công bố thông tin.",
        }


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    items = blocks.ListBlock(blocks.CharBlock(label=_("Item")), label=_("Items"))

    class Meta:
        icon = "tick"
        template = "blocks/checklist_block.html"
        label = _("Checklist")
        description = _("Steps to check, for example before a press conference.")
        preview_value = {
            "title": "Trước khi gặp báo chí",
            "items": ["Chuẩn bị thông điệp chính", "Kiểm tra số liệu với đơn vị"],
        }


class QuizBlock(blocks.StructBlock):
    """The slot in a lesson where a quiz goes; passing it gates 'Mark as done'.

    The quiz is named by its model label: courses sits below quizzes and never
    imports it."""

    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("Quiz"))
    introduction = blocks.CharBlock(
        label=_("Introduction"),
        required=False,
        help_text=_("A sentence shown above the quiz's start button."),
    )

    class Meta:
        icon = "tasks"
        template = "blocks/quiz_block.html"
        label = _("Quiz")
        description = _("A quiz the learner must pass before marking the lesson done.")


class LessonStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    text = LessonTextBlock()
    key_message = CalloutBlock()
    do_dont = DoDontBlock()
    quotation = QuotationBlock()
    case_study = CaseStudyBlock()
    image = CaptionedImageBlock()
    video = VideoBlock()
    audio = AudioBlock()
    document = DocumentDownloadBlock()
    glossary_term = GlossaryTermBlock()
    checklist = ChecklistBlock()
    quiz = QuizBlock()

    class Meta:
        # Passing the lesson's quiz gates "Mark as done": one quiz per lesson.
        block_counts = {"quiz": {"max_num": 1}}
