"""Each result document in its statutory layout: the national header, the issuing body, the number, the form's
fields filled from the declaration and the population record, and the signature field exactly where the form has
the signature and seal (bottom right, between the signer's title and name); signed, it still verifies."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.utils import timezone
from pypdf import PdfReader

from smartcity.conftest import make_citizen
from smartcity.dossiers import documents, results
from smartcity.dossiers.models import Channel, Dossier
from smartcity.population.models import Household
from smartcity.procedures.services import get_procedure, load_catalogue, version_in_force

pytestmark = pytest.mark.django_db

FINISHED = dt.datetime(2026, 12, 5, 10, 30, tzinfo=dt.UTC)
URL = "https://dichvucong.hanoi.gov.vn/tra-cuu/?code=X&secret=Y"


@pytest.fixture(autouse=True)
def catalogue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture
def committee(ba_dinh):
    from smartcity.agencies.services import commune_committee

    return commune_committee(ba_dinh)


@pytest.fixture
def parents(an, ba_dinh):
    """An (the father, head of the household) and Mai (the mother, of the Tày people) in one household."""
    household = Household.objects.create(code="HK-0001", unit=ba_dinh, address="12 Phan Đình Phùng")
    father = an.person
    father.household, father.relation_to_head = household, "Chủ hộ"
    father.save()
    mother = make_citizen(ba_dinh, id_number="001192054321", full_name="Lê Thị Mai", dob=dt.date(1992, 3, 8),
                          sex="F", ethnicity="Tày", permanent_address="12 Phan Đình Phùng", household=household,
                          relation_to_head="Vợ")
    household.head = father
    household.save()
    return father, mother


def dossier(code, applicant, agency, data: dict[str, object], number: str = "0001") -> Dossier:
    procedure = get_procedure(code) if isinstance(code, str) else code
    return Dossier.objects.create(
        code=f"000.00.04.H26-261205-{number}", procedure=procedure, version=version_in_force(procedure),
        applicant=applicant, agency=agency, receiving_agency=agency, unit=agency.unit, channel=Channel.ONLINE,
        submitted_at=FINISHED - dt.timedelta(days=2), finished_at=FINISHED, data=data)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def runs(pdf: bytes, page: int) -> list[tuple[float, float, str]]:
    """The runs of text on a page with where each starts (x, y from the bottom left)."""
    found: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((cm[4] + tm[4], cm[5] + tm[5], " ".join(text.split())))

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def lines_of(pdf: bytes) -> list[str]:
    """The document's lines as printed: the runs on one baseline, left to right (a label and its value, or the two
    halves of the header), top to bottom."""
    out: list[str] = []
    for page in range(len(PdfReader(io.BytesIO(pdf)).pages)):
        by_line: dict[int, list[tuple[float, str]]] = {}
        for x, y, text in runs(pdf, page):
            by_line.setdefault(round(y), []).append((x, text))
        # Left to right; runs of one paragraph line share its start, so they keep the order they were drawn in.
        out += [" ".join(text for _, text in sorted(by_line[y], key=lambda run: run[0]))
                for y in sorted(by_line, reverse=True)]
    return out


def printed(pdf: bytes, *expected: str) -> None:
    lines = lines_of(pdf)
    for text in expected:
        assert any(text in line for line in lines), (text, lines)


def positions(pdf: bytes, page: int = -1) -> dict[str, tuple[float, float]]:
    """Where each run of text starts on the page (x, y from the bottom left)."""
    found: dict[str, tuple[float, float]] = {}
    for x, y, text in runs(pdf, len(PdfReader(io.BytesIO(pdf)).pages) - 1 if page == -1 else page):
        found.setdefault(text, (x, y))
    return found


def signature_fields(pdf: bytes) -> list[tuple[str, list[float], bool]]:
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig":
                out.append((str(annot["/T"]), [float(v) for v in annot["/Rect"]], index, "/V" in annot))
    return out


def save(name: str, pdf: bytes) -> None:
    """Keep the PDF for a look when RESULT_LAYOUT_DIR is set (not in normal runs)."""
    if directory := os.environ.get("RESULT_LAYOUT_DIR"):
        with open(os.path.join(directory, f"{name}.pdf"), "wb") as fh:
            fh.write(pdf)


def assert_signature_block(rendered: results.Rendered, title: str, signer: str) -> None:
    """The empty field is the slot the layout left: right half of the last page, under the signer's title and
    above the signer's name, as wide as the slot."""
    pdf = rendered.pdf
    [(name, rect, page, filled)] = signature_fields(pdf)
    assert (name, filled, page) == (results.SIGNATURE_FIELD, False, len(PdfReader(io.BytesIO(pdf)).pages) - 1)
    assert tuple(round(v) for v in rect) == rendered.signature.rounded()
    x1, y1, x2, y2 = rect
    assert abs((x2 - x1) - results.SLOT_WIDTH) <= 1 and abs((y2 - y1) - results.SLOT_HEIGHT) <= 1
    where = positions(pdf)
    title_x, title_y = where[title]
    name_x, name_y = where[signer]
    assert x1 > 595 / 2 - 10 and x2 <= 595 - 15 * 72 / 25.4 + 1  # the right column, inside the right margin
    assert name_y < y1 < y2 < title_y
    assert x1 <= name_x < x2 and title_x < x2


def test_the_birth_certificate_carries_its_fields_from_the_declaration_and_the_parents_records(
        an, committee, parents):
    d = dossier("1.001193", an.person, committee, {
        "child_full_name": "Nguyễn Minh Khôi", "child_date_of_birth": "2026-11-20", "child_sex": "Nam",
        "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Hà Nội", "child_ethnicity": "Kinh",
        "mother_id_number": "001192054321", "father_id_number": "001090012345",
        "applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "001090012345", "relationship": "Cha"})
    rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
    save("birth", rendered.pdf)
    assert rendered.layout == "birth"
    printed(rendered.pdf, *[
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
        "Số: 000.00.04.H26-261205-0001", "Quyển số: 01/2026", "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: NGUYỄN MINH KHÔI", "Ngày, tháng, năm sinh: 20/11/2026",
        "Ghi bằng chữ: Ngày hai mươi tháng mười một năm hai nghìn không trăm hai mươi sáu",
        "Giới tính: Nam", "Dân tộc: Kinh", "Quốc tịch: Việt Nam",
        "Nơi sinh: Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Hà Nội",
        "Thông tin về người mẹ", "Họ, chữ đệm, tên người mẹ: Lê Thị Mai", "Năm sinh: 1992", "Dân tộc: Tày",
        "Thông tin về người cha", "Họ, chữ đệm, tên người cha: Nguyễn Văn An", "Năm sinh: 1990",
        "Giấy tờ tùy thân: Số định danh cá nhân 001090012345", "Quan hệ với người được khai sinh: Cha",
        "Ngày, tháng, năm đăng ký: 05/12/2026", "Hà Nội, ngày 05 tháng 12 năm 2026",
        "NGƯỜI KÝ GIẤY KHAI SINH", "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)", "Vũ Quang Huy",
        "Họ, chữ đệm, tên người đi đăng ký khai sinh: Nguyễn Văn An", "Quê quán: Thành phố Hà Nội",
        "Năm sinh: 1992 Dân tộc: Tày Quốc tịch: Việt Nam", "Năm sinh: 1990 Dân tộc: Kinh Quốc tịch: Việt Nam",
        "Giới tính: Nam Dân tộc: Kinh Quốc tịch: Việt Nam", "Nơi đăng ký khai sinh: Ủy ban nhân dân Phường Ba Đình",
    ])
    lines = lines_of(rendered.pdf)
    # Not yet given by the population database: a dotted line, as on paper.
    assert "Số định danh cá nhân: …" in lines
    assert lines.count("Nơi cư trú: 12 Phan Đình Phùng, Phường Ba Đình, Thành phố Hà Nội") == 2
    assert len(PdfReader(io.BytesIO(rendered.pdf)).pages) == 1
    assert_signature_block(rendered, "NGƯỜI KÝ GIẤY KHAI SINH", "Vũ Quang Huy")


def test_the_marriage_certificate_sets_the_spouses_side_by_side(an, committee, parents, ba_dinh):
    d = dossier("1.000894", an.person, committee, {
        "husband_full_name": "Nguyễn Văn An", "husband_date_of_birth": "1990-05-17",
        "husband_id_number": "001090012345", "wife_full_name": "Lê Thị Mai", "wife_date_of_birth": "1992-03-08",
        "wife_id_number": "001192054321", "husband_residence": "12 Phan Đình Phùng, Phường Ba Đình, Hà Nội",
        "wife_residence": "5 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội", "marriage_count": "Lần đầu"})
    rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
    save("marriage", rendered.pdf)
    assert rendered.layout == "marriage"
    for expected in ["GIẤY CHỨNG NHẬN KẾT HÔN", "Số: 000.00.04.H26-261205-0001", "Quyển số: 01/2026",
                     "Ngày, tháng, năm đăng ký: 05/12/2026", "NGƯỜI KÝ GIẤY CHỨNG NHẬN KẾT HÔN", "Vũ Quang Huy",
                     "Hà Nội, ngày 05 tháng 12 năm 2026"]:
        printed(rendered.pdf, expected)
    where = positions(rendered.pdf, 0)
    # Side by side: the husband's and the wife's values on the same line, the husband's on the left.
    for husband, wife in [("NGUYỄN VĂN AN", "LÊ THỊ MAI"), ("17/05/1990", "08/03/1992"), ("Kinh", "Tày"),
                          ("001090012345", "001192054321")]:
        (hx, hy), (wx, wy) = where[husband], where[wife]
        assert round(hy) == round(wy) and hx < wx, (husband, wife)
    assert "Thông tin người chồng" in where and "Thông tin người vợ" in where
    assert_signature_block(rendered, "NGƯỜI KÝ GIẤY CHỨNG NHẬN KẾT HÔN", "Vũ Quang Huy")
    # The spouses sign to the left of the signer, their names level with the signer's.
    assert where["Chồng"][0] < where["Vợ"][0] < rendered.signature.x1
    assert round(where["Nguyễn Văn An"][1]) == round(where["Lê Thị Mai"][1]) == round(where["Vũ Quang Huy"][1])


def test_the_residence_confirmation_is_form_ct07_with_the_household_head(an, committee, parents):
    father, mother = parents
    d = dossier("1.010041", mother, committee, {
        "applicant_full_name": "Lê Thị Mai", "applicant_id_number": "001192054321", "date_of_birth": "1992-03-08",
        "content": "Thông tin thành viên hộ gia đình", "purpose": "Bổ sung hồ sơ nhập học cho con"})
    rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
    save("residence", rendered.pdf)
    assert rendered.layout == "residence"
    for expected in [
        "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "Số: 000.00.04.H26-261205-0001/XN",
        "1. Họ, chữ đệm và tên: LÊ THỊ MAI", "2. Ngày, tháng, năm sinh: 08/03/1992", "3. Giới tính: Nữ",
        "4. Số định danh cá nhân: 001192054321", "5. Dân tộc: Tày", "6. Quốc tịch: Việt Nam",
        "8. Nơi tạm trú: Không", "10. Họ, chữ đệm và tên chủ hộ: Nguyễn Văn An", "11. Quan hệ với chủ hộ: Vợ",
        "12. Số định danh cá nhân của chủ hộ: 001090012345", "13. Thành viên hộ gia đình",
        "Nội dung xác nhận: Thông tin thành viên hộ gia đình", "Mục đích sử dụng: Bổ sung hồ sơ nhập học cho con",
        "THỦ TRƯỞNG CƠ QUAN ĐĂNG KÝ CƯ TRÚ", "(Ký, ghi rõ họ tên và đóng dấu)",
    ]:
        printed(rendered.pdf, expected)
    flowing = " ".join(lines_of(rendered.pdf))  # an address may wrap under its value column
    assert "7. Nơi thường trú: 12 Phan Đình Phùng, Phường Ba Đình, Thành phố Hà Nội" in flowing
    assert "9. Nơi ở hiện tại: 12 Phan Đình Phùng, Phường Ba Đình, Thành phố Hà Nội" in flowing
    printed(rendered.pdf, "1 Nguyễn Văn An 17/05/1990 Nam 001090012345 Chủ hộ", "2 Lê Thị Mai 08/03/1992 Nữ 001192054321 Vợ")
    assert_signature_block(rendered, "THỦ TRƯỞNG CƠ QUAN ĐĂNG KÝ CƯ TRÚ", "Vũ Quang Huy")


def test_the_judicial_record_card_says_no_conviction_and_no_ban(an, committee):
    d = dossier("3.000333", an.person, committee, {
        "applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "001090012345", "date_of_birth": "1990-05-17",
        "sex": "Nam", "permanent_address": "12 Phan Đình Phùng, Phường Ba Đình, Hà Nội", "card_type": "Phiếu số 1",
        "copies": 1, "residence_history": "1990–nay: Hà Nội"})
    rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
    save("judicial_record", rendered.pdf)
    lines = lines_of(rendered.pdf)
    text = text_of(rendered.pdf)
    assert rendered.layout == "judicial_record"
    for expected in ["PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1", "Số: 000.00.04.H26-261205-0001/LLTP", "XÁC NHẬN:",
                     "Họ, chữ đệm và tên: NGUYỄN VĂN AN", "Giới tính: Nam", "Ngày, tháng, năm sinh: 17/05/1990",
                     "Quốc tịch: Việt Nam", "Nơi thường trú: 12 Phan Đình Phùng, Phường Ba Đình, Hà Nội",
                     "Số định danh cá nhân: 001090012345", "Tình trạng án tích: Không có án tích",
                     "THỦ TRƯỞNG CƠ QUAN CẤP PHIẾU"]:
        printed(rendered.pdf, expected)
    assert "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;" in text
    assert ("Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã: Không bị cấm "
            "đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã") in " ".join(lines)
    assert_signature_block(rendered, "THỦ TRƯỞNG CƠ QUAN CẤP PHIẾU", "Vũ Quang Huy")


def test_an_applicant_who_declares_being_the_father_fills_the_fathers_block(an, committee):
    d = dossier("1.001193", an.person, committee, {
        "child_full_name": "Nguyễn Minh Khôi", "child_date_of_birth": "2026-04-05", "child_sex": "Nam",
        "child_place_of_birth": "Hà Nội", "child_ethnicity": "Kinh", "applicant_full_name": "Nguyễn Văn An",
        "applicant_id_number": "001090012345", "relationship": "Cha"})
    rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
    printed(rendered.pdf, "Họ, chữ đệm, tên người cha: Nguyễn Văn An", "Năm sinh: 1990 Dân tộc: Kinh Quốc tịch: Việt Nam",
            "Nơi cư trú: 12 Phan Đình Phùng, Phường Ba Đình, Thành phố Hà Nội", "Họ, chữ đệm, tên người mẹ: …",
            "Ghi bằng chữ: Ngày năm tháng tư năm hai nghìn không trăm hai mươi sáu", "Quê quán: Thành phố Hà Nội")


def test_a_procedure_without_a_layout_gets_the_generic_result(an, committee):
    d = dossier("1.004873", an.person, committee, {"purpose": "Kết hôn", "applicant_full_name": "Nguyễn Văn An"})
    assert results.layout_for(d) is results.GENERIC
    rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
    lines = lines_of(rendered.pdf)
    assert "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN (CÓ GIÁ TRỊ 06 THÁNG KỂ TỪ NGÀY CẤP)" in " ".join(lines)
    printed(rendered.pdf, "Cấp cho ông/bà: Nguyễn Văn An", "THỦ TRƯỞNG CƠ QUAN")
    assert_signature_block(rendered, "THỦ TRƯỞNG CƠ QUAN", "Vũ Quang Huy")


def test_the_registry_has_a_layout_for_each_result_the_issue_names():
    assert {code: layout.key for code, layout in results.LAYOUTS.items()} == {
        "1.001193": "birth", "1.000894": "marriage", "1.010041": "residence", "3.000333": "judicial_record"}


def test_the_signature_lands_in_the_prepared_field_and_verifies(an, committee, parents, leader_ba_dinh):
    from smartcity.signing import services as signing

    signing.ensure_demo_pki()
    d = dossier("1.010041", an.person, committee, {"applicant_full_name": "Nguyễn Văn An",
                                                    "applicant_id_number": "001090012345",
                                                    "date_of_birth": "1990-05-17", "content": "Nơi thường trú"})
    pdf = documents.result(d, signer="Vũ Quang Huy", tracking_url=URL)
    [(_, prepared, _, _)] = signature_fields(pdf)
    signed = signing.sign_result(pdf, user=leader_ba_dinh, agency=committee, reason=f"Phê duyệt {d.code}")
    save("residence_signed", signed)
    [(name, rect, page, filled)] = signature_fields(signed)
    assert (name, rect, page, filled) == (results.SIGNATURE_FIELD, prepared, 0, True)
    report = signing.verify(signed)
    assert report.valid, report.summary
    [signature] = report.signatures
    assert signature.signer.name == "Vũ Quang Huy" and signature.covers_whole_document and signature.trusted


def test_dates_on_the_layouts_are_in_hanoi_time(an, committee):
    d = dossier("1.004873", an.person, committee, {})
    d.finished_at = dt.datetime(2026, 12, 5, 18, 30, tzinfo=dt.UTC)  # 01:30 on the 6th in Hà Nội
    assert timezone.localtime(d.finished_at).day == 6
    printed(results.render(d, signer="X Y", tracking_url=URL).pdf, "Hà Nội, ngày 06 tháng 12 năm 2026")


def test_every_procedure_of_the_catalogue_renders_a_result_with_its_signature_field(an, committee):
    from smartcity.procedures.models import Procedure

    samples = {"date": "2026-11-20", "id_number": "001090012345", "number": 2, "address": "Phường Ba Đình, Hà Nội"}
    for i, procedure in enumerate(Procedure.objects.order_by("id"), start=1):
        form = version_in_force(procedure).form
        data = {f["name"]: (f["choices"][0] if f["type"] == "choice" else samples.get(f["type"], "Nguyễn Minh Khôi"))
                for f in form if f["type"] != "file"}
        d = dossier(procedure, an.person, committee, data, number=f"{i:04d}")
        rendered = results.render(d, signer="Vũ Quang Huy", tracking_url=URL)
        [(name, _, _, filled)] = signature_fields(rendered.pdf)
        assert (name, filled) == (results.SIGNATURE_FIELD, False), procedure.code
        assert len(PdfReader(io.BytesIO(rendered.pdf)).pages) == 1, procedure.code
