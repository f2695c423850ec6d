"""The visible stamp: Vietnamese text in embedded Roboto, drawn at its real width."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from smartcity.signing import stamp

pytestmark = pytest.mark.django_db


def _stamp_font(signed: bytes):
    page = PdfReader(io.BytesIO(signed)).pages[-1]
    [annot] = [a.get_object() for a in page["/Annots"]]
    appearance = annot["/AP"]["/N"].get_object()
    fonts = appearance["/Resources"]["/Font"]
    return [fonts[name].get_object() for name in fonts]


def test_the_stamp_font_is_embedded_and_sized_in_thousandths_of_an_em(signed_result):
    [font] = _stamp_font(signed_result)
    [descendant] = [d.get_object() for d in font["/DescendantFonts"]]
    assert str(font["/BaseFont"]).endswith("+Roboto-Regular-Identity-H")
    assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
    widths = [w for item in descendant["/W"] if isinstance(item, list) for w in item]
    # Roboto has 2048 units per em: unscaled, its letters would be ~1150 wide and drawn twice as far apart.
    assert widths and max(widths) < 1000 and min(widths) > 150


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed (Debian poppler-utils)")
def test_the_stamp_reads_signer_agency_and_time(signed_result):
    text = subprocess.run(["pdftotext", "-", "-"], input=signed_result, capture_output=True, check=True).stdout.decode()
    assert "Ký bởi: Vũ Quang Huy" in text
    assert "Cơ quan: Ủy ban nhân dân Phường Ba Đình" in text
    assert "Thời gian ký: " in text and "(GMT+7)" in text


def test_text_outside_the_prepared_alphabet_uses_the_full_font():
    small, _ = stamp.style_for(["Ký bởi: Vũ Quang Huy"])
    full, _ = stamp.style_for(["Ký bởi: Σωκράτης"])
    assert small.text_box_style.font.full is False
    assert full.text_box_style.font.full is True
    assert stamp.normalise("Ky\u0301  bởi ") == "Ký bởi"
