"""The electronic receipt of a fee paid online, as a PDF in Vietnamese, laid out like a receipt of fees and charges
(biên lai thu phí, lệ phí): the collecting agency and the national motto, the title, the receipt number, the payer,
what was paid for and the reference, each fee with its amount, the total in numbers and in words, how and when it was
paid (the gateway's transaction number), and the signature block.

It is the platform's confirmation of the payment, printed from the gateway's confirmed transaction; a receipt series
registered with the tax authority (Decree 123/2020/NĐ-CP) is issued by the agency's own receipt system.
Text is set in Roboto (the ``font-roboto`` package), which covers every Vietnamese letter.
"""

from __future__ import annotations

import io
from pathlib import Path

import font_roboto
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from smartcity.payments.models import Payment, State
from smartcity.payments.words import amount_in_words

_FONTS = Path(font_roboto.__file__).parent / "files"
for _name, _file in (("Roboto", "Roboto-Regular.ttf"), ("Roboto-Bold", "Roboto-Bold.ttf"),
                     ("Roboto-Italic", "Roboto-Italic.ttf")):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, str(_FONTS / _file)))

BODY = ParagraphStyle("receipt_body", fontName="Roboto", fontSize=11, leading=15)
BOLD = ParagraphStyle("receipt_bold", parent=BODY, fontName="Roboto-Bold")
RIGHT = ParagraphStyle("receipt_right", parent=BODY, alignment=TA_RIGHT)
RIGHT_BOLD = ParagraphStyle("receipt_right_bold", parent=RIGHT, fontName="Roboto-Bold")
CENTER = ParagraphStyle("receipt_center", parent=BODY, alignment=TA_CENTER)
CENTER_BOLD = ParagraphStyle("receipt_center_bold", parent=CENTER, fontName="Roboto-Bold")
TITLE = ParagraphStyle("receipt_title", parent=CENTER_BOLD, fontSize=15, leading=20, spaceBefore=8)
ITALIC = ParagraphStyle("receipt_italic", parent=CENTER, fontName="Roboto-Italic")
SMALL = ParagraphStyle("receipt_small", parent=BODY, fontSize=9, leading=12, textColor=colors.HexColor("#444444"))

STAGES = {"receipt": "khi tiếp nhận hồ sơ", "supplement": "khi bổ sung hồ sơ", "return": "khi trả kết quả"}


def _esc(text: object) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def money(amount: int) -> str:
    """1250000 → "1.250.000" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".")


def _header(payment: Payment) -> list[Flowable]:
    agency = payment.agency
    left = [Paragraph(_esc(agency.parent.name if agency.parent else "").upper(), CENTER),
            Paragraph(_esc(agency.name).upper(), CENTER_BOLD)]
    right = [Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", CENTER_BOLD),
             Paragraph("Độc lập - Tự do - Hạnh phúc", CENTER_BOLD)]
    table = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table]


def render(payment: Payment) -> bytes:
    """The receipt of a paid (or since refunded) payment."""
    paid = timezone.localtime(payment.paid_at)
    parts: list[Flowable] = _header(payment)
    parts += [
        Paragraph("BIÊN LAI THU PHÍ, LỆ PHÍ", TITLE),
        Paragraph("(Biên lai điện tử — bản thể hiện)", ITALIC),
        Paragraph(f"Số: <b>{_esc(payment.receipt_no)}</b> — Mã thanh toán: <b>{_esc(payment.code)}</b>", CENTER),
        Spacer(1, 5 * mm),
    ]
    facts = [
        ("Đơn vị thu", payment.agency.name),
        ("Người nộp", payment.payer_name),
        ("Nội dung thu", f"{payment.purpose} ({STAGES.get(payment.stage, payment.stage)})"),
        ("Mã hồ sơ / đối tượng", payment.reference),
    ]
    rows = [[Paragraph(_esc(label), BOLD), Paragraph(_esc(value), BODY)] for label, value in facts]
    table = Table(rows, colWidths=[50 * mm, 125 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    parts += [table, Spacer(1, 4 * mm)]

    lines = [[Paragraph("STT", CENTER_BOLD), Paragraph("Tên loại phí, lệ phí", BOLD),
              Paragraph("Số tiền (đồng)", RIGHT_BOLD)]]
    for number, item in enumerate(payment.items, start=1):
        lines.append([Paragraph(str(number), CENTER), Paragraph(_esc(item["name"]), BODY),
                      Paragraph(money(int(item["amount"])), RIGHT)])
    lines.append(["", Paragraph("Tổng cộng", BOLD), Paragraph(money(payment.amount), RIGHT_BOLD)])
    items = Table(lines, colWidths=[15 * mm, 115 * mm, 45 * mm])
    items.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts += [items, Spacer(1, 3 * mm),
              Paragraph(f"Số tiền bằng chữ: <i>{_esc(amount_in_words(payment.amount))}.</i>", BODY),
              Spacer(1, 3 * mm)]

    payment_facts = [
        ("Hình thức thanh toán", "Thanh toán trực tuyến qua cổng thanh toán"
                                 + (f" (ngân hàng {payment.bank_code})" if payment.bank_code else "")),
        ("Mã giao dịch tại cổng", payment.transaction_no or "—"),
        ("Mã tham chiếu", payment.txn_ref or "—"),
        ("Thời điểm thanh toán", f"{paid:%H} giờ {paid:%M} phút, ngày {paid:%d/%m/%Y}"),
    ]
    rows = [[Paragraph(_esc(label), BOLD), Paragraph(_esc(value), BODY)] for label, value in payment_facts]
    table = Table(rows, colWidths=[50 * mm, 125 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    parts.append(table)
    if payment.state == State.REFUNDED:
        parts += [Spacer(1, 3 * mm), Paragraph("KHOẢN THU NÀY ĐÃ ĐƯỢC HOÀN TIỀN.", CENTER_BOLD)]

    signatures = Table([[
        [Paragraph("Người nộp tiền", CENTER_BOLD), Spacer(1, 14 * mm), Paragraph(_esc(payment.payer_name),
                                                                                 CENTER_BOLD)],
        [Paragraph(f"Hà Nội, ngày {paid:%d} tháng {paid:%m} năm {paid:%Y}", ITALIC),
         Paragraph("Đơn vị thu tiền", CENTER_BOLD), Paragraph("(Biên lai điện tử, lập tự động)", ITALIC)],
    ]], colWidths=[85 * mm, 90 * mm])
    signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts += [Spacer(1, 8 * mm), signatures, Spacer(1, 8 * mm),
              Paragraph("Biên lai được lập từ giao dịch đã được cổng thanh toán xác nhận. Tra cứu bằng mã thanh "
                        "toán trên Cổng dịch vụ công Hà Nội.", SMALL)]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Biên lai {payment.receipt_no}",
                            author="Cổng dịch vụ công Hà Nội", lang="vi")
    doc.build(parts)
    return buffer.getvalue()
