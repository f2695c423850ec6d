"""The SVG drawer: every picture names itself for screen readers, escapes what it is given, and draws to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from smartcity.lib import svg
from smartcity.lib.svg.base import Linear, text_colour

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(picture: str) -> ET.Element:
    return ET.fromstring(picture)


def labelled_by(root: ET.Element) -> tuple[str, str]:
    """The texts of the title and description the root's ``aria-labelledby`` names."""
    title_id, desc_id = root.get("aria-labelledby").split()
    by_id = {e.get("id"): e.text for e in root.iter() if e.get("id")}
    return by_id[title_id], by_id[desc_id]


def test_stacked_bars_have_a_title_and_a_description_of_every_row():
    picture = svg.stacked_bars([{"name": "Phường Ba Đình", "a": 3, "b": 1}, {"name": "Xã Sóc Sơn", "a": 0, "b": 2}],
                               [svg.Series("a", "Đúng hạn", "#2f6fba"), svg.Series("b", "Trễ hạn", "#c62828")],
                               label_key="name", title="Kết quả tháng 11/2026")
    root = parse(picture)
    assert root.get("role") == "img" and root.get("class") == "chart"
    assert labelled_by(root) == ("Kết quả tháng 11/2026",
                                 "Phường Ba Đình: Đúng hạn 3, Trễ hạn 1; Xã Sóc Sơn: Đúng hạn 0, Trễ hạn 2")
    segments = [r for r in root.iterfind("s:rect", NS) if r.find("s:title", NS) is not None]
    assert [r.find("s:title", NS).text for r in segments] == ["Đúng hạn: 3", "Trễ hạn: 1", "Trễ hạn: 2"]
    # The longest bar (4) fills the plot, 720 − 260 − 60 = 400 px: 300 + 100, and the 2 of the other row is 200.
    assert [float(r.get("width")) for r in segments] == [300.0, 100.0, 200.0]


def test_chart_text_is_escaped():
    picture = svg.stacked_bars([{"name": "<script>alert(1)</script>", "a": 2}], [svg.Series("a", "A & B", "#000")],
                               label_key="name", title="t")
    assert "<script>" not in picture and "&lt;script&gt;" in picture and "A &amp; B" in picture
    parse(picture)  # well-formed


def test_a_bar_chart_marks_missing_values_and_draws_reference_lines():
    bars = [svg.Bar("13h", 50.0, "#00E400", "13:00: 50"), svg.Bar("14h", None, "#9E9E9E", "14:00: —"),
            svg.Bar("15h", 100.0, "#FFFF00", "15:00: 100")]
    picture = svg.bar_chart(bars, title="VN_AQI — 24 giờ qua", description="2 giá trị", ident="chart-24h",
                            lines=[(80.0, "Ngưỡng <80>", "#E53935")])
    root = parse(picture)
    assert labelled_by(root) == ("VN_AQI — 24 giờ qua", "2 giá trị")
    assert root.get("aria-labelledby") == "chart-24h-title chart-24h-desc"
    assert [r.find("s:title", NS).text for r in root.iterfind("s:rect", NS)] == ["13:00: 50", "15:00: 100"]
    [gap] = [t for t in root.iterfind("s:text", NS) if t.find("s:title", NS) is not None]
    assert (gap.find("s:title", NS).text, gap.find("s:title", NS).tail) == ("14:00: —", "—")
    assert "Ngưỡng &lt;80&gt;" in picture and 'stroke-dasharray="6 4"' in picture
    heights = [float(r.get("height")) for r in root.iterfind("s:rect", NS)]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.1)  # from zero, to scale


def test_a_chart_without_bars_is_empty():
    assert svg.bar_chart([], title="t", description="d") == ""


def test_the_map_draws_discs_and_points_with_and_without_links():
    discs = [svg.Disc(105.85, 21.03, 4.0, "Phường Hoàn Kiếm"), svg.Disc(105.80, 21.00, 10.0, "Phường Láng")]
    points = [svg.Point(105.85, 21.03, "#7E0023", "369", "Trạm Hoàn Kiếm: AQI 369", "/moi-truong/tram/hk/?a=1&b=2"),
              svg.Point(105.81, 21.01, "#FFFF00", "7", "Phản ánh: ổ gà")]
    picture = svg.schematic_map(discs, points, title="Bản đồ", description="2 điểm", legend=[("#FF0000", "Xấu")])
    root = parse(picture)
    assert root.get("role") == "group" and root.get("class") == "map"
    assert labelled_by(root) == ("Bản đồ", "2 điểm")
    [link] = root.iterfind("s:a", NS)
    assert link.get("href") == "/moi-truong/tram/hk/?a=1&b=2" and link.get("aria-label") == "Trạm Hoàn Kiếm: AQI 369"
    [plain] = [g for g in root.iterfind("s:g", NS) if g.get("role") == "img"]
    assert plain.get("aria-label") == "Phản ánh: ổ gà"
    assert [c.find("s:title", NS).text for c in root.iterfind("s:g[@aria-hidden='true']/s:circle", NS)] == ["Phường Hoàn Kiếm",
                                                                                     "Phường Láng"]
    # Text on the point reads on its colour: white on maroon, black on yellow.
    assert [t.get("fill") for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("font-weight")] == [
        "#fff", "#000"]


def test_the_map_keeps_the_areas_in_proportion():
    discs = [svg.Disc(105.80, 21.0, 4.0, "a"), svg.Disc(105.90, 21.0, 16.0, "b")]
    root = parse(svg.schematic_map(discs, [], title="t", description="d", legend=[]))
    small, big = (float(c.get("r")) for c in root.iterfind("s:g[@aria-hidden='true']/s:circle", NS))
    assert big == pytest.approx(2 * small, rel=0.02)  # four times the area, twice the radius


def test_an_empty_map_is_empty():
    assert svg.schematic_map([], [], title="t", description="d", legend=[]) == ""


def test_a_qr_code_is_an_inline_svg():
    picture = svg.qr_code("https://dichvucong.hanoi.gov.vn/tra-cuu?code=2026-000123", scale=4)
    assert picture.startswith("<svg") and re.search(r'width="\d+"', picture)


def test_the_linear_scale_maps_values_and_amounts():
    x = Linear(0, 200, 100, 400)
    assert (x(0), x(50), x(200), x.extent(50)) == (100, 200, 500, 100)
    y = Linear(-1, 3, 10, 80, flip=True)
    assert (y(3), y(-1), y(1)) == (10, 90, 50)
    assert y.ticks(4) == [-1, 0, 1, 2, 3] and y.decimals == 1 and Linear(0, 50, 0, 1).decimals == 0


@pytest.mark.parametrize(("colour", "text"), [("#FFFF00", "#000"), ("#7E0023", "#fff"), ("#00E400", "#000"),
                                              ("#abc", "#000")])
def test_text_on_a_colour_is_black_or_white_by_contrast(colour, text):
    assert text_colour(colour) == text
