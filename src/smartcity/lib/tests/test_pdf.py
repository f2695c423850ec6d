"""The PDF kit: the national header, the place and date, facts and QR code, in Roboto, on an A4 page."""

from __future__ import annotations

import datetime as dt
import io
import re
import zoneinfo

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import HRFlowable

from smartcity.lib import fonts, pdf

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def test_the_header_has_the_agency_the_national_name_the_motto_and_the_place_and_date():
    parts = pdf.header("Ủy ban nhân dân phường Ba Đình", "Thành phố Hà Nội", dt.date(2026, 11, 3))
    reader = read(pdf.build(parts, title="Giấy tiếp nhận", author="Hệ thống một cửa điện tử"))
    text = reader.pages[0].extract_text()
    for line in ("THÀNH PHỐ HÀ NỘI", "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Hà Nội, ngày 03 tháng 11 năm 2026"):
        assert line in text
    assert reader.metadata.title == "Giấy tiếp nhận" and reader.metadata.author == "Hệ thống một cửa điện tử"
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
    fonts_used = {f["/BaseFont"].split("+")[-1] for f in page["/Resources"]["/Font"].values()}
    assert {"Roboto-Regular", "Roboto-Bold", "Roboto-Italic"} <= fonts_used


def test_the_motto_is_underlined_by_a_line_as_long_as_itself():
    header = pdf.national_header("Ủy ban nhân dân phường Ba Đình")
    motto, line = header._cellvalues[0][1][1:]
    assert motto.getPlainText() == pdf.MOTTO
    width = pdfmetrics.stringWidth(pdf.MOTTO, pdf.CENTER_BOLD.fontName, pdf.CENTER_BOLD.fontSize)
    assert isinstance(line, HRFlowable) and line.width == width and 120 < width < 175
    drawn = read(pdf.build([header], title="t", author="a")).pages[0].get_contents().get_data().decode("latin-1")
    # The motto's text and the stroked line under it start at the same x: the line is centred like the text.
    *_, text_x = re.finditer(r"([\d.]+) [\d.]+ cm\nq\n0 0 0 rg\nBT 1 0 0 1 0 4 Tm ([\d.]+) 0 Td", drawn)  # the motto
    stroke = re.search(r"([\d.]+) [\d.]+ cm\nq\n\.6 w\n0 J\n0 0 0 RG\nn 0 0 m ([\d.]+) 0 l S", drawn)
    assert float(stroke.group(2)) == pytest.approx(width)
    assert float(stroke.group(1)) == pytest.approx(float(text_x.group(1)) + float(text_x.group(2)), abs=0.01)


def test_an_agency_without_a_parent_has_an_empty_line_above_it():
    text = read(pdf.build([pdf.national_header("Sở Tư pháp & <Nội vụ>")], title="t", author="a")).pages[0]
    assert "SỞ TƯ PHÁP & <NỘI VỤ>" in text.extract_text()


def test_facts_and_the_qr_code_are_drawn():
    drawing = pdf.qr("https://dichvucong.hanoi.gov.vn/tra-cuu?code=2026-000123")
    parts = [pdf.facts([("Mã hồ sơ", "2026-000123"), ("Người nộp", None)], [50 * mm, 125 * mm]), drawing]
    text = read(pdf.build(parts, title="t", author="a")).pages[0].extract_text()
    assert "Mã hồ sơ" in text and "2026-000123" in text and "Người nộp" in text
    assert (drawing.width, drawing.height) == (28 * mm, 28 * mm)


def test_text_is_escaped_for_paragraph_markup():
    assert pdf.esc("A & <b>") == "A &amp; &lt;b&gt;" and pdf.esc(None) == ""


@pytest.mark.parametrize(("moment", "text"), [
    (dt.datetime(2026, 11, 3, 7, 5, tzinfo=dt.UTC), "14 giờ 05 phút, ngày 03/11/2026"),
    (dt.datetime(2026, 11, 3, 23, 30, tzinfo=HANOI), "23 giờ 30 phút, ngày 03/11/2026"),
    (None, "—"),
])
def test_a_moment_is_written_in_local_time(moment, text):
    assert pdf.when(moment) == text


def test_the_place_and_date_line():
    assert pdf.place_and_date(dt.date(2026, 1, 9)) == "Hà Nội, ngày 09 tháng 01 năm 2026"
    assert pdf.place_and_date(dt.date(2026, 1, 9), place="Sơn Tây") == "Sơn Tây, ngày 09 tháng 01 năm 2026"


def test_the_fonts_register_once_and_cover_vietnamese():
    fonts.register()
    fonts.register()
    assert {fonts.REGULAR, fonts.BOLD, fonts.ITALIC} <= set(pdfmetrics.getRegisteredFontNames())
    face = pdfmetrics.getFont(fonts.REGULAR).face
    assert all(ord(ch) in face.charToGlyph for ch in "ĐđƯưƠơẠạỹỷẫệ")
