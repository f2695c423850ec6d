"""The result documents a procedure returns, each in its statutory layout, ready for the leader's signature.

A layout is chosen by the procedure's national code (``LAYOUTS``); a procedure without one gets the generic result
(the decision, for whom, the declaration's content). Every layout carries the national header (``lib.pdf``), the
issuing body, the document's number, the fields its form carries — filled from the dossier's declaration and, where
the form asks for facts the declaration does not hold (ethnicity, nationality, residence, household head), from the
population record — and the signature block where the form puts it: bottom right, the signer's title, the note on
how it is signed, the room for the signature and seal, then the signer's name.

That room is an empty PAdES signature field (``SIGNATURE_FIELD``) written into the PDF here, at the rectangle the
page layout gave it; ``signing.services`` signs into an empty field when the document has one, so the leader's
visible stamp lands where the paper form has the signature and seal.

The forms followed (the wording of our labels is ours, the fields are the forms'):

* Giấy khai sinh — Circular 04/2020/TT-BTP (form of the original birth certificate), Law on Civil Status 2014,
  Art. 14: the child's names, sex, date of birth in numbers and in words, place of birth, home town, ethnicity,
  nationality, personal identification number; each parent's names, year of birth, ethnicity, nationality,
  residence; who registered the birth; where and when; number and book.
* Giấy chứng nhận kết hôn — Circular 04/2020/TT-BTP: the two spouses' fields side by side, where and when the
  marriage was registered, number and book, both spouses' signatures beside the signer's.
* Xác nhận thông tin về cư trú — form CT07, Circular 55/2021/TT-BCA as amended by Circular 66/2023/TT-BCA.
* Phiếu lý lịch tư pháp số 1 (or số 2) — Law on Judicial Records 2009, Art. 42 and 43.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from smartcity.dossiers.models import Dossier
from smartcity.lib import formats, pdf
from smartcity.lib.pdf import BODY, BOLD, CENTER_BOLD, ITALIC, SMALL, esc
from smartcity.population.models import Citizen

TITLE = ParagraphStyle("result_title", parent=CENTER_BOLD, fontSize=15, leading=20, spaceBefore=8, spaceAfter=4)
LINE = ParagraphStyle("result_line", parent=BODY, spaceAfter=2)
NOTE = ParagraphStyle("result_note", parent=ITALIC, fontSize=9.5, leading=12)
PLAIN_ITALIC = ParagraphStyle("result_plain_italic", parent=BODY, fontName=ITALIC.fontName, fontSize=10, leading=13)
AUTHOR = "Hệ thống một cửa điện tử"
SIGNATURE_FIELD = "ChuKy1"
# The room left for the signature and seal between the signer's title and name (Decree 30/2020/NĐ-CP, Appendix I:
# the seal covers about a third of the signature, to its left): wide and tall enough for the visible stamp's four
# lines of the signing service.
SLOT_WIDTH, SLOT_HEIGHT = 68 * mm, 26 * mm
# The width tables may take: A4 less the margins (20 mm left, 15 mm right) and the frame's padding (6 pt a side).
WIDTH = 175 * mm - 12
NATIONALITIES = {"VN": "Việt Nam"}
NO_CONVICTION = "Không có án tích"
NO_BAN = "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"


@dataclass(frozen=True)
class Box:
    """Where the signature goes: a 0-based page index and a rectangle in PDF points from the bottom left."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    def rounded(self) -> tuple[int, int, int, int]:
        return round(self.x1), round(self.y1), round(self.x2), round(self.y2)


class SignatureSlot(Flowable):
    """Empty room of the signature block that notes where the page put it, for the signature field."""

    def __init__(self, found: list[Box], width: float = SLOT_WIDTH, height: float = SLOT_HEIGHT) -> None:
        super().__init__()
        self.width, self.height, self.found = width, height, found

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.found.append(Box(self.canv.getPageNumber() - 1, x, y, x + self.width, y + self.height))


@dataclass
class Facts:
    """What a layout reads: the dossier, its declaration, the applicant's record, the issuing body and day."""

    dossier: Dossier
    signer: str
    tracking_url: str
    day: dt.date
    data: dict[str, object] = field(init=False)

    def __post_init__(self) -> None:
        self.data = dict(self.dossier.data or {})

    def text(self, name: str, default: str = "") -> str:
        value = self.data.get(name)
        return default if value in (None, "") else str(value)

    def date(self, name: str) -> dt.date | None:
        try:
            return formats.parse_date(self.text(name))
        except ValueError:
            return None

    def person(self, id_field: str) -> Citizen | None:
        """The population record of the ID number the declaration gives in ``id_field`` (the competent body reads
        it to fill the form, as the civil-status officer does from the national population database)."""
        number = self.text(id_field)
        if not number:
            return None
        return (Citizen.objects.select_related("permanent_unit__parent__parent", "temporary_unit__parent__parent",
                                               "household__head").filter(id_number=number).first())


@dataclass(frozen=True)
class Layout:
    """One statutory form: its title, its body, its signer's title (lines) and the note under it."""

    key: str
    title: Callable[[Facts], str]
    body: Callable[[Facts], list[Flowable]]
    signer_title: tuple[str, ...]
    signer_note: str = "(Ký, ghi rõ họ tên và đóng dấu)"
    # The left part of the signature row (the spouses' signatures, the QR code…); the QR code by default.
    beside: Callable[[Facts], list[list[Flowable | str]]] | None = None
    number: Callable[[Facts], list[str]] = lambda f: [f"Số: {f.dossier.code}"]


# ------------------------------------------------------------------------------------------------ helpers

def nationality(code: str | None) -> str:
    return NATIONALITIES.get((code or "").upper(), code or "")


def residence(citizen: Citizen | None, kind: str = "permanent") -> str:
    if citizen is None:
        return ""
    unit = getattr(citizen, f"{kind}_unit")
    return ", ".join(filter(None, [getattr(citizen, f"{kind}_address"), unit.full_name if unit else ""]))


def province_of(citizen: Citizen | None) -> str:
    unit = citizen.permanent_unit if citizen is not None else None
    while unit is not None and unit.parent is not None:
        unit = unit.parent
    return unit.name if unit is not None else ""


def rows(pairs: list[tuple[str, object]], label_width: float = 62 * mm) -> Table:
    """The form's lines: the label, a colon, the value; an empty value is a dotted line, as on paper."""
    table = Table([[Paragraph(esc(label) + ":", BODY), Paragraph(esc(value) if value not in (None, "") else "…",
                                                                   BOLD)] for label, value in pairs],
                  colWidths=[label_width, WIDTH - label_width])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def line(*pairs: tuple[str, object]) -> Paragraph:
    """One line of the paper form holding one or more ``label: value`` pairs, the values in bold."""
    gap = "&nbsp;" * 6
    return Paragraph(gap.join(f'{esc(label)}: <font name="{BOLD.fontName}">'
                              f"{esc(value) if value not in (None, '') else '…'}</font>"
                              for label, value in pairs), LINE)


def heading(text: str) -> Paragraph:
    return Paragraph(esc(text), ParagraphStyle("section", parent=BOLD, spaceBefore=5, spaceAfter=2))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tracking(facts: Facts) -> list[list[Flowable | str]]:
    """The left of the signature rows by default: the QR code of the dossier's tracking page, spanning them."""
    block = [pdf.qr(facts.tracking_url, 24 * mm),
             Paragraph("Quét mã QR hoặc tra cứu bằng mã hồ sơ trên Cổng dịch vụ công; kiểm tra chữ ký số tại trang "
                       "«Xác minh chữ ký số».", SMALL)]
    return [[block, "", "", "", ""]]


# ------------------------------------------------------------------------------------------------ birth

def _parent_record(facts: Facts, who: str) -> Citizen | None:
    """A parent's population record: by the ID number the declaration gives, else the applicant when the applicant
    declared being that parent ("Quan hệ với người được khai sinh: Cha/Mẹ")."""
    record = facts.person(f"{who}_id_number")
    if record is None and facts.text("relationship") == ("Mẹ" if who == "mother" else "Cha"):
        record = facts.dossier.applicant
    return record


def _parent(facts: Facts, who: str) -> list[Flowable]:
    record = _parent_record(facts, who)
    label = "mẹ" if who == "mother" else "cha"
    if record is not None:
        name, born, ethnicity = record.full_name, str(record.date_of_birth.year), record.ethnicity
        nation, lives = nationality(record.nationality), residence(record)
    else:
        name, born, ethnicity = (facts.text(f"{who}_full_name"), facts.text(f"{who}_year_of_birth"),
                                 facts.text(f"{who}_ethnicity"))
        nation, lives = facts.text(f"{who}_nationality"), facts.text(f"{who}_residence")
    return [line((f"Họ, chữ đệm, tên người {label}", name)),
            line(("Năm sinh", born), ("Dân tộc", ethnicity), ("Quốc tịch", nation)),
            line(("Nơi cư trú", lives))]


def _birth(facts: Facts) -> list[Flowable]:
    born = facts.date("child_date_of_birth")
    mother, father = _parent_record(facts, "mother"), _parent_record(facts, "father")
    # Home town follows a parent's (Decree 123/2015/NĐ-CP, Art. 4); the registry holds none, so the declaration's
    # own answer, else the province of the father's (or mother's) permanent residence.
    home = facts.text("child_home_town") or province_of(father) or province_of(mother)
    parent = father or mother
    nation = facts.text("child_nationality") or nationality(parent.nationality if parent else "VN")
    return [
        line(("Họ, chữ đệm, tên", facts.text("child_full_name").upper())),
        line(("Ngày, tháng, năm sinh", formats.date(born) if born else "")),
        line(("Ghi bằng chữ", capitalised(formats.date_in_words(born)) if born else "")),
        line(("Giới tính", facts.text("child_sex")), ("Dân tộc", facts.text("child_ethnicity")),
             ("Quốc tịch", nation)),
        line(("Nơi sinh", facts.text("child_place_of_birth"))),
        line(("Quê quán", home)),
        line(("Số định danh cá nhân", facts.text("child_id_number"))),
        heading("Thông tin về người mẹ"), *_parent(facts, "mother"),
        heading("Thông tin về người cha"), *_parent(facts, "father"),
        Spacer(1, 2 * mm),
        line(("Họ, chữ đệm, tên người đi đăng ký khai sinh",
              facts.text("applicant_full_name", facts.dossier.applicant.full_name))),
        line(("Giấy tờ tùy thân", f"Số định danh cá nhân {facts.text('applicant_id_number')}")),
        line(("Quan hệ với người được khai sinh", facts.text("relationship"))),
        line(("Nơi đăng ký khai sinh", _issuer(facts))),
        line(("Ngày, tháng, năm đăng ký", formats.date(facts.day))),
    ]


def _issuer(facts: Facts) -> str:
    agency = facts.dossier.agency
    return ", ".join(filter(None, [agency.name, agency.unit.parent.name if agency.unit.parent else ""]))


def _book(facts: Facts) -> list[str]:
    """The number and the register book: the civil-status book of the year at the registering body."""
    return [f"Số: {facts.dossier.code}", f"Quyển số: 01/{facts.day.year}"]


# ------------------------------------------------------------------------------------------------ marriage

def _spouse(facts: Facts, who: str) -> list[str]:
    record = facts.person(f"{who}_id_number")
    born = facts.date(f"{who}_date_of_birth")
    return [facts.text(f"{who}_full_name").upper(), formats.date(born) if born else "",
            record.ethnicity if record else facts.text(f"{who}_ethnicity"),
            nationality(record.nationality) if record else facts.text(f"{who}_nationality", "Việt Nam"),
            facts.text(f"{who}_residence") or residence(record),
            facts.text(f"{who}_id_number")]


def _marriage(facts: Facts) -> list[Flowable]:
    labels = ["Họ, chữ đệm, tên", "Ngày, tháng, năm sinh", "Dân tộc", "Quốc tịch", "Nơi cư trú",
              "Số định danh cá nhân"]
    husband, wife = _spouse(facts, "husband"), _spouse(facts, "wife")
    table = Table([[Paragraph("", BOLD), Paragraph("Thông tin người chồng", CENTER_BOLD),
                    Paragraph("Thông tin người vợ", CENTER_BOLD)]] +
                  [[Paragraph(esc(label) + ":", BODY), Paragraph(esc(h) or "…", BOLD), Paragraph(esc(w) or "…", BOLD)]
                   for label, h, w in zip(labels, husband, wife, strict=True)],
                  colWidths=[41 * mm, (WIDTH - 41 * mm) / 2, (WIDTH - 41 * mm) / 2])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEAFTER", (1, 0), (1, -1), 0.4, colors.grey),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3), ("LEFTPADDING", (0, 0), (0, -1), 0)]))
    return [table, Spacer(1, 3 * mm), line(("Nơi đăng ký kết hôn", _issuer(facts))),
            line(("Ngày, tháng, năm đăng ký", formats.date(facts.day)))]


def _spouses_sign(facts: Facts) -> list[list[Flowable | str]]:
    """Each spouse's column of the signature rows: title, note, room to sign, name (level with the signer's)."""
    def column(label: str, who: str) -> list[Flowable | str]:
        return ["", Paragraph(label, CENTER_BOLD), Paragraph("(Ký, ghi rõ họ, chữ đệm, tên)", NOTE), "",
                Paragraph(esc(facts.text(f"{who}_full_name")), CENTER_BOLD)]

    return [column("Chồng", "husband"), column("Vợ", "wife")]


# ------------------------------------------------------------------------------------------------ residence

def _residence(facts: Facts) -> list[Flowable]:
    person = facts.dossier.applicant
    head = person.household.head if person.household_id and person.household else None
    name = facts.text("applicant_full_name", person.full_name)
    parts: list[Flowable] = [
        Paragraph(f"{esc(facts.dossier.agency.name)} xác nhận thông tin về cư trú của công dân như sau:", BODY),
        Spacer(1, 2 * mm),
        rows([
            ("1. Họ, chữ đệm và tên", name.upper()),
            ("2. Ngày, tháng, năm sinh", formats.date(person.date_of_birth)),
            ("3. Giới tính", person.get_sex_display()),
            ("4. Số định danh cá nhân", person.id_number),
            ("5. Dân tộc", person.ethnicity),
            ("6. Quốc tịch", nationality(person.nationality)),
            ("7. Nơi thường trú", residence(person)),
            ("8. Nơi tạm trú", residence(person, "temporary") or "Không"),
            ("9. Nơi ở hiện tại", residence(person, "temporary") or residence(person)),
            ("10. Họ, chữ đệm và tên chủ hộ", head.full_name if head else ""),
            ("11. Quan hệ với chủ hộ", "Chủ hộ" if head is not None and head.pk == person.pk
             else person.relation_to_head),
            ("12. Số định danh cá nhân của chủ hộ", head.id_number if head else ""),
        ], 70 * mm),
    ]
    if facts.text("content") == "Thông tin thành viên hộ gia đình" and person.household_id:
        members = Citizen.objects.filter(household_id=person.household_id).order_by("date_of_birth", "id")
        table = Table([[Paragraph(h, ParagraphStyle("th", parent=SMALL, fontName=BOLD.fontName)) for h in ("TT", "Họ, chữ đệm và tên", "Ngày sinh", "Giới tính",
                                                      "Số định danh cá nhân", "Quan hệ với chủ hộ")]] +
                      [[Paragraph(str(i), SMALL), Paragraph(esc(m.full_name), SMALL),
                        Paragraph(formats.date(m.date_of_birth), SMALL), Paragraph(m.get_sex_display(), SMALL),
                        Paragraph(m.id_number, SMALL), Paragraph(esc(m.relation_to_head or "—"), SMALL)]
                       for i, m in enumerate(members, start=1)],
                      colWidths=[10 * mm, 48 * mm, 22 * mm, 18 * mm, 36 * mm, WIDTH - 134 * mm], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        parts += [heading("13. Thành viên hộ gia đình"), table]
    parts += [Spacer(1, 2 * mm), rows([("Nội dung xác nhận", facts.text("content")),
                                       ("Mục đích sử dụng", facts.text("purpose", "—"))], 70 * mm),
              Paragraph("Giấy xác nhận này có giá trị 01 năm kể từ ngày cấp; trường hợp thông tin về cư trú của "
                        "công dân thay đổi thì giấy hết giá trị từ thời điểm thay đổi.", PLAIN_ITALIC)]
    return parts


# ------------------------------------------------------------------------------------------------ judicial record

def _card(facts: Facts) -> str:
    return "2" if facts.text("card_type") == "Phiếu số 2" else "1"


def _judicial_record(facts: Facts) -> list[Flowable]:
    person = facts.dossier.applicant
    name = facts.text("applicant_full_name", person.full_name)
    born = facts.date("date_of_birth") or person.date_of_birth
    return [
        Paragraph("Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;", ITALIC),
        Paragraph(f"Xét yêu cầu của ông/bà {esc(name)} (hồ sơ {esc(facts.dossier.code)}),", ITALIC),
        Spacer(1, 2 * mm), Paragraph("XÁC NHẬN:", CENTER_BOLD), Spacer(1, 1 * mm),
        rows([
            ("Họ, chữ đệm và tên", name.upper()),
            ("Giới tính", facts.text("sex") or person.get_sex_display()),
            ("Ngày, tháng, năm sinh", formats.date(born)),
            ("Nơi sinh", facts.text("place_of_birth")),
            ("Quốc tịch", nationality(person.nationality)),
            ("Nơi thường trú", facts.text("permanent_address") or residence(person)),
            ("Nơi tạm trú", residence(person, "temporary") or "Không"),
            ("Số định danh cá nhân", facts.text("applicant_id_number", person.id_number)),
        ]),
        Spacer(1, 2 * mm),
        line(("Tình trạng án tích", NO_CONVICTION)),
        line(("Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã", NO_BAN)),
    ]


# ------------------------------------------------------------------------------------------------ generic

def _generic(facts: Facts) -> list[Flowable]:
    dossier = facts.dossier
    pairs: list[tuple[str, object]] = [("Thủ tục", dossier.procedure.name),
                                       ("Cấp cho ông/bà", dossier.applicant.full_name)]
    for f in dossier.version.form:
        value = facts.data.get(f["name"])
        if f["type"] in ("file", "id_number") or value in (None, ""):
            continue
        if f["type"] == "date":
            day = facts.date(f["name"])
            value = formats.date(day) if day else value
        pairs.append((f["label"], value))
    return [rows(pairs, 65 * mm)]


GENERIC = Layout("generic", lambda f: (f.dossier.procedure.result or "Kết quả giải quyết thủ tục hành chính"),
                 _generic, ("THỦ TRƯỞNG CƠ QUAN",))
LAYOUTS: dict[str, Layout] = {
    "1.001193": Layout("birth", lambda f: "Giấy khai sinh", _birth, ("NGƯỜI KÝ GIẤY KHAI SINH",),
                       "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", number=_book),
    "1.000894": Layout("marriage", lambda f: "Giấy chứng nhận kết hôn", _marriage,
                       ("NGƯỜI KÝ GIẤY CHỨNG NHẬN KẾT HÔN",), "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)",
                       beside=_spouses_sign, number=_book),
    "1.010041": Layout("residence", lambda f: "Xác nhận thông tin về cư trú", _residence,
                       ("THỦ TRƯỞNG CƠ QUAN ĐĂNG KÝ CƯ TRÚ",), "(Ký, ghi rõ họ tên và đóng dấu)",
                       number=lambda f: [f"Số: {f.dossier.code}/XN"]),
    "3.000333": Layout("judicial_record", lambda f: f"Phiếu lý lịch tư pháp số {_card(f)}", _judicial_record,
                       ("THỦ TRƯỞNG CƠ QUAN CẤP PHIẾU",), "(Ký, ghi rõ họ tên và đóng dấu)",
                       number=lambda f: [f"Số: {f.dossier.code}/LLTP"]),
}


def layout_for(dossier: Dossier) -> Layout:
    return LAYOUTS.get(dossier.procedure.code or "", GENERIC)


# ------------------------------------------------------------------------------------------------ the document

def _signature_row(layout: Layout, facts: Facts, found: list[Box]) -> Flowable:
    """The signature rows, a grid so that every column's title, note, room and name stay level: the place and
    date line, the title, the note on how it is signed, the room for signature and seal (the slot), the name; the
    signer in the right column, the layout's other columns (the spouses, or the QR code) to its left."""
    signer: list[Flowable | str] = [
        Paragraph(esc(pdf.place_and_date(facts.day, _place(facts.dossier))), NOTE),
        Paragraph("<br/>".join(esc(text) for text in layout.signer_title), CENTER_BOLD),
        Paragraph(esc(layout.signer_note), NOTE), SignatureSlot(found), Paragraph(esc(facts.signer), CENTER_BOLD)]
    columns = [*(layout.beside or _tracking)(facts), signer]
    left = WIDTH - 81 * mm
    widths = [left / (len(columns) - 1)] * (len(columns) - 1) + [81 * mm]
    grid = Table([list(row) for row in zip(*columns, strict=True)], colWidths=widths)
    style: list[tuple[object, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                       ("TOPPADDING", (0, 0), (-1, -1), 1),
                                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    if layout.beside is None:
        style.append(("SPAN", (0, 0), (0, -1)))
    grid.setStyle(TableStyle(style))
    return KeepTogether([grid])


def _with_signature_field(document: bytes, box: Box) -> bytes:
    """``document`` with an empty signature field named ``SIGNATURE_FIELD`` at ``box``, for the signer to fill."""
    writer = IncrementalPdfFileWriter(io.BytesIO(document), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec(SIGNATURE_FIELD, on_page=box.page, box=box.rounded()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    layout: str
    signature: Box


def render(dossier: Dossier, *, signer: str, tracking_url: str) -> Rendered:
    """The result document of ``dossier`` in its layout, with the empty signature field in its signature block."""
    layout = layout_for(dossier)
    facts = Facts(dossier, signer, tracking_url, timezone.localtime(dossier.finished_at or timezone.now()).date())
    agency = dossier.agency
    title = layout.title(facts)
    found: list[Box] = []
    parts: list[Flowable] = [pdf.national_header(agency.name, agency.parent.name if agency.parent else None)]
    parts += [Paragraph(esc(line), ParagraphStyle("number", parent=BODY, leftIndent=0)) for line in
              layout.number(facts)]
    parts += [Paragraph(esc(title.upper()), TITLE), Spacer(1, 3 * mm)]
    parts += layout.body(facts)
    parts += [Spacer(1, 5 * mm), _signature_row(layout, facts, found)]
    document = pdf.build(parts, title=f"{title} — {dossier.code}", author=AUTHOR)
    [box] = found
    return Rendered(_with_signature_field(document, box), layout.key, box)


def _place(dossier: Dossier) -> str:
    """The place on the place and date line: the province (city) of the issuing body's area."""
    unit = dossier.agency.unit
    while unit.parent is not None:
        unit = unit.parent
    return unit.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")

