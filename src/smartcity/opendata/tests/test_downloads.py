"""Downloads stream row by row (memory flat however long the table), in CSV, JSON, GeoJSON and small XLSX; heavy
users' API keys count against their own daily quota."""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from smartcity.opendata import downloads, services
from smartcity.opendata.models import ApiKeyUsage, Resource, Row

pytestmark = pytest.mark.django_db


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_download_is_the_header_then_every_row(client, air_csv):
    response = client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.csv")
    assert response.status_code == 200
    assert response.streaming
    assert _body(response).decode() == ("station,time,aqi\nhk-01,2026-03-01T01:00:00Z,57.0\n"
                                        "hk-01,2026-03-01T02:00:00Z,61.5\nbd-02,2026-03-01T01:00:00Z,\n")


def test_json_download_is_an_array_of_records(client, air_csv):
    body = json.loads(_body(client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.json")))
    assert body[2] == {"station": "bd-02", "time": "2026-03-01T01:00:00Z", "aqi": None}
    assert len(body) == 3


def test_geojson_download_makes_points_from_latitude_and_longitude(client, catalogue):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("od-admin", "od@example.vn", "x")
    r = services.add_file_resource(user=admin, dataset=catalogue["air"], name="Trạm", filename="t.csv",
                                   data="name,latitude,longitude\nHoàn Kiếm,21.03,105.85\n".encode())
    body = json.loads(_body(client.get(f"/du-lieu-mo/tai-nguyen/{r.uuid}/tai-ve.geojson")))
    assert body == {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [105.85, 21.03]},
        "properties": {"name": "Hoàn Kiếm", "latitude": 21.03, "longitude": 105.85}}]}


def test_geojson_of_a_table_without_coordinates_is_a_clear_400(client, air_csv):
    response = client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.geojson")
    assert response.status_code == 400
    assert response.content.decode() == "Tài nguyên này không có tọa độ để tải dạng GeoJSON"


def test_xlsx_only_for_small_tables(client, air_csv, settings):
    response = client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["station", "time", "aqi"]
    settings.OPENDATA_XLSX_MAX_ROWS = 2
    assert client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.xlsx").status_code == 400


def test_unknown_format_or_resource(client, air_csv):
    assert client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.pdf").status_code == 400
    assert client.get("/du-lieu-mo/tai-nguyen/00000000-0000-0000-0000-000000000000/tai-ve.csv").status_code == 404


def test_streaming_a_big_table_keeps_memory_flat(air_csv):
    """Peak traced memory while the Python csv path (SQLite's; a server-side cursor on PostgreSQL) streams 40,000
    rows is no more than while it streams 4,000 (plus a little): nothing grows with the table. PostgreSQL's COPY
    path buffers in libpq, which tracemalloc cannot see: bench/opendata_download.py measures its RSS instead."""
    big = Resource.objects.create(dataset=air_csv.dataset, name="big", kind="file", format="CSV",
                                  fields=[{"id": "i", "type": "int"}, {"id": "s", "type": "text"}])
    Row.objects.bulk_create([Row(resource=big, n=i, data={"i": i, "s": f"hàng số {i}"}) for i in range(1, 40_001)],
                            batch_size=5000)

    def peak(limit_rows: int) -> int:
        Row.objects.filter(resource=big, n__gt=limit_rows).update(resource=air_csv)  # park the rest
        tracemalloc.start()
        total = sum(len(chunk) for chunk in downloads.csv_chunks(big, use_copy=False))
        size, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        Row.objects.filter(resource=air_csv, n__gt=limit_rows).update(resource=big)
        assert total > limit_rows * 10
        return top

    small, large = peak(4000), peak(40_000)
    assert large < small * 1.5 + 256 * 1024


def test_an_api_key_has_its_own_daily_quota(client, air_csv):
    key, secret = services.issue_api_key(name="Viện nghiên cứu", daily_quota=2)
    url = f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.csv"
    assert client.get(url, HTTP_X_API_KEY=secret).status_code == 200
    assert client.get(url, HTTP_X_API_KEY=secret).status_code == 200
    refused = client.get(url, HTTP_X_API_KEY=secret)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert ApiKeyUsage.objects.get(key=key, day=timezone.localdate()).count == 3


def test_a_wrong_api_key_is_refused_and_the_datastore_says_authorization_error(client, air_csv):
    assert client.get(f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.csv", HTTP_X_API_KEY="od_nope").status_code == 403
    response = client.get("/api/3/action/datastore_search", {"resource_id": str(air_csv.uuid)},
                          HTTP_AUTHORIZATION="od_nope")
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"


def test_the_quota_starts_again_the_next_day(air_csv):
    key, secret = services.issue_api_key(name="x", daily_quota=1)
    now = timezone.now()
    services.use_api_key(secret, now=now)
    services.use_api_key(secret, now=now + dt.timedelta(days=1))
    assert sorted(ApiKeyUsage.objects.filter(key=key).values_list("count", flat=True)) == [1, 1]


def test_anonymous_heavy_calls_are_limited_per_address(client, air_csv, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "opendata_heavy": "2/m"}
    url = f"/du-lieu-mo/tai-nguyen/{air_csv.uuid}/tai-ve.json"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_datastore_search_past_the_address_limit_is_a_ckan_429_and_other_addresses_go_on(client, air_csv, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "opendata_heavy": "1/m"}
    url, params = "/api/3/action/datastore_search", {"resource_id": str(air_csv.uuid)}
    assert client.get(url, params, REMOTE_ADDR="203.0.113.7").status_code == 200
    limited = client.get(url, params, REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429
    assert limited.json()["error"]["__type"] == "Rate Limit Error"
    assert int(limited["Retry-After"]) > 0
    assert client.get(url, params, REMOTE_ADDR="203.0.113.8").status_code == 200
