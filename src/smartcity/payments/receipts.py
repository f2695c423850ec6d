"""The electronic receipt of a fee paid online, as a PDF in Vietnamese, laid out like a receipt of fees and charges
(biên lai thu phí, lệ phí): the collecting agency and the national motto, the title, the receipt number, the payer,
what was paid for and the reference, each fee with its amount, the total in numbers and in words, how and when it was
paid (the gateway's transaction number), and the signature block.

It is the platform's confirmation of the payment, printed from the gateway's confirmed transaction; a receipt series
registered with the tax authority (Decree 123/2020/NĐ-CP) is issued by the agency's own receipt system.
The national header, the fonts (Roboto, which covers every Vietnamese letter) and the page come from the platform's
PDF kit, ``smartcity.lib.pdf``.
"""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from smartcity.lib import fonts, formats, pdf
from smartcity.lib.pdf import BODY, BOLD, CENTER, CENTER_BOLD, ITALIC, esc
from smartcity.payments.models import Payment, State
from smartcity.payments.words import amount_in_words

RIGHT = ParagraphStyle("receipt_right", parent=BODY, alignment=TA_RIGHT)
RIGHT_BOLD = ParagraphStyle("receipt_right_bold", parent=RIGHT, fontName=fonts.BOLD)
TITLE = ParagraphStyle("receipt_title", parent=CENTER_BOLD, fontSize=15, leading=20, spaceBefore=8)
SMALL = ParagraphStyle("receipt_small", parent=pdf.SMALL, textColor=colors.HexColor("#444444"))

STAGES = {"receipt": "khi tiếp nhận hồ sơ", "supplement": "khi bổ sung hồ sơ", "return": "khi trả kết quả"}


def money(amount: int) -> str:
    """1250000 → "1.250.000" (Vietnamese thousands separator)."""
    return formats.number(amount)


def render(payment: Payment) -> bytes:
    """The receipt of a paid (or since refunded) payment."""
    paid = timezone.localtime(payment.paid_at)
    agency = payment.agency
    parts: list[Flowable] = [pdf.national_header(agency.name, agency.parent.name if agency.parent else None)]
    parts += [
        Paragraph("BIÊN LAI THU PHÍ, LỆ PHÍ", TITLE),
        Paragraph("(Biên lai điện tử — bản thể hiện)", ITALIC),
        Paragraph(f"Số: <b>{esc(payment.receipt_no)}</b> — Mã thanh toán: <b>{esc(payment.code)}</b>", CENTER),
        Spacer(1, 5 * mm),
    ]
    facts = [
        ("Đơn vị thu", payment.agency.name),
        ("Người nộp", payment.payer_name),
        ("Nội dung thu", f"{payment.purpose} ({STAGES.get(payment.stage, payment.stage)})"),
        ("Mã hồ sơ / đối tượng", payment.reference),
    ]
    parts += [pdf.facts(facts, [50 * mm, 125 * mm]), Spacer(1, 4 * mm)]

    lines = [[Paragraph("STT", CENTER_BOLD), Paragraph("Tên loại phí, lệ phí", BOLD),
              Paragraph("Số tiền (đồng)", RIGHT_BOLD)]]
    for number, item in enumerate(payment.items, start=1):
        lines.append([Paragraph(str(number), CENTER), Paragraph(esc(item["name"]), BODY),
                      Paragraph(money(int(item["amount"])), RIGHT)])
    lines.append(["", Paragraph("Tổng cộng", BOLD), Paragraph(money(payment.amount), RIGHT_BOLD)])
    items = Table(lines, colWidths=[15 * mm, 115 * mm, 45 * mm])
    items.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts += [items, Spacer(1, 3 * mm),
              Paragraph(f"Số tiền bằng chữ: <i>{esc(amount_in_words(payment.amount))}.</i>", BODY),
              Spacer(1, 3 * mm)]

    payment_facts = [
        ("Hình thức thanh toán", "Thanh toán trực tuyến qua cổng thanh toán"
                                 + (f" (ngân hàng {payment.bank_code})" if payment.bank_code else "")),
        ("Mã giao dịch tại cổng", payment.transaction_no or "—"),
        ("Mã tham chiếu", payment.txn_ref or "—"),
        ("Thời điểm thanh toán", pdf.when(payment.paid_at)),
    ]
    parts.append(pdf.facts(payment_facts, [50 * mm, 125 * mm]))
    if payment.state == State.REFUNDED:
        parts += [Spacer(1, 3 * mm), Paragraph("KHOẢN THU NÀY ĐÃ ĐƯỢC HOÀN TIỀN.", CENTER_BOLD)]

    signatures = Table([[
        [Paragraph("Người nộp tiền", CENTER_BOLD), Spacer(1, 14 * mm), Paragraph(esc(payment.payer_name),
                                                                                 CENTER_BOLD)],
        [Paragraph(pdf.place_and_date(paid), ITALIC),
         Paragraph("Đơn vị thu tiền", CENTER_BOLD), Paragraph("(Biên lai điện tử, lập tự động)", ITALIC)],
    ]], colWidths=[85 * mm, 90 * mm])
    signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts += [Spacer(1, 8 * mm), signatures, Spacer(1, 8 * mm),
              Paragraph("Biên lai được lập từ giao dịch đã được cổng thanh toán xác nhận. Tra cứu bằng mã thanh "
                        "toán trên Cổng dịch vụ công Hà Nội.", SMALL)]
    return pdf.build(parts, title=f"Biên lai {payment.receipt_no}", author="Cổng dịch vụ công Hà Nội")
