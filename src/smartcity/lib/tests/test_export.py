"""The export helper: CSV (streamed, with or without BOM) and Excel read back to the same table."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from smartcity.lib import export

COLUMNS = [export.Column("name", "Tên cơ quan"), export.Column("received", "Tiếp nhận"),
           export.Column("share", "Tỉ lệ trực tuyến")]
ROWS = [{"name": "Ủy ban nhân dân phường Ba Đình", "received": 12, "share": 0.25},
        {"name": 'Sở "Tư pháp", Hà Nội', "received": 0, "share": None}]


def test_csv_round_trips_with_vietnamese_headers_and_empty_cells():
    text = export.csv_text(COLUMNS, ROWS)
    assert text.startswith("Tên cơ quan,Tiếp nhận,Tỉ lệ trực tuyến\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Tên cơ quan", "Tiếp nhận", "Tỉ lệ trực tuyến"],
        ["Ủy ban nhân dân phường Ba Đình", "12", "0.25"],
        ['Sở "Tư pháp", Hà Nội', "0", ""],
    ]


def test_the_bom_comes_first_only_when_asked_for():
    assert export.csv_text(COLUMNS, ROWS, bom=True).encode().startswith(b"\xef\xbb\xbfT\xc3\xaan")
    assert not export.csv_text(COLUMNS, ROWS).startswith("\ufeff")


def test_csv_is_streamed_a_line_at_a_time():
    lines = export.csv_lines(COLUMNS, iter(ROWS), bom=True)
    assert next(lines) == "\ufeff" and next(lines).startswith("Tên cơ quan") and len(list(lines)) == 2


def test_the_csv_download_is_named_and_typed():
    response = export.csv_response(COLUMNS, ROWS, filename="thong-ke.csv", bom=True)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="thong-ke.csv"'
    assert response.getvalue().decode("utf-8-sig") == export.csv_text(COLUMNS, ROWS)


def test_columns_headed_by_their_keys():
    assert export.csv_text(export.columns(["name", "received"]), ROWS).splitlines()[0] == "name,received"


def test_xlsx_round_trips_with_numbers_as_numbers():
    response = export.xlsx_response(COLUMNS, ROWS, filename="thong-ke.xlsx", title="2026-11-01..2026-12-01 và hơn nữa")
    assert response["Content-Type"] == export.XLSX
    assert response["Content-Disposition"] == 'attachment; filename="thong-ke.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == "2026-11-01..2026-12-01 và hơn n"  # Excel's 31 characters
    assert list(sheet.values) == [("Tên cơ quan", "Tiếp nhận", "Tỉ lệ trực tuyến"),
                                  ("Ủy ban nhân dân phường Ba Đình", 12, 0.25),
                                  ('Sở "Tư pháp", Hà Nội', 0, None)]
