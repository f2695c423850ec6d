"""The platform's PDF kit (reportlab): what every printed document of the city shares, written once.

* Fonts: Roboto (``smartcity.lib.fonts``: regular, bold, italic), which covers every Vietnamese letter; the styles
  below name its faces, registered with reportlab when this module is imported (a ``Paragraph`` resolves its font
  when it is made, before the document is built).
* The national document header of Decree 30/2020/NĐ-CP (Appendix I): the issuing agency on the left (its parent
  above it, the agency in bold), the national name (Quốc hiệu) and motto (tiêu ngữ) on the right, the motto
  underlined by a solid line as long as itself, then the place and date line ("Hà Nội, ngày … tháng … năm …").
* The paragraph styles of body text, the QR code that leads to the document's page, a table of facts (label: value),
  the administrative phrase of a moment, and the A4 page every document is built on.

Each document module (the desk's slips, the payment receipt…) keeps only what is its own: its title, its facts, its
signature block.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from smartcity.lib import fonts, formats

fonts.register()

BODY = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=11, leading=15)
BOLD = ParagraphStyle("bold", parent=BODY, fontName=fonts.BOLD)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
CENTER_BOLD = ParagraphStyle("center_bold", parent=CENTER, fontName=fonts.BOLD)
ITALIC = ParagraphStyle("italic", parent=CENTER, fontName=fonts.ITALIC)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=12)

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE = "Hà Nội"


def esc(text: object) -> str:
    """Text for a reportlab ``Paragraph`` (whose markup is XML-like): ``&``, ``<`` and ``>`` escaped, None → ""."""
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def when(moment: dt.datetime | None) -> str:
    """A moment as documents write it, in local time: "14 giờ 05 phút, ngày 03/11/2026" ("—" if None)."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def place_and_date(day: dt.date, place: str = PLACE) -> str:
    """The place and date line: "Hà Nội, ngày 03 tháng 11 năm 2026"."""
    return f"{place}, {formats.long_date(day)}"


def national_header(agency_name: str, parent_name: str | None = None) -> Table:
    """The two blocks at the top of the page: the issuing agency (under its parent) left, the national name and
    motto right, the motto underlined ("phía dưới có đường kẻ ngang, nét liền, có độ dài bằng độ dài của dòng chữ",
    Decree 30/2020/NĐ-CP, Appendix I, II.2)."""
    left = [Paragraph(esc(parent_name or "").upper(), CENTER), Paragraph(esc(agency_name).upper(), CENTER_BOLD)]
    underline = HRFlowable(width=stringWidth(MOTTO, CENTER_BOLD.fontName, CENTER_BOLD.fontSize), thickness=0.6,
                           color=colors.black, lineCap="butt", spaceBefore=0, spaceAfter=0)
    right = [Paragraph(NATIONAL_NAME, CENTER_BOLD), Paragraph(MOTTO, CENTER_BOLD), underline]
    table = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "CENTER")]))
    return table


def header(agency_name: str, parent_name: str | None, day: dt.date) -> list[Flowable]:
    """The national header followed by the place and date line, as a document opens."""
    return [national_header(agency_name, parent_name), Spacer(1, 4 * mm), Paragraph(place_and_date(day), ITALIC)]


def facts(rows: Iterable[tuple[str, object]], widths: Sequence[float]) -> Table:
    """A borderless table of ``(label, value)`` rows: the label in bold, the value beside it."""
    table = Table([[Paragraph(esc(label), BOLD), Paragraph(esc(value), BODY)] for label, value in rows],
                  colWidths=list(widths))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return table


def qr(data: str, size: float = 28 * mm) -> Drawing:
    """A QR code of ``data`` (a page's address), ``size`` points square."""
    widget = QrCodeWidget(data)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def build(flowables: list[Flowable], *, title: str, author: str) -> bytes:
    """The PDF of ``flowables`` on A4 with the administrative margins (left 20 mm for binding, others 15 mm)."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title, author=author, lang="vi")
    doc.build(flowables)
    return buffer.getvalue()
