"""The one-stop desk's printable documents, as PDF in Vietnamese: the receipt and appointment slip, the supplement
request, the refusal, the apology with a new appointment, the notice of stopping, the process-control slip and the
dossier ledger.

Each follows the administrative layout of the national one-stop forms: the agency and the national motto in the
header, the place and date, the title, the body, the signature block. The header, the fonts (Roboto, which covers
every Vietnamese letter), the QR code and the page come from the platform's PDF kit, ``smartcity.lib.pdf``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from smartcity.dossiers import results
from smartcity.dossiers.lifecycle import OPERATIONS
from smartcity.dossiers.models import Dossier, Event
from smartcity.lib import pdf
from smartcity.lib.pdf import BODY, BOLD, CENTER, CENTER_BOLD, ITALIC, SMALL, esc

TITLE = ParagraphStyle("title", parent=CENTER_BOLD, fontSize=14, leading=19, spaceBefore=8, spaceAfter=8)
AUTHOR = "Hệ thống một cửa điện tử"

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


def _tracking(url: str, text: str) -> Table:
    """The QR code of the dossier's tracking page beside the sentence that explains it."""
    return Table([[pdf.qr(url), Paragraph(text, SMALL)]], colWidths=[32 * mm, 143 * mm],
                 style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE")])


def _signature(role: str, name: str = "") -> Table:
    block = [Paragraph(esc(role), CENTER_BOLD), Paragraph("(Ký, ghi rõ họ tên)", ITALIC), Spacer(1, 18 * mm),
             Paragraph(esc(name), CENTER_BOLD)]
    return Table([["", block]], colWidths=[85 * mm, 90 * mm])


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
    parts: list[Flowable] = pdf.header(agency.name, agency.parent.name if agency.parent else None, day)
    parts.append(Paragraph(KINDS[kind], TITLE))
    parts.append(Paragraph(f"Mã hồ sơ: <b>{esc(dossier.code)}</b>", CENTER))
    parts.append(Spacer(1, 4 * mm))
    facts = [
        ("Tên thủ tục", dossier.procedure.name),
        ("Ông/bà", applicant.full_name),
        ("Địa chỉ", ", ".join(filter(None, [applicant.permanent_address, applicant.permanent_unit.full_name]))),
        ("Số điện thoại / thư điện tử", " / ".join(filter(None, [applicant.phone, applicant.email])) or "—"),
        ("Kênh nộp", dossier.get_channel_display()),
    ]
    if dossier.tracking_secret:
        facts.append(("Mã bí mật tra cứu", dossier.tracking_secret))  # with the code, for tracking on the portal
    if kind == "tiep-nhan":
        facts += [("Thời điểm tiếp nhận", pdf.when(dossier.received_at)),
                  ("Ngày hẹn trả kết quả", pdf.when(dossier.appointment_at)),
                  ("Nơi trả kết quả", dossier.receiving_agency.name)]
    if event is not None:
        facts.append(("Lý do", event.note))
    if kind == "xin-loi":
        facts.append(("Ngày hẹn trả kết quả mới", pdf.when(dossier.appointment_at)))
    parts.append(pdf.facts(facts, [55 * mm, 120 * mm]))
    if kind in ("tiep-nhan", "bo-sung"):
        parts += [Spacer(1, 3 * mm), Paragraph("Thành phần hồ sơ:" if kind == "tiep-nhan"
                                               else "Giấy tờ cần bổ sung, hoàn thiện theo yêu cầu trên:", BOLD)]
        for i, document in enumerate(dossier.version.documents, start=1):
            kind_label = {"original": "bản chính", "copy": "bản sao"}.get(document.get("kind"), "bản chính/bản sao")
            parts.append(Paragraph(f"{i}. {esc(document['name'])} ({kind_label}, {document.get('count', 1)} bản)",
                                   BODY))
    if kind == "xin-loi":
        parts += [Spacer(1, 3 * mm), Paragraph(
            "Cơ quan giải quyết chân thành xin lỗi ông/bà vì đã trả kết quả chậm so với ngày hẹn và hẹn lại ngày "
            "trả kết quả như trên.", BODY)]
    if kind == "kiem-soat":
        parts += [Spacer(1, 4 * mm), _control_table(dossier.events.select_related("actor_agency", "actor"))]
    parts += [Spacer(1, 5 * mm),
              _tracking(tracking_url, f"Tra cứu tiến độ hồ sơ tại {esc(tracking_url.split('?')[0])} bằng mã hồ sơ và "
                                      f"mã bí mật tra cứu, hoặc quét mã QR.")]
    parts += [Spacer(1, 6 * mm), _signature("NGƯỜI TIẾP NHẬN" if kind == "tiep-nhan" else "THỦ TRƯỞNG CƠ QUAN",
                                            officer)]
    return pdf.build(parts, title=f"{KINDS[kind]} — {dossier.code}", author=AUTHOR)


def _operation_label(operation: str) -> str:
    return OPERATIONS[operation].label if operation in OPERATIONS else "Nộp hồ sơ"


def _control_table(events: Iterable[Event]) -> Table:
    rows = [[Paragraph(h, BOLD) for h in ("Thời điểm", "Cơ quan", "Người thực hiện", "Thao tác", "Trạng thái")]]
    for e in events:
        rows.append([Paragraph(esc(pdf.when(e.at)), SMALL), Paragraph(esc(e.actor_agency.name if e.actor_agency
                                                                           else "Người nộp"), SMALL),
                     Paragraph(esc(e.actor.get_full_name() if e.actor else ""), SMALL),
                     Paragraph(esc(_operation_label(e.operation)), SMALL),
                     Paragraph(esc(e.get_to_status_display()), SMALL)])
    table = Table(rows, colWidths=[38 * mm, 45 * mm, 32 * mm, 28 * mm, 32 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def result(dossier: Dossier, *, signer: str, tracking_url: str) -> bytes:
    """The result document of an approved dossier, before its signature, in the statutory layout of what the
    procedure returns (``dossiers.results``), with an empty signature field in its signature block; the leader's
    digital signature (with its visible stamp) is added into that field."""
    return results.render(dossier, signer=signer, tracking_url=tracking_url).pdf


def ledger(dossiers: Iterable[Dossier], *, agency_name: str, start: dt.date, end: dt.date) -> bytes:
    """The dossier ledger of an agency for a period: one row per dossier received."""
    parts: list[Flowable] = pdf.header(agency_name, None, timezone.localdate())
    parts.append(Paragraph("SỔ THEO DÕI HỒ SƠ", TITLE))
    parts.append(Paragraph(f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}", CENTER))
    rows = [[Paragraph(h, BOLD) for h in ("STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Tiếp nhận", "Hẹn trả",
                                          "Trạng thái")]]
    for i, d in enumerate(dossiers, start=1):
        rows.append([Paragraph(str(i), SMALL), Paragraph(esc(d.code), SMALL), Paragraph(esc(d.procedure.name), SMALL),
                     Paragraph(esc(d.applicant.full_name), SMALL),
                     Paragraph(esc(f"{timezone.localtime(d.received_at):%d/%m/%Y %H:%M}" if d.received_at else ""),
                               SMALL),
                     Paragraph(esc(f"{timezone.localtime(d.appointment_at):%d/%m/%Y %H:%M}" if d.appointment_at
                                    else ""), SMALL),
                     Paragraph(esc(d.get_status_display()), SMALL)])
    table = Table(rows, colWidths=[10 * mm, 38 * mm, 42 * mm, 28 * mm, 20 * mm, 20 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    parts += [Spacer(1, 4 * mm), table]
    return pdf.build(parts, title=f"Sổ theo dõi hồ sơ — {agency_name}", author=AUTHOR)
