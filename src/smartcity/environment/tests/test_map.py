"""The station map through the map component: the server-drawn schematic alone when the city configured neither a
tile server nor ward boundaries; the Leaflet map over it (our vendored copy, no inline script, its data in a JSON
block) when it configured either; the tile server's host in the Content-Security-Policy only when there is one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smartcity.places.services import import_boundaries

FIXTURE = Path(__file__).parents[2] / "places" / "tests" / "data" / "two-wards.geojson"
TILES = "https://tiles.example/{z}/{x}/{y}.png"
LEAFLET_JS = '<script src="/static/vendor/leaflet/1.9.4/leaflet.js" defer></script>'
MAP_JS = '<script src="/static/map/map.js" defer></script>'


def img_src(response) -> str:
    [directive] = [d.strip() for d in response["Content-Security-Policy"].split(";") if d.strip().startswith("img-src")]
    return directive


def map_data(html: str, ident: str = "map") -> dict:
    [block] = re.findall(rf'<script id="{ident}-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(block)


def scripts(html: str) -> list[str]:
    return re.findall(r"<script[^>]*>", html)


def test_with_nothing_configured_the_page_draws_the_schematic_and_loads_no_script_for_it(client, air):
    response = client.get("/moi-truong/")
    html = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="env-map" role="group"' in html
    assert "leaflet" not in html and "map/map.js" not in html and 'class="map-leaflet"' not in html
    assert "Mỗi vòng tròn xám là một phường, xã (theo diện tích)" in html
    assert img_src(response) == "img-src 'self' data:"


def test_with_a_tile_server_the_page_loads_leaflet_over_the_schematic_and_lets_the_tiles_through(
        client, settings, air, hoan_kiem):
    settings.MAP_TILE_URL = TILES
    settings.MAP_TILE_ATTRIBUTION = "© Sở TT&TT Hà Nội <b>"
    response = client.get("/moi-truong/")
    html = response.content.decode()
    assert LEAFLET_JS in html and MAP_JS in html
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/1.9.4/leaflet.css">' in html
    # The container holds the schematic until the script replaces it (no script: the schematic stays).
    container = html[html.index('<div class="map-leaflet"'):]
    assert container.startswith('<div class="map-leaflet" id="map-leaflet" data-map="map-data" role="region" '
                                'aria-label="Bản đồ trạm quan trắc không khí"><svg ')
    assert '<ul class="map-legend" hidden><li><span class="map-swatch" style="background:#00E400"' in html
    # No inline script: every <script> is one of our static files or a JSON data block.
    assert [s for s in scripts(html) if "portal/" not in s] == [
        '<script id="map-data" type="application/json">', '<script src="/static/vendor/leaflet/1.9.4/leaflet.js" defer>',
        '<script src="/static/map/map.js" defer>']
    assert all("src=" in s or 'type="application/json"' in s for s in scripts(html))
    assert map_data(html) == {
        "title": "Bản đồ trạm quan trắc không khí",
        "tiles": TILES,
        "attribution": "© Sở TT&amp;TT Hà Nội &lt;b&gt;",  # Leaflet writes it as HTML: shown as configured
        "boundaries": "",
        "centre": map_data(html)["centre"],
        "fit": "all",
        "points": [{"lat": 21.0287, "lon": 105.8522, "label": "169",
                    "title": "Trạm Hoàn Kiếm (Phường Hoàn Kiếm): AQI giờ 169 — Xấu", "colour": "#FF0000",
                    "ink": "#000", "href": f"/moi-truong/tram/{air.code}/"}],
        "areas": {hoan_kiem.key: {"colour": "#FF0000", "title": "Phường Hoàn Kiếm: Xấu"}},
    }
    assert [round(c, 2) for c in map_data(html)["centre"]] == [21.0, 105.75]  # the middle of Hà Nội's wards
    assert img_src(response) == "img-src 'self' data: https://tiles.example"
    assert "connect-src 'self';" in response["Content-Security-Policy"]


def test_with_only_boundaries_the_map_fetches_them_from_our_origin_and_the_policy_is_unchanged(
        client, settings, air, hoan_kiem, ba_dinh):
    import_boundaries(data=FIXTURE.read_bytes())
    response = client.get("/moi-truong/")
    html = response.content.decode()
    assert LEAFLET_JS in html and MAP_JS in html
    data = map_data(html)
    assert (data["tiles"], data["attribution"], data["boundaries"]) == ("", "", "/ban-do/ranh-gioi/01.geojson")
    assert data["areas"] == {hoan_kiem.key: {"colour": "#FF0000", "title": "Phường Hoàn Kiếm: Xấu"}}
    assert "phường, xã có trạm tô màu theo mức cao nhất của các trạm trong đó" in html
    assert img_src(response) == "img-src 'self' data:"


@pytest.mark.parametrize("path", ["/moi-truong/", "/moi-truong/?loai=rain", "/"])
def test_the_tile_host_is_in_every_policy_once_configured_and_in_none_before(client, settings, db, path):
    assert "tiles.example" not in client.get(path)["Content-Security-Policy"]
    settings.MAP_TILE_URL = "https://{s}.tiles.example/{z}/{x}/{y}.png"
    assert img_src(client.get(path)) == "img-src 'self' data: https://*.tiles.example"


def test_a_station_page_has_a_map_of_its_place_only_once_the_city_configured_one(client, settings, air, hoan_kiem):
    html = client.get(f"/moi-truong/tram/{air.code}/").content.decode()
    assert 'id="station-location"' not in html and "leaflet" not in html and "map/map.js" not in html
    settings.MAP_TILE_URL = TILES
    html = client.get(f"/moi-truong/tram/{air.code}/").content.decode()
    assert '<h2 id="station-location">Vị trí</h2>' in html and LEAFLET_JS in html and MAP_JS in html
    assert 'id="station-map-leaflet" data-map="station-map-data" role="region" aria-label="Vị trí trạm Trạm Hoàn Kiếm"' in html
    data = map_data(html, "station-map")
    assert (data["fit"], data["tiles"]) == ("points", TILES)  # it stays on the station
    assert [(p["label"], p["colour"], p["href"]) for p in data["points"]] == [
        ("169", "#FF0000", f"/moi-truong/tram/{air.code}/")]
    assert data["areas"] == {hoan_kiem.key: {"colour": "#FF0000", "title": "Phường Hoàn Kiếm: Xấu"}}


def test_a_ward_takes_the_colour_of_its_worst_station_and_a_station_without_a_level_colours_nothing(
        hoan_kiem, ba_dinh):
    from smartcity.environment.models import Station
    from smartcity.environment.services import Status, ward_levels

    def status(code: str, unit, level: int | None, label: str, colour: str) -> Status:
        return Status(station=Station(code=code, name=code, unit=unit), level=level, level_label=label,
                      colour=colour)

    levels = ward_levels([status("a", hoan_kiem, 2, "Trung bình", "#FFFF00"),
                          status("b", hoan_kiem, 4, "Xấu", "#FF0000"),
                          status("c", hoan_kiem, 3, "Kém", "#FF7E00"),
                          status("d", ba_dinh, None, "Chưa có số liệu", "#9E9E9E"),
                          status("e", None, 5, "Rất xấu", "#8F3F97")])
    assert [(w.key, w.colour, w.title) for w in levels] == [(hoan_kiem.key, "#FF0000", "Phường Hoàn Kiếm: Xấu")]
