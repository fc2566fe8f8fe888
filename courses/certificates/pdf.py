"""A certificate as a PDF, in Vietnamese, with the DejaVu Sans font bundled in
fonts/ embedded so that every diacritic shows on any machine. Its code is
printed with a QR code of the public verification page.
"""

import io
import unicodedata
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..models import Certificate
from .services import verification_url

FONT_DIR = Path(__file__).resolve().parent / "fonts"


FONT = "DejaVuSans"


FONT_BOLD = "DejaVuSans-Bold"


BRAND = HexColor("#8a1c1c")


INK = HexColor("#1a1a1a")


MUTED = HexColor("#4a4a4a")


REVOKED = HexColor("#a11b1b")


@cache
def register_fonts() -> None:
    """Once per process: parsing the TTF files is most of the cost of a PDF."""
    pdfmetrics.registerFont(TTFont(FONT, FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))


def _text(value: str) -> str:
    # Precomposed letters only: the PDF has no text shaping to place a combining
    # mark over its letter.
    return unicodedata.normalize("NFC", value or "")


def format_date(value) -> str:
    """dd/mm/yyyy in the site's time zone, as Vietnamese documents write dates."""
    return timezone.localtime(value).strftime("%d/%m/%Y")


def format_score(value: Decimal | None) -> str:
    """A percentage with at most two decimals in the active language: 92,5 %."""
    if value is None:
        return ""
    value = value.quantize(Decimal("0.01"))
    places = next(p for p in (0, 1, 2) if value == round(value, p))
    return f"{number_format(value, places)} %"


class _Sheet:
    """Centred lines down an A4 landscape page."""

    def __init__(self, canvas: Canvas, width: float):
        self.canvas = canvas
        self.width = width

    def lines(
        self, text, *, y, font, size, leading=None, colour=INK, most=1, smallest=None
    ):
        """Draw text wrapped to at most `most` lines (the last one cut with …),
        first shrinking it down to `smallest` points to fit on one; returns the
        baseline below the last line."""
        text, room = _text(text), self.width - 200
        while smallest and size > smallest and stringWidth(text, font, size) > room:
            size -= 1
        lines = simpleSplit(text, font, size, room)
        if len(lines) > most:
            lines = lines[:most]
            lines[-1] = lines[-1].rstrip() + "…"
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(colour)
        for line in lines:
            self.canvas.drawCentredString(self.width / 2, y, line)
            y -= leading or size * 1.3
        return y


def _qr(canvas, url: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M", barBorder=0)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size,
        size,
        transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0],
        # Otherwise the drawing selects Helvetica, unembedded, though it has no text.
        initialFontName=FONT,
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF, in Vietnamese."""
    register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        pageCompression=1,
        initialFontName=FONT,
    )
    sheet = _Sheet(canvas, width)
    with translation.override("vi"):
        title = pgettext("certificate heading", "Certificate")
        canvas.setTitle(f"{title} {certificate.code}")
        canvas.setAuthor(settings.CERTIFICATE_ISSUER)
        canvas.setSubject(_text(certificate.course_title))

        # A double frame, and a rule under the heading.
        canvas.setStrokeColor(BRAND)
        canvas.setLineWidth(3)
        canvas.rect(22, 22, width - 44, height - 44)
        canvas.setLineWidth(0.75)
        canvas.rect(30, 30, width - 60, height - 60)
        canvas.line(width / 2 - 60, height - 152, width / 2 + 60, height - 152)

        sheet.lines(
            settings.CERTIFICATE_ISSUER.upper(),
            y=height - 72,
            font=FONT_BOLD,
            size=11,
            colour=MUTED,
            most=2,
        )
        sheet.lines(
            title.upper(), y=height - 135, font=FONT_BOLD, size=36, colour=BRAND
        )
        sheet.lines(gettext("This certifies that"), y=height - 192, font=FONT, size=13)
        y = sheet.lines(
            certificate.learner_name,
            y=height - 232,
            font=FONT_BOLD,
            size=28,
            smallest=20,
            most=2,
        )
        if certificate.agency_name:
            y = sheet.lines(
                certificate.agency_name,
                y=y + 6,
                font=FONT,
                size=13,
                colour=MUTED,
                most=2,
            )
        # Long names and agencies push the rest down.
        y = sheet.lines(
            gettext("has completed the course"),
            y=min(height - 300, y - 18),
            font=FONT,
            size=13,
        )
        y = sheet.lines(
            certificate.course_title, y=y - 8, font=FONT_BOLD, size=18, most=3
        )
        facts = [
            gettext("Completed on %(date)s")
            % {"date": format_date(certificate.completed_at)}
        ]
        if certificate.score is not None:
            facts.append(
                gettext("Score: %(score)s") % {"score": format_score(certificate.score)}
            )
        canvas.setFont(FONT, 12)
        canvas.drawCentredString(width / 2, y - 10, "   ·   ".join(facts))

        # Bottom left: the QR code of the verification page, and the code.
        url = verification_url(certificate)
        qr_size, left = 84, 56
        _qr(canvas, url, x=left, y=50, size=qr_size)
        text_x = left + qr_size + 14
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 9)
        canvas.drawString(text_x, 120, gettext("Verification code"))
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 16)
        canvas.drawString(text_x, 100, certificate.code)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 8)
        canvas.drawString(text_x, 76, gettext("Check it at:"))
        canvas.drawString(text_x, 65, url)

        # Bottom right: when, and by whom, it was issued.
        canvas.setFillColor(INK)
        canvas.setFont(FONT, 11)
        issued = gettext("Issued on %(date)s") % {
            "date": format_date(certificate.issued_at)
        }
        canvas.drawRightString(width - 60, 100, issued)

        if certificate.is_revoked:
            # A band across the top, over nothing else: the rest stays legible.
            canvas.setFillColor(REVOKED)
            canvas.rect(30, height - 56, width - 60, 26, stroke=0, fill=1)
            canvas.setFillColor(HexColor("#ffffff"))
            canvas.setFont(FONT_BOLD, 13)
            canvas.drawCentredString(
                width / 2,
                height - 47,
                gettext("REVOKED: this certificate is no longer valid").upper(),
            )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificate_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"
