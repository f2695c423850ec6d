"""The environment pages in a real browser: Debian's Chromium driven by Playwright against a live server.

One visit through the public pages on the fixtures' stations (clock frozen at 12:30 on 2 March 2026): the map with
its markers and legend, the tabs of each kind, a station page reached from its marker, its CSV download, and the
warning banner once a warning opens. Skipped, with the reason, where /usr/bin/chromium is absent
(`scripts/ensure-system-packages` installs it with apt when it can).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from smartcity.conftest import BROWSER
from smartcity.environment import aqi, services
from smartcity.environment.models import WarningRule

pytestmark = BROWSER


@pytest.fixture
def noise_station(noisy):
    return services.register_station(thing_id=noisy.pk, kind="noise")


def _tab(page, label: str):
    return page.locator("nav .env-tabs a", has_text=label)


def test_a_visitor_reads_the_map_tab_by_tab_opens_a_station_and_downloads_its_data(
        page, live_server, air, river, rain, noise_station):
    station_river, _ = river
    page.goto(live_server.url + "/moi-truong/")
    assert page.locator("h1").inner_text() == "Quan trắc môi trường Hà Nội"
    assert page.locator(".strip").count() == 0  # no warning is open yet

    # The air tab: the station's marker in the colour of its AQI band (169: "Xấu", red), with the value on it.
    assert _tab(page, "Không khí").get_attribute("aria-current") == "page"
    assert [t.strip() for t in page.locator("nav .env-tabs a").all_inner_texts()] == [
        "Không khí (1)", "Chất lượng nước (0)", "Mưa (1)", "Mực nước (1)", "Tiếng ồn (1)"]
    map_ = page.locator("svg.env-map")
    assert map_.locator("title").first.text_content() == "Bản đồ trạm quan trắc không khí"
    assert map_.locator("g[aria-hidden=true] circle").count() == 126  # Hà Nội's wards and communes since 2025
    marker = map_.locator(f'a[href="/moi-truong/tram/{air.code}/"]')
    assert marker.count() == 1
    assert marker.locator("circle").get_attribute("fill") == "#FF0000" == aqi.band(169).hex
    assert marker.locator("text").text_content() == "169"
    assert marker.get_attribute("aria-label") == "Trạm Hoàn Kiếm (Phường Hoàn Kiếm): AQI giờ 169 — Xấu"
    legend = {t: r.get_attribute("fill") for r, t in zip(map_.locator(":scope > rect[width='16']").all(),
                                                          map_.locator(":scope > text").all_text_contents(),
                                                          strict=True)}
    assert legend == {**{f"{b.low}–{b.high}: {b.name}": b.hex for b in aqi.BANDS},
                      "Chưa có số liệu": services.NO_DATA}
    row = page.locator("table tbody tr").first
    assert "Trạm Hoàn Kiếm" in row.inner_text() and "AQI giờ 169" in row.inner_text()

    # Flood (water level): the river at alarm level II, orange.
    _tab(page, "Mực nước").click()
    page.wait_for_url("**/moi-truong/?loai=water_level")
    assert _tab(page, "Mực nước").get_attribute("aria-current") == "page"
    assert map_.locator("title").first.text_content() == "Bản đồ trạm quan trắc mực nước"
    marker = map_.locator(f'a[href="/moi-truong/tram/{station_river.code}/"]')
    assert marker.locator("circle").get_attribute("fill") == "#FF7E00"
    assert marker.get_attribute("aria-label").endswith("Mực nước 10.8 m — Báo động II")
    assert "Báo động III" in map_.text_content()  # the legend

    # Rain: 24 mm an hour since 09:00 — over 50 mm in 24 hours, "Mưa to" in dark blue.
    _tab(page, "Mưa").click()
    page.wait_for_url("**/moi-truong/?loai=rain")
    assert map_.locator("a circle").get_attribute("fill") == "#1565C0"
    row = page.locator("table tbody tr").first.inner_text()
    assert "Trạm đo mưa Hà Đông" in row and "Mưa 24 giờ" in row and "Mưa to" in row

    # Noise: hourly LAeq 67.4 dBA, within the 70 dBA day limit of an ordinary area, green.
    _tab(page, "Tiếng ồn").click()
    page.wait_for_url("**/moi-truong/?loai=noise")
    marker = map_.locator(f'a[href="/moi-truong/tram/{noise_station.code}/"]')
    assert marker.locator("circle").get_attribute("fill") == "#00E400"
    assert "LAeq giờ 67 dBA — Trong giới hạn tiếng ồn" in marker.get_attribute("aria-label")

    # Water quality: no station of that kind here.
    _tab(page, "Chất lượng nước").click()
    page.wait_for_url("**/moi-truong/?loai=water")
    assert page.locator("svg.env-map a").count() == 0
    assert page.locator("table tbody").inner_text().strip() == "Chưa có trạm nào loại này."

    # Back to air, and through the marker to the station's page.
    _tab(page, "Không khí").click()
    page.wait_for_url("**/moi-truong/?loai=air")
    map_.locator(f'a[href="/moi-truong/tram/{air.code}/"]').click()
    page.wait_for_url(f"**/moi-truong/tram/{air.code}/")
    assert page.locator("h1").inner_text() == "Trạm Hoàn Kiếm"
    now = page.locator("section[aria-labelledby=now]")
    assert now.locator(".headline").inner_text() == "169"
    assert now.locator(".badge").inner_text() == "Xấu"
    assert "Thông số có chỉ số cao nhất: PM2.5" in now.inner_text()
    readings = {r.locator("th").inner_text().split("\n")[0].replace(" Chỉ số cao nhất", ""): r
                for r in now.locator("tbody tr").all()}
    assert sorted(readings) == ["NO₂", "O₃", "PM10", "PM2.5"]
    dominant = now.locator("tbody tr.dominant")
    assert dominant.count() == 1
    assert dominant.locator("th").inner_text() == "PM2.5 Chỉ số cao nhất"
    assert dominant.locator(".highest").is_visible()
    sub_indices = {name: int(r.locator("td").nth(1).inner_text()) for name, r in readings.items()}
    assert sub_indices["PM2.5"] == 169 == max(sub_indices.values())

    # The charts: a bar an hour for 24 hours and a slot a day for 30 days, each bar in its AQI band's colour.
    hours = page.locator("svg.chart[aria-labelledby^=chart-24h]")
    days = page.locator("svg.chart[aria-labelledby^=chart-30d]")
    assert hours.locator("#chart-24h-title").text_content() == "VN_AQI — 24 giờ qua"
    assert days.locator("#chart-30d-title").text_content() == "VN_AQI — 30 ngày qua"
    bars = [(r.get_attribute("fill"), r.locator("title").text_content()) for r in hours.locator("rect").all()]
    assert len(bars) == 24
    assert bars[0][1] == "13:00 01/03/2026: VN_AQI 88.0" and bars[-2][1] == "11:00 02/03/2026: VN_AQI 169.0"
    assert all(fill == aqi.band(float(title.rsplit(" ", 1)[1])).hex for fill, title in bars)
    daily = days.locator("rect")
    assert daily.count() + days.locator("text", has_text="—").count() == 30
    assert daily.count() == 1 and daily.locator("title").text_content() == "01/03/2026: VN_AQI 127.0"
    assert daily.get_attribute("fill") == aqi.band(127).hex

    # The hourly CSV downloads, with its header row and the last complete hour.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV theo giờ, 24 giờ qua").click()
    assert download.value.suggested_filename == f"{air.code}-hour-20260301.csv"
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["Thời điểm (giờ Việt Nam, đầu khoảng)", "VN_AQI", "Mức AQI (1–6)",
                           "Thông số có chỉ số cao nhất"]
    assert "PM2.5 (µg/m³)" in rows[0] and len(rows) == 1 + 24
    assert rows[-2][:4] == ["2026-03-02 11:00", "169", "4", "pm25"]

    # A warning opens: the strip says it in one sentence and leads to the station that triggered it.
    WarningRule.objects.create(name="Lũ vượt báo động II", parameter="flood_level", threshold=2)
    services.evaluate_warnings()
    page.reload()
    strip = page.locator(".strip")
    assert strip.locator("li").count() == 1
    assert strip.locator(".strip-text").inner_text() == (
        "⚠ Nước sông tại Trạm thủy văn Long Biên vượt báo động II — tránh xa bờ sông và vùng trũng. Chi tiết")
    strip.get_by_role("link", name="Chi tiết").click()
    page.wait_for_url(f"**/moi-truong/tram/{station_river.code}/")
    assert page.locator("h1").inner_text() == "Trạm thủy văn Long Biên"
    assert "Đang có hiệu lực: Lũ vượt báo động II" in page.locator("section[aria-labelledby=station-warnings]").inner_text()
