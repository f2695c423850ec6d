"""Public pages: the map draws the stations, the station page marks the highest sub-index, CSV downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest

from smartcity.environment import services

from .conftest import NOW, expected_means


def test_the_map_draws_every_station_in_its_band_colour_with_a_table_fallback(client, air):
    page = client.get("/moi-truong/")
    assert page.status_code == 200
    html = page.content.decode()
    svg = html[html.index("<svg"): html.index("</svg>")]
    assert 'role="group"' in svg and "<title id=\"map-title\">Bản đồ trạm quan trắc không khí</title>" in svg
    assert f'href="/moi-truong/tram/{air.code}/"' in svg
    assert 'fill="#FF0000"' in svg  # AQI 169: band "Xấu", red
    assert "Trạm Hoàn Kiếm (Phường Hoàn Kiếm): AQI giờ 169 — Xấu" in svg
    assert svg.count("<circle") > 126  # the city's wards, then the station
    table = html[html.index("<table"):]
    assert "Trạm Hoàn Kiếm" in table and "AQI giờ 169" in table and "Xấu" in table


def test_the_map_has_a_tab_per_kind(client, river):
    html = client.get("/moi-truong/?loai=water_level").content.decode()
    assert 'aria-current="page">Mực nước (1)' in html
    assert "Báo động II" in html and "#FF7E00" in html
    assert client.get("/moi-truong/?loai=khong-co").status_code == 200  # falls back to air


def test_the_station_page_marks_the_highest_sub_index(client, air):
    page = client.get(f"/moi-truong/tram/{air.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    row = re.search(r'<tr class="dominant">(.*?)</tr>', html, re.S).group(1)
    assert "PM2.5" in row and "Chỉ số cao nhất" in row
    assert html.count('class="dominant"') == 1
    assert "Thông số có chỉ số cao nhất: <strong>PM2.5</strong>" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2  # 24 hours and 30 days
    assert "VN_AQI — 24 giờ qua" in html and "VN_AQI — 30 ngày qua" in html


def test_an_unknown_station_is_404(client, db):
    assert client.get("/moi-truong/tram/khong-co/").status_code == 404


def test_the_hourly_csv_has_the_last_24_hours(client, air):
    response = client.get(f"/moi-truong/tram/{air.code}/du-lieu.csv?resolution=hour")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(f'attachment; filename="{air.code}-hour-')
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][:4] == ["Thời điểm (giờ Việt Nam, đầu khoảng)", "VN_AQI", "Mức AQI (1–6)",
                           "Thông số có chỉ số cao nhất"]
    assert len(rows) == 1 + 24
    last_complete = rows[-2]
    assert last_complete[0] == "2026-03-02 11:00" and last_complete[1] == "169" and last_complete[3] == "pm25"
    pm25 = rows[0].index("PM2.5 (µg/m³)")
    assert float(last_complete[pm25]) == pytest.approx(expected_means("pm25")[47])


def test_the_daily_csv_takes_a_date_range(client, air):
    response = client.get(f"/moi-truong/tram/{air.code}/du-lieu.csv",
                          {"resolution": "day", "start": "2026-02-28", "end": "2026-03-02"})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["2026-02-28", "2026-03-01"]
    span = services.parse_range(start="2026-03-01", end="2026-03-02", resolution="day", now=NOW)
    assert rows[2][1] == f"{services.history(air, span).columns['aqi'][0]:.0f}"


@pytest.mark.parametrize("query", ["resolution=week", "start=hôm-qua", "start=2026-03-02&end=2026-03-01",
                                   "resolution=hour&start=2026-01-01&end=2026-03-01"])
def test_a_bad_csv_range_is_400(client, air, query):
    response = client.get(f"/moi-truong/tram/{air.code}/du-lieu.csv?{query}")
    assert response.status_code == 400
    assert response.content.decode().split(":")[0] in ("resolution", "start", "end")


def test_the_warnings_and_subscription_pages_answer(client, db):
    assert client.get("/moi-truong/canh-bao/").status_code == 200
    page = client.get("/moi-truong/dang-ky/")
    assert page.status_code == 200 and "Phường Hoàn Kiếm" in page.content.decode()
