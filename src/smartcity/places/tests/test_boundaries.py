"""Ward boundaries from the city's GeoJSON: `smartcity places import-boundaries` stores what it can place, reports
what it cannot, changes nothing on a second run, and refuses a bad file whole with a message saying why; the stored
boundaries come back as one FeatureCollection at /ban-do/ranh-gioi/<province>.geojson.

``data/two-wards.geojson`` is a test fixture: made-up squares around two ward centres, not real boundaries."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from smartcity.places import boundaries
from smartcity.places.models import Boundary
from smartcity.places.services import boundaries_geojson, import_boundaries

FIXTURE = Path(__file__).parent / "data" / "two-wards.geojson"
SQUARE = [[105.826, 21.03], [105.842, 21.03], [105.842, 21.045], [105.826, 21.045], [105.826, 21.03]]


def run(path: Path | str, *args: str) -> str:
    out = io.StringIO()
    call_command("places", "import-boundaries", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, document: object, name: str = "ranh-gioi.geojson") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def collection(*geometries: dict, properties: dict | None = None) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties or {"ma_xa": "00004"}, "geometry": g} for g in geometries]}


def stored() -> dict[str, dict]:
    return {b.unit.name: json.loads(b.geometry) for b in Boundary.objects.select_related("unit")}


def test_the_import_places_wards_by_code_or_name_and_reports_the_feature_it_cannot_place(ba_dinh, hoan_kiem):
    out = run(FIXTURE)
    assert out.splitlines() == [
        "3 đối tượng: 2 ranh giới mới, 0 thay đổi, 0 không đổi, 1 không khớp",
        "  không khớp: đối tượng thứ 3 (99999, Phường Không Có): không có phường, xã này trong tỉnh",
    ]
    assert stored() == {
        "Phường Ba Đình": {"type": "Polygon", "coordinates": [SQUARE]},  # by its code 00004
        # by its name, folded ("phuong hoan kiem"); coordinates kept to 6 decimals (~0.1 m)
        "Phường Hoàn Kiếm": {"type": "MultiPolygon", "coordinates": [[[
            [105.845, 21.02], [105.86, 21.02], [105.86, 21.035123], [105.845, 21.035123], [105.845, 21.02]]]]},
    }
    ba_dinh_boundary = Boundary.objects.get(unit=ba_dinh)
    assert (ba_dinh_boundary.positions, ba_dinh_boundary.source) == (5, "two-wards.geojson")


def test_importing_the_same_file_again_changes_nothing(ba_dinh, hoan_kiem):
    run(FIXTURE)
    before = list(Boundary.objects.order_by("pk").values_list("pk", "unit_id", "geometry", "imported_at"))
    assert run(FIXTURE).splitlines()[0] == "3 đối tượng: 0 ranh giới mới, 0 thay đổi, 2 không đổi, 1 không khớp"
    assert list(Boundary.objects.order_by("pk").values_list("pk", "unit_id", "geometry", "imported_at")) == before


def test_a_new_file_replaces_the_boundaries_it_names_and_keeps_the_others(tmp_path, ba_dinh, hoan_kiem):
    run(FIXTURE)
    smaller = [[105.83, 21.035], [105.84, 21.035], [105.84, 21.04], [105.83, 21.035]]
    out = run(write(tmp_path, collection({"type": "Polygon", "coordinates": [smaller]})))
    assert out.splitlines() == ["1 đối tượng: 0 ranh giới mới, 1 thay đổi, 0 không đổi, 0 không khớp"]
    assert stored()["Phường Ba Đình"] == {"type": "Polygon", "coordinates": [smaller]}
    assert Boundary.objects.get(unit=ba_dinh).source == "ranh-gioi.geojson"
    assert "Phường Hoàn Kiếm" in stored()


def test_the_code_property_is_configurable_and_a_ward_named_twice_is_reported(tmp_path, ba_dinh):
    square = {"type": "Polygon", "coordinates": [SQUARE]}
    document = collection(square, square, properties={"MA": 4})  # a number, as some GIS exports write codes
    out = run(write(tmp_path, document), "--code-property", "MA")
    assert out.splitlines() == [
        "2 đối tượng: 1 ranh giới mới, 0 thay đổi, 0 không đổi, 1 không khớp",
        "  không khớp: đối tượng thứ 2 (00004): Phường Ba Đình đã có ranh giới ở đối tượng trước",
    ]
    assert list(stored()) == ["Phường Ba Đình"]


@pytest.mark.parametrize(("content", "message"), [
    ("không phải JSON", "Tệp không phải JSON hợp lệ: Expecting value: line 1 column 1 (char 0)"),
    ("[" * 100_000 + "]" * 100_000, "Tệp JSON lồng nhau quá sâu"),
    ({"type": "Feature", "geometry": None}, "Tệp phải là một GeoJSON FeatureCollection"),
    ({"type": "FeatureCollection"}, "FeatureCollection không có danh sách features"),
    (collection({"type": "Point", "coordinates": [105.8, 21.0]}),
     "Đối tượng thứ 1: hình phải là Polygon hoặc MultiPolygon, không phải Point"),
    (collection({"type": "Polygon", "coordinates": [[[586000, 2326000], [587000, 2326000], [587000, 2327000],
                                                      [586000, 2326000]]]}),
     "Đối tượng thứ 1: tọa độ 586000, 2326000 không phải độ WGS 84 (GeoJSON dùng kinh độ, vĩ độ; "
     "hãy chuyển tệp VN-2000 sang WGS 84)"),
    (collection({"type": "Polygon", "coordinates": [SQUARE[:4]]}),
     "Đối tượng thứ 1: vòng không khép kín (điểm đầu khác điểm cuối)"),
    (collection({"type": "Polygon", "coordinates": [SQUARE[:3]]}), "Đối tượng thứ 1: mỗi vòng phải có ít nhất 4 điểm"),
    (collection({"type": "Polygon", "coordinates": [[["105.8", "21.0"]] * 4]}),
     "Đối tượng thứ 1: mỗi điểm phải là [kinh độ, vĩ độ]"),
    ({"type": "FeatureCollection", "features": [{"type": "Point"}]}, "Đối tượng thứ 1 không phải một Feature"),
])
def test_a_bad_file_is_refused_whole_with_a_message_saying_why(tmp_path, ba_dinh, content, message):
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as caught:
        run(path)
    assert str(caught.value) == f"{path}: {message}"
    assert Boundary.objects.count() == 0


def test_one_bad_feature_after_good_ones_stores_nothing(tmp_path, ba_dinh):
    document = collection({"type": "Polygon", "coordinates": [SQUARE]}, {"type": "LineString", "coordinates": []})
    with pytest.raises(CommandError, match="Đối tượng thứ 2: hình phải là Polygon hoặc MultiPolygon"):
        run(write(tmp_path, document))
    assert Boundary.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, settings, ba_dinh):
    settings.MAP_BOUNDARY_MAX_MB = 1
    path = write(tmp_path, " " * (1024 * 1024) + json.dumps(collection({"type": "Polygon", "coordinates": [SQUARE]})))
    with pytest.raises(CommandError) as caught:
        run(path)
    assert str(caught.value) == f"{path}: Tệp lớn hơn 1 MB"
    assert Boundary.objects.count() == 0


def test_too_many_features_or_positions_are_refused(tmp_path, monkeypatch, ba_dinh):
    square = {"type": "Polygon", "coordinates": [SQUARE]}
    monkeypatch.setattr(boundaries, "MAX_FEATURES", 2)
    with pytest.raises(CommandError, match="Tệp có 3 đối tượng, nhiều hơn giới hạn 2$"):
        run(write(tmp_path, collection(square, square, square)))
    monkeypatch.setattr(boundaries, "MAX_FEATURE_POSITIONS", 4)
    with pytest.raises(CommandError, match="Đối tượng thứ 1 có 5 điểm, nhiều hơn giới hạn 4; hãy đơn giản hóa"):
        run(write(tmp_path, collection(square)))
    monkeypatch.setattr(boundaries, "MAX_FEATURE_POSITIONS", 5)
    monkeypatch.setattr(boundaries, "MAX_POSITIONS", 9)
    with pytest.raises(CommandError, match="Tệp có hơn 9 điểm; hãy đơn giản hóa ranh giới trước khi nhập$"):
        run(write(tmp_path, collection(square, square)))
    assert Boundary.objects.count() == 0


def test_a_province_whose_units_are_not_loaded_is_refused_saying_what_to_run(ba_dinh):
    with pytest.raises(CommandError) as caught:
        run(FIXTURE, "--province", "79")
    assert str(caught.value) == (f"{FIXTURE}: Chưa nạp đơn vị hành chính của tỉnh 79: chạy "
                                 "`smartcity places load --province 79` trước")
    assert Boundary.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match=r"khong-co\.geojson: No such file or directory$"):
        run(tmp_path / "khong-co.geojson")


def test_the_boundaries_are_served_as_one_feature_collection_cached_by_etag(client, ba_dinh, hoan_kiem):
    import_boundaries(data=FIXTURE.read_bytes())
    response = client.get("/ban-do/ranh-gioi/01.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=3600"
    served = json.loads(response.content)
    assert [(f["id"], f["properties"], f["geometry"]["type"]) for f in served["features"]] == [
        (ba_dinh.key, {"name": "Phường Ba Đình"}, "Polygon"),
        (hoan_kiem.key, {"name": "Phường Hoàn Kiếm"}, "MultiPolygon")]
    assert served["features"][0]["geometry"]["coordinates"] == [SQUARE]
    assert response.content.decode() == boundaries_geojson("01")
    again = client.get("/ban-do/ranh-gioi/01.geojson", HTTP_IF_NONE_MATCH=response["ETag"])
    assert (again.status_code, again.content) == (304, b"")
    assert json.loads(client.get("/ban-do/ranh-gioi/02.geojson").content) == {
        "type": "FeatureCollection", "features": []}
