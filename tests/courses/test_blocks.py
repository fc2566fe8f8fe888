"""Every lesson block renders its preview value server-side, without JavaScript."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.template.loader import get_template
from PIL import Image as PillowImage
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.models import Document
from wagtail.embeds import embeds
from wagtail.embeds.exceptions import EmbedNotFoundException
from wagtail.images.models import Image

from courses import blocks

pytestmark = pytest.mark.usefixtures("english")


def render_preview(block):
    """What Wagtail's block preview shows: the template with the preview value."""
    return block.render(block.get_preview_value())


@pytest.fixture
def no_network_embeds(monkeypatch):
    def refuse(url, *args, **kwargs):
        raise EmbedNotFoundException

    monkeypatch.setattr(embeds, "get_embed", refuse)


@pytest.fixture
def document(db):
    def make(name, content=b"demo"):
        doc = Document(title=name)
        doc.file.save(name, ContentFile(content), save=False)
        doc.save()
        return doc

    return make


def test_every_stream_block_has_a_template_description_and_preview():
    for name, block in blocks.LessonStreamBlock().child_blocks.items():
        if name == "quiz":
            continue  # the quizzes app owns the quiz slot and its template
        assert block.meta.template.startswith("blocks/"), name
        get_template(block.meta.template)
        assert block.meta.description, name
        assert block.meta.icon, name
        assert block.get_preview_value(), name


def test_heading_block():
    html = render_preview(blocks.HeadingBlock())
    assert '<h2 class="lesson-heading">Chuẩn bị trước buổi họp báo</h2>' in html
    h3 = blocks.HeadingBlock().render({"text": "Phụ", "level": "h3"})
    assert '<h3 class="lesson-heading">Phụ</h3>' in h3


def test_rich_text_block():
    html = render_preview(blocks.LessonTextBlock())
    assert '<div class="rich-text"><p>Người phát ngôn' in html
    assert "<b>chính xác, kịp thời</b>" in html


def test_callout_block_defaults_its_title():
    html = render_preview(blocks.CalloutBlock())
    assert '<aside class="callout"' in html
    assert "Key message" in html
    assert "Nói điều đã được xác nhận" in html


def test_do_dont_block():
    html = render_preview(blocks.DoDontBlock())
    assert "<li>Trả lời đúng câu hỏi, ngắn gọn</li>" in html
    assert "<li>Nói “miễn bình luận”</li>" in html
    assert html.index("do-dont__col--do") < html.index("do-dont__col--dont")


def test_quotation_block():
    html = render_preview(blocks.QuotationBlock())
    assert "<blockquote><p>Thông tin chưa được kiểm chứng" in html
    assert "— Giảng viên khóa học, <cite>Nội dung minh họa</cite>" in html


def test_case_study_block():
    html = render_preview(blocks.CaseStudyBlock())
    assert '<h3 class="case-study__title">Sự cố sạt lở trong đêm</h3>' in html
    assert "<p>Sáng sớm, phóng viên gọi" in html
    assert "<li>Thông tin nào đã được xác nhận?</li>" in html


@pytest.mark.django_db
def test_image_block_renders_a_sized_rendition_with_alt_text():
    assert "<figcaption>Một buổi họp báo định kỳ" in render_preview(
        blocks.CaptionedImageBlock()
    )
    buffer = io.BytesIO()
    PillowImage.new("RGB", (1200, 600), "#8a1c1c").save(buffer, format="PNG")
    image = Image.objects.create(
        title="Họp báo", file=ImageFile(buffer, name="hop-bao.png")
    )
    block = blocks.CaptionedImageBlock()
    html = block.render(
        block.to_python(
            {"image": image.pk, "alt_text": "Bàn họp báo", "caption": "Ảnh"}
        )
    )
    assert 'alt="Bàn họp báo"' in html
    assert 'width="800"' in html and 'height="400"' in html
    assert 'loading="lazy"' in html


@pytest.mark.django_db
def test_video_block_with_a_url_always_offers_a_link_and_transcript(no_network_embeds):
    html = render_preview(blocks.VideoBlock())
    assert 'href="https://www.youtube.com/watch?v=aqz-KE-bpKQ"' in html
    assert "<summary>Transcript</summary>" in html
    assert "<iframe" not in html


@pytest.mark.django_db
def test_video_block_embeds_when_the_provider_answers(monkeypatch):
    class FakeEmbed:
        html = '<iframe src="https://www.youtube-nocookie.com/embed/x"></iframe>'
        type = "video"
        ratio = 0.5625
        is_responsive = False
        width = 640
        height = 360

    monkeypatch.setattr(embeds, "get_embed", lambda *a, **k: FakeEmbed())
    html = render_preview(blocks.VideoBlock())
    assert '<iframe src="https://www.youtube-nocookie.com/embed/x">' in html


@pytest.mark.django_db
def test_video_block_plays_an_uploaded_file_in_a_video_element(document):
    video = document("hop-bao.mp4")
    block = blocks.VideoBlock()
    value = block.clean(block.to_python({"file": video.pk, "title": "Họp báo"}))
    html = block.render(value)
    assert f'<video controls preload="none" src="{video.url}">' in html
    assert "download" in html


@pytest.mark.django_db
def test_video_block_needs_exactly_one_source(document):
    block = blocks.VideoBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"title": "Không có nguồn"}))
    both = {"url": "https://youtu.be/x", "file": document("a.mp4").pk, "title": "x"}
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python(both))
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"file": document("a.pdf").pk, "title": "x"}))


@pytest.mark.django_db
def test_audio_block_plays_in_an_audio_element(document):
    preview = render_preview(blocks.AudioBlock())
    assert "Phỏng vấn qua điện thoại" in preview and "<audio" not in preview
    recording = document("phong-van.mp3")
    block = blocks.AudioBlock()
    html = block.render(
        block.clean(block.to_python({"file": recording.pk, "title": "PV"}))
    )
    assert '<audio controls preload="none">' in html
    assert f'<source src="{recording.url}" type="audio/mpeg">' in html
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"file": document("x.docx").pk, "title": "x"}))


@pytest.mark.django_db
def test_document_block_links_the_download_with_type_and_size(document):
    preview = render_preview(blocks.DocumentDownloadBlock())
    assert "Nghị định 09/2017/NĐ-CP" in preview
    decree = document("nghi-dinh-09.pdf", b"%PDF-1.4 " + b"x" * 2048)
    block = blocks.DocumentDownloadBlock()
    html = block.render(
        block.to_python({"document": decree.pk, "description": "Văn bản"})
    )
    assert f'href="{decree.url}" download' in html
    assert "nghi-dinh-09.pdf" in html  # the document's title, as no title was given
    assert "PDF · 2.0\xa0KB" in html


def test_glossary_term_block():
    html = render_preview(blocks.GlossaryTermBlock())
    assert "Thông cáo báo chí</dt>" in html
    assert "<dd>Văn bản cơ quan gửi báo chí" in html


def test_checklist_block():
    html = render_preview(blocks.ChecklistBlock())
    assert '<h3 class="checklist__title">Trước khi gặp báo chí</h3>' in html
    assert "<li>Chuẩn bị thông điệp chính</li>" in html


def test_text_blocks_escape_what_trainers_type():
    html = blocks.CalloutBlock().render(
        {"title": "<b>x</b>", "text": "<script>1</script>"}
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
