"""The Leaflet map in a real browser (Debian's Chromium through Playwright), with the city's ward boundaries imported
from a local GeoJSON file and NO tile server: Leaflet draws the boundaries and the station markers alone, every
request stays on our own origin, and the policy refuses nothing. Skipped, saying why, where /usr/bin/chromium is
absent."""

from __future__ import annotations

from pathlib import Path

from smartcity.conftest import BROWSER
from smartcity.places.services import import_boundaries

pytestmark = BROWSER

FIXTURE = Path(__file__).parents[2] / "places" / "tests" / "data" / "two-wards.geojson"


def test_the_map_shows_the_imported_wards_and_the_stations_with_no_tile_server(page, live_server, air, ba_dinh,
                                                                                 hoan_kiem):
    import_boundaries(data=FIXTURE.read_bytes())  # made-up squares around Ba Đình and Hoàn Kiếm (a test fixture)
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(live_server.url + "/moi-truong/")
    container = page.locator("#map-leaflet")
    container.locator("xpath=self::*[@data-state='ready']").wait_for()
    assert page.evaluate("typeof window.L.map") == "function"
    assert container.locator("svg.env-map").count() == 0  # the schematic gave way to Leaflet
    assert container.locator(".leaflet-tile").count() == 0  # no tile layer

    # The station: one marker, a link to its page with its AQI, in the colour of its band (169: "Xấu", red).
    marker = container.locator(".leaflet-marker-pane .map-marker a")
    assert marker.count() == 1
    assert marker.get_attribute("href") == f"/moi-truong/tram/{air.code}/"
    assert marker.inner_text() == "169"
    assert marker.get_attribute("aria-label") == "Trạm Hoàn Kiếm (Phường Hoàn Kiếm): AQI giờ 169 — Xấu"
    assert marker.evaluate("a => getComputedStyle(a).backgroundColor") == "rgb(255, 0, 0)"

    # The wards: Hoàn Kiếm filled in its station's colour, Ba Đình (no station) neutral.
    fills = container.locator(".leaflet-overlay-pane path").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
    assert sorted(fills) == ["#FF0000", "#e8e8e8"]
    assert page.locator(".map-legend").is_visible()
    assert page.locator(".map-legend li").first.inner_text() == "0–50: Tốt"

    marker.click()
    page.wait_for_url(f"**/moi-truong/tram/{air.code}/")
    assert page.locator("h1").inner_text() == "Trạm Hoàn Kiếm"

    assert [u for u in requests if not u.startswith(live_server.url)] == []
    assert live_server.url + "/ban-do/ranh-gioi/01.geojson" in requests
    assert problems == []
