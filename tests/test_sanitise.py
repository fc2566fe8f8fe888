"""Everything HTML-ish from people passes one allow-list sanitiser."""

import pytest

from config.sanitise import sanitise_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>Xin <b>chào</b></p>", "<p>Xin <b>chào</b></p>"),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<STYLE>p{}</STYLE ><p>x</p>", "<p>x</p>"),
        ('<p onclick="steal()">x</p>', "<p>x</p>"),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="JaVaScRiPt:1">x</a>', "<a>x</a>"),
        ('<a href="java\tscript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="data:text/html,&lt;script&gt;">x</a>', "<a>x</a>"),
        (
            '<a href="https://chinhphu.vn/" target="_blank">x</a>',
            '<a href="https://chinhphu.vn/">x</a>',
        ),
        (
            '<a href="/documents/1/nghi-dinh.pdf">x</a>',
            '<a href="/documents/1/nghi-dinh.pdf">x</a>',
        ),
        (
            '<a href="mailto:phatngon@example.org">x</a>',
            '<a href="mailto:phatngon@example.org">x</a>',
        ),
        ('<img src="x" onerror="alert(1)">ảnh', "ảnh"),
        ('<iframe src="https://evil.example"></iframe>x', "x"),
        ("<p>a<!-- hidden -->b</p>", "<p>ab</p>"),
        ('<b style="color:red">x</b>', "<b>x</b>"),
        ("<p>1 < 2 & 3 > 2</p>", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>"),
    ],
)
def test_sanitise_html_keeps_safe_markup_and_drops_the_rest(dirty, clean):
    assert sanitise_html(dirty) == clean


def test_sanitise_html_handles_empty_values():
    assert sanitise_html("") == ""
    assert sanitise_html(None) == ""


def test_lesson_rich_text_is_sanitised_when_saved_keeping_internal_links():
    from courses.blocks import LessonTextBlock

    block = LessonTextBlock()
    stored = block.get_prep_value(
        block.to_python(
            '<p onmouseover="x()">ok</p><script>alert(1)</script>'
            '<p><a linktype="page" id="3">trang</a> <a href="javascript:x()">y</a></p>'
        )
    )
    assert stored == '<p>ok</p><p><a linktype="page" id="3">trang</a> <a>y</a></p>'


@pytest.mark.django_db
def test_a_lesson_saved_with_unsafe_html_stores_it_clean(site_root):
    from tests.factories import make_course, make_index, make_lesson

    course = make_course(make_index(site_root), lessons=0)
    lesson = make_lesson(
        course,
        body=[
            {"type": "text", "value": "<p>a<img src=x onerror=alert(1)></p>"},
            {
                "type": "case_study",
                "value": {
                    "title": "T",
                    "situation": "<p>b</p><iframe src='//evil'></iframe>",
                    "questions": [],
                },
            },
        ],
    )
    lesson.refresh_from_db()
    raw = lesson.body.raw_data
    assert raw[0]["value"] == "<p>a</p>"
    assert raw[1]["value"]["situation"] == "<p>b</p>"
