"""What the station page and the map page show, from ``services.station_page`` / ``services.map_page`` directly:
the highest sub-index, yesterday's daily value, chart bars in the colour of their band or level, the reference lines,
the hourly table, the noise regulation note; the map's dots, legend, tabs and wards. (``test_pages`` checks the same
through the rendered HTML.)"""

from __future__ import annotations

import datetime as dt

from smartcity.environment import aqi, services
from smartcity.environment.services import ChartBar, MapDot, ReferenceLine, WardLevel

from .conftest import NOW

UTC = dt.UTC
NOTE_2025 = ("QCVN 26:2025/BNNMT thay thế QCVN 26:2010/BTNMT từ ngày 14/11/2025; bảng giới hạn của quy chuẩn mới chưa "
             "được đưa vào hệ thống, nên số liệu vẫn được so với giới hạn của QCVN 26:2010/BTNMT.")


def test_the_air_page_marks_the_highest_sub_index_and_colours_each_hour_by_its_aqi_band(air):
    page = services.station_page(air, now=NOW)
    assert page.status.value == 169 and page.status.colour == "#FF0000"
    assert (page.highest.code, page.highest.label, page.highest.value, page.highest.sub_index) == \
        ("pm25", "PM2.5", 112.0, 169.0)
    assert [r.code for r in page.status.readings if r.dominant] == ["pm25"]
    chart = page.hour_chart
    assert chart.title == "VN_AQI — 24 giờ qua"
    assert chart.description == "VN_AQI, 24 giờ qua: 24 giá trị; cao nhất 169.0 lúc 11"
    assert chart.lines == [] and chart.floor == 0.0
    assert [b.label for b in chart.bars] == [f"{h % 24:02d}h" for h in range(13, 37)]  # 13h yesterday … 12h
    assert chart.bars[-2:] == [
        ChartBar("11h", 169.0, aqi.band(169).hex, "11:00 02/03/2026: VN_AQI 169.0"),
        ChartBar("12h", 122.0, "#FF7E00", "12:00 02/03/2026: VN_AQI 122.0")]  # the hour still running: "Kém"
    assert all(b.colour == aqi.band(b.value).hex for b in chart.bars)


def test_the_air_page_has_yesterdays_daily_aqi_and_a_30_day_chart(air):
    page = services.station_page(air, now=NOW)
    assert page.daily == services.DailyValue("VN_AQI", dt.datetime(2026, 2, 28, 17, tzinfo=UTC), 127.0, "PM2.5")
    chart = page.day_chart
    assert chart.title == "VN_AQI — 30 ngày qua" and len(chart.bars) == 30
    assert chart.description == "VN_AQI, 30 ngày qua: 1 giá trị; cao nhất 127.0 lúc 01/03/2026"
    assert chart.bars[-2:] == [ChartBar("01/03", 127.0, "#FF7E00", "01/03/2026: VN_AQI 127.0"),
                               ChartBar("02/03", None, services.NO_DATA, "02/03/2026: VN_AQI —")]


def test_the_hourly_table_lists_the_head_columns_first_and_the_newest_hour_first(air):
    page = services.station_page(air, now=NOW)
    assert page.hour_columns[:4] == [("aqi", "VN_AQI"), ("aqi_level", "Mức AQI (1–6)"),
                                     ("dominant", "Thông số có chỉ số cao nhất"), ("aqi_pm25", "AQI PM2.5")]
    assert len(page.hour_rows) == 24
    newest, values = page.hour_rows[0]
    assert newest == dt.datetime(2026, 3, 2, 5, tzinfo=UTC) and values[:4] == [122.0, 3.0, "pm25", 122.0]
    assert page.regulation_note == "" and page.warnings == []


def test_the_water_level_chart_colours_by_alarm_level_and_draws_the_three_alarm_lines(river):
    page = services.station_page(river[0], now=NOW)
    assert page.highest is None
    chart = page.hour_chart
    assert chart.lines == [ReferenceLine(9.5, "Báo động I", "#FFD600"), ReferenceLine(10.5, "Báo động II", "#FF7E00"),
                           ReferenceLine(11.5, "Báo động III", "#E53935")]
    assert chart.floor is None  # a river level does not start at zero
    assert [(b.label, b.value, b.colour) for b in chart.bars[-4:]] == [
        ("09h", 10.2, "#FFD600"), ("10h", 10.2, "#FFD600"), ("11h", 10.8, "#FF7E00"), ("12h", 10.8, "#FF7E00")]
    assert chart.description == "Mực nước (m), 24 giờ qua: 7 giá trị; cao nhất 10.8 lúc 11"
    assert page.day_chart.lines == chart.lines


def test_the_noise_page_draws_the_limits_and_carries_the_regulation_note(noisy):
    normal = services.station_page(services.register_station(thing_id=noisy.pk, kind="noise"), now=NOW)
    assert normal.hour_chart.lines == [ReferenceLine(70, "Giới hạn ban ngày", "#E53935"),
                                       ReferenceLine(55, "Giới hạn ban đêm", "#8E24AA")]
    assert normal.day_chart.lines == [ReferenceLine(70, "Giới hạn ban ngày", "#E53935")]  # daily LAeq: day only
    within = [b.colour for b in normal.hour_chart.bars if b.value is not None]
    assert within == ["#00E400"] * 3  # 67.4 dBA under the 70 dBA daytime limit of a normal area
    assert normal.regulation_note == NOTE_2025
    assert normal.regulation == "Giới hạn theo QCVN 26:2010/BTNMT: Khu vực thông thường (khu dân cư, cơ quan…)"


def test_the_noise_page_names_the_regulation_in_force_at_the_readings_time_from_the_table(noisy):
    """A regulation entered in the back office (made-up numbers) judges the hours from its first day; the hours
    before stay judged by QCVN 26:2010/BTNMT, and the page names the one in force at its latest hour."""
    from smartcity.environment.models import NoiseLimit

    for start, end, limit in ((6, 21, 66), (21, 6, 50)):
        NoiseLimit.objects.create(zone="normal", zone_name="Khu dân cư (thử)", start_hour=start, end_hour=end,
                                  limit_dba=limit, legal_source="Quy chuẩn thử", valid_from=dt.date(2026, 3, 2),
                                  note="Ghi chú chuyển tiếp thử")
    page = services.station_page(services.register_station(thing_id=noisy.pk, kind="noise"), now=NOW)
    assert page.regulation == "Giới hạn theo Quy chuẩn thử: Khu dân cư (thử)"
    assert page.regulation_note == "Ghi chú chuyển tiếp thử"
    assert page.hour_chart.lines == [ReferenceLine(66, "Giới hạn ban ngày", "#E53935"),
                                     ReferenceLine(50, "Giới hạn ban đêm", "#8E24AA")]
    limits = dict(zip([t for t, _ in page.hour_rows], [row[page.hour_columns.index(("limit_dba", "Giới hạn (dBA)"))]
                                                       for _, row in page.hour_rows], strict=True))
    assert limits[dt.datetime(2026, 3, 1, 16, tzinfo=UTC)] == 55  # 23:00 on 1 March, Hà Nội: the 2010 night
    assert limits[dt.datetime(2026, 3, 1, 17, tzinfo=UTC)] == 50  # midnight: the new one's night
    assert limits[dt.datetime(2026, 3, 2, 3, tzinfo=UTC)] == 66  # 10:00 on 2 March: the new one's day


def test_a_special_area_noise_page_shows_the_same_hours_over_its_limit(noisy):
    special = services.register_station(thing_id=noisy.pk, kind="noise", noise_zone="special")
    page = services.station_page(special, now=NOW)
    assert [r.value for r in page.hour_chart.lines] == [55, 45]
    assert [b.colour for b in page.hour_chart.bars if b.value is not None] == ["#FF0000"] * 3
    assert page.day_chart.bars[-1].colour == "#FF0000"


def test_rain_bars_are_plain_blue_without_reference_lines(rain):
    page = services.station_page(rain, now=NOW)
    assert {b.colour for b in page.hour_chart.bars} == {"#1E88E5"}
    assert page.hour_chart.lines == [] and page.hour_chart.floor == 0.0 and page.regulation_note == ""
    assert page.day_chart.description == "Lượng mưa (mm), 30 ngày qua: 0 giá trị"


def test_the_map_page_colours_each_station_by_its_level(air, river, rain):
    page = services.map_page("water_level", now=NOW)
    assert page.kind == "water_level" and page.title == "Bản đồ trạm quan trắc mực nước"
    assert page.dots == [MapDot(105.8631, 21.043, "#FF7E00", "10.8",
                                "Trạm thủy văn Long Biên (Phường Bồ Đề): Mực nước 10.8 m — Báo động II",
                                f"/moi-truong/tram/{river[0].code}/")]
    assert page.legend == [("#1E88E5", "Dưới báo động I"), ("#FFD600", "Báo động I"), ("#FF7E00", "Báo động II"),
                           ("#E53935", "Báo động III"), (services.NO_DATA, "Chưa có số liệu")]
    assert page.description == ("Các phường, xã của thành phố và 1 trạm, tô màu theo mức hiện tại. "
                                "Trạm thủy văn Long Biên (Phường Bồ Đề): Mực nước 10.8 m — Báo động II")
    assert [(t["kind"], t["count"], t["current"]) for t in page.tabs] == [
        ("air", 1, False), ("water", 0, False), ("rain", 1, False), ("water_level", 1, True), ("noise", 0, False)]
    # The river's ward in the colour of its worst station, for the map's ward boundaries.
    assert page.areas == [WardLevel(river[0].unit.key, "#FF7E00", "Phường Bồ Đề: Báo động II")]
    [rainy] = services.map_page("rain", now=NOW).dots
    assert (rainy.colour, rainy.label) == ("#1565C0", "84")  # 84 mm in 24 hours: "Mưa to"


def test_an_unknown_kind_shows_the_air_map(air):
    page = services.map_page("khong-co", now=NOW)
    assert page.kind == "air" and [d.colour for d in page.dots] == ["#FF0000"]
    assert page.legend[:-1] == [(b.hex, f"{b.low}–{b.high}: {b.name}") for b in aqi.BANDS]
    assert services.map_page(None, now=NOW).kind == "air"
