"""The one-stop desk's printable documents, as PDF in Vietnamese: the receipt and appointment slip, the supplement
request, the refusal, the apology with a new appointment, the notice of stopping, the process-control slip and the
dossier ledger.

Each follows the administrative layout of the national one-stop forms: the agency and the national motto in the
header, the place and date, the title, the body, the signature block. Text is set in Roboto (the ``font-roboto``
package), which covers every Vietnamese letter; no system font is needed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

import font_roboto
from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from smartcity.dossiers.lifecycle import OPERATIONS
from smartcity.dossiers.models import Dossier, Event

_FONTS = Path(font_roboto.__file__).parent / "files"
pdfmetrics.registerFont(TTFont("Roboto", str(_FONTS / "Roboto-Regular.ttf")))
pdfmetrics.registerFont(TTFont("Roboto-Bold", str(_FONTS / "Roboto-Bold.ttf")))
pdfmetrics.registerFont(TTFont("Roboto-Italic", str(_FONTS / "Roboto-Italic.ttf")))

BODY = ParagraphStyle("body", fontName="Roboto", fontSize=11, leading=15)
BOLD = ParagraphStyle("bold", parent=BODY, fontName="Roboto-Bold")
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
CENTER_BOLD = ParagraphStyle("center_bold", parent=CENTER, fontName="Roboto-Bold")
TITLE = ParagraphStyle("title", parent=CENTER_BOLD, fontSize=14, leading=19, spaceBefore=8, spaceAfter=8)
ITALIC = ParagraphStyle("italic", parent=CENTER, fontName="Roboto-Italic")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=9, leading=12)

KINDS = {
    "tiep-nhan": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "bo-sung": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "tu-choi": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "xin-loi": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "dung-xu-ly": "THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ",
    "kiem-soat": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}
# Which event a document speaks of (its reason and moment); the receipt and control slip need none.
_EVENT_OF = {"bo-sung": "request_supplement", "tu-choi": "refuse", "xin-loi": "extend", "dung-xu-ly": "stop"}


def _esc(text: object) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def _header(agency_name: str, parent_name: str | None, day: dt.date) -> list[Flowable]:
    left = [Paragraph(_esc(parent_name or "").upper(), CENTER), Paragraph(_esc(agency_name).upper(), CENTER_BOLD)]
    right = [Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", CENTER_BOLD),
             Paragraph("Độc lập - Tự do - Hạnh phúc", CENTER_BOLD)]
    table = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table, Spacer(1, 4 * mm),
            Paragraph(f"Hà Nội, ngày {day:%d} tháng {day:%m} năm {day:%Y}", ITALIC)]


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url)
    x1, y1, x2, y2 = widget.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def _signature(role: str, name: str = "") -> Table:
    block = [Paragraph(_esc(role), CENTER_BOLD), Paragraph("(Ký, ghi rõ họ tên)", ITALIC), Spacer(1, 18 * mm),
             Paragraph(_esc(name), CENTER_BOLD)]
    return Table([["", block]], colWidths=[85 * mm, 90 * mm])


def _render(flowables: list[Flowable], title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=title, author="Hệ thống một cửa điện tử", lang="vi")
    doc.build(flowables)
    return buffer.getvalue()


def _last_event(dossier: Dossier, operation: str) -> Event | None:
    return dossier.events.filter(operation=operation).order_by("-at", "-id").first()


def available(dossier: Dossier) -> list[str]:
    """The documents that exist for the dossier in its current history."""
    kinds = ["kiem-soat"]
    if dossier.received_at:
        kinds.insert(0, "tiep-nhan")
    done = set(dossier.events.values_list("operation", flat=True))
    kinds += [kind for kind, operation in _EVENT_OF.items() if operation in done]
    return kinds


def render(dossier: Dossier, kind: str, *, tracking_url: str, officer: str = "") -> bytes:
    """The PDF of one document of ``dossier`` (``kind`` from ``available``)."""
    if kind not in available(dossier):
        raise ValueError(kind)
    agency = dossier.receiving_agency if kind in ("tiep-nhan", "tu-choi") else dossier.agency
    event = _last_event(dossier, _EVENT_OF[kind]) if kind in _EVENT_OF else None
    day = timezone.localtime(event.at if event else dossier.received_at or dossier.submitted_at).date()
    applicant = dossier.applicant
    parts: list[Flowable] = _header(agency.name, agency.parent.name if agency.parent else None, day)
    parts.append(Paragraph(KINDS[kind], TITLE))
    parts.append(Paragraph(f"Mã hồ sơ: <b>{_esc(dossier.code)}</b>", CENTER))
    parts.append(Spacer(1, 4 * mm))
    facts = [
        ("Tên thủ tục", dossier.procedure.name),
        ("Ông/bà", applicant.full_name),
        ("Địa chỉ", ", ".join(filter(None, [applicant.permanent_address, applicant.permanent_unit.full_name]))),
        ("Số điện thoại / thư điện tử", " / ".join(filter(None, [applicant.phone, applicant.email])) or "—"),
        ("Kênh nộp", dossier.get_channel_display()),
    ]
    if kind == "tiep-nhan":
        facts += [("Thời điểm tiếp nhận", _when(dossier.received_at)),
                  ("Ngày hẹn trả kết quả", _when(dossier.appointment_at)),
                  ("Nơi trả kết quả", dossier.receiving_agency.name)]
    if event is not None:
        facts.append(("Lý do", event.note))
    if kind == "xin-loi":
        facts.append(("Ngày hẹn trả kết quả mới", _when(dossier.appointment_at)))
    rows = [[Paragraph(_esc(label), BOLD), Paragraph(_esc(value), BODY)] for label, value in facts]
    table = Table(rows, colWidths=[55 * mm, 120 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    parts.append(table)
    if kind in ("tiep-nhan", "bo-sung"):
        parts += [Spacer(1, 3 * mm), Paragraph("Thành phần hồ sơ:" if kind == "tiep-nhan"
                                               else "Giấy tờ cần bổ sung, hoàn thiện theo yêu cầu trên:", BOLD)]
        for i, document in enumerate(dossier.version.documents, start=1):
            kind_label = {"original": "bản chính", "copy": "bản sao"}.get(document.get("kind"), "bản chính/bản sao")
            parts.append(Paragraph(f"{i}. {_esc(document['name'])} ({kind_label}, {document.get('count', 1)} bản)",
                                   BODY))
    if kind == "xin-loi":
        parts += [Spacer(1, 3 * mm), Paragraph(
            "Cơ quan giải quyết chân thành xin lỗi ông/bà vì đã trả kết quả chậm so với ngày hẹn và hẹn lại ngày "
            "trả kết quả như trên.", BODY)]
    if kind == "kiem-soat":
        parts += [Spacer(1, 4 * mm), _control_table(dossier.events.select_related("actor_agency", "actor"))]
    parts += [Spacer(1, 5 * mm), Table([[_qr(tracking_url), Paragraph(
        f"Tra cứu tiến độ hồ sơ tại {_esc(tracking_url)} hoặc quét mã QR.", SMALL)]],
        colWidths=[32 * mm, 143 * mm], style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")])]
    parts += [Spacer(1, 6 * mm), _signature("NGƯỜI TIẾP NHẬN" if kind == "tiep-nhan" else "THỦ TRƯỞNG CƠ QUAN",
                                            officer)]
    return _render(parts, f"{KINDS[kind]} — {dossier.code}")


def _operation_label(operation: str) -> str:
    return OPERATIONS[operation].label if operation in OPERATIONS else "Nộp hồ sơ"


def _control_table(events: Iterable[Event]) -> Table:
    rows = [[Paragraph(h, BOLD) for h in ("Thời điểm", "Cơ quan", "Người thực hiện", "Thao tác", "Trạng thái")]]
    for e in events:
        rows.append([Paragraph(_esc(_when(e.at)), SMALL), Paragraph(_esc(e.actor_agency.name if e.actor_agency
                                                                           else "Người nộp"), SMALL),
                     Paragraph(_esc(e.actor.get_full_name() if e.actor else ""), SMALL),
                     Paragraph(_esc(_operation_label(e.operation)), SMALL),
                     Paragraph(_esc(e.get_to_status_display()), SMALL)])
    table = Table(rows, colWidths=[38 * mm, 45 * mm, 32 * mm, 28 * mm, 32 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def result(dossier: Dossier, *, signer: str, tracking_url: str) -> bytes:
    """The result document of an approved dossier, before its signature: what was decided, for whom, with the
    declaration's content. The leader's digital signature (with its visible stamp) is added over it."""
    agency = dossier.agency
    day = timezone.localtime(dossier.finished_at or timezone.now()).date()
    parts: list[Flowable] = _header(agency.name, agency.parent.name if agency.parent else None, day)
    parts.append(Paragraph(_esc((dossier.procedure.result or "Kết quả giải quyết thủ tục hành chính").upper()),
                           TITLE))
    parts.append(Paragraph(f"Số: <b>{_esc(dossier.code)}</b>", CENTER))
    parts.append(Spacer(1, 4 * mm))
    facts = [("Thủ tục", dossier.procedure.name), ("Cấp cho ông/bà", dossier.applicant.full_name)]
    facts += [(f["label"], dossier.data.get(f["name"])) for f in dossier.version.form
              if f["type"] not in ("file", "id_number") and dossier.data.get(f["name"]) not in (None, "")]
    rows = [[Paragraph(_esc(label), BOLD), Paragraph(_esc(value), BODY)] for label, value in facts]
    table = Table(rows, colWidths=[65 * mm, 110 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    parts += [table, Spacer(1, 4 * mm), Paragraph(
        "Văn bản điện tử này được ký số bởi người có thẩm quyền và có giá trị pháp lý như bản giấy. Kiểm tra chữ ký "
        "số tại trang «Xác minh chữ ký số» của Cổng dịch vụ công.", SMALL)]
    parts += [Spacer(1, 5 * mm), Table([[_qr(tracking_url), Paragraph(
        f"Tra cứu hồ sơ tại {_esc(tracking_url)} hoặc quét mã QR.", SMALL)]],
        colWidths=[32 * mm, 143 * mm], style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")])]
    parts += [Spacer(1, 6 * mm), _signature("THỦ TRƯỞNG CƠ QUAN", signer)]
    return _render(parts, f"{dossier.procedure.result or 'Kết quả'} — {dossier.code}")


def ledger(dossiers: Iterable[Dossier], *, agency_name: str, start: dt.date, end: dt.date) -> bytes:
    """The dossier ledger of an agency for a period: one row per dossier received."""
    parts: list[Flowable] = _header(agency_name, None, timezone.localdate())
    parts.append(Paragraph("SỔ THEO DÕI HỒ SƠ", TITLE))
    parts.append(Paragraph(f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}", CENTER))
    rows = [[Paragraph(h, BOLD) for h in ("STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Tiếp nhận", "Hẹn trả",
                                          "Trạng thái")]]
    for i, d in enumerate(dossiers, start=1):
        rows.append([Paragraph(str(i), SMALL), Paragraph(_esc(d.code), SMALL), Paragraph(_esc(d.procedure.name), SMALL),
                     Paragraph(_esc(d.applicant.full_name), SMALL),
                     Paragraph(_esc(f"{timezone.localtime(d.received_at):%d/%m/%Y %H:%M}" if d.received_at else ""),
                               SMALL),
                     Paragraph(_esc(f"{timezone.localtime(d.appointment_at):%d/%m/%Y %H:%M}" if d.appointment_at
                                    else ""), SMALL),
                     Paragraph(_esc(d.get_status_display()), SMALL)])
    table = Table(rows, colWidths=[10 * mm, 38 * mm, 42 * mm, 28 * mm, 20 * mm, 20 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts += [Spacer(1, 4 * mm), table]
    return _render(parts, f"Sổ theo dõi hồ sơ — {agency_name}")
