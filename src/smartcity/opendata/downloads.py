"""A resource's table as a download, streamed while it is read — never the whole table in memory.

* CSV (lines end in LF whichever writes them): on PostgreSQL the database writes it (``COPY (SELECT data->>… ORDER BY n) TO STDOUT``, read block by
  block); elsewhere Python's csv writer over a chunked iterator (a server-side cursor on PostgreSQL).
* JSON: an array written one record at a time; GeoJSON: a FeatureCollection, one Feature at a time (the row's own
  ``geometry``, or a Point from ``longitude``/``latitude``).
* XLSX: only for tables up to ``OPENDATA_XLSX_MAX_ROWS`` rows (a workbook is built whole).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse

from smartcity.lib import export
from smartcity.lib.errors import Invalid
from smartcity.opendata.models import Resource, Row

CHUNK = 2000
FORMATS = ("csv", "json", "geojson", "xlsx")


def _data(resource: Resource) -> Iterator[dict[str, Any]]:
    return (Row.objects.filter(resource=resource).order_by("n").values_list("data", flat=True)
            .iterator(chunk_size=CHUNK))


def _columns(resource: Resource) -> list[str]:
    return [f["id"] for f in resource.fields]


class _Line:
    def write(self, line: str) -> str:
        return line


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def csv_chunks(resource: Resource, *, use_copy: bool | None = None) -> Iterator[bytes]:
    """The CSV in blocks of bytes: a header of the field ids, then every row in order (``use_copy``: PostgreSQL's
    COPY writes the rows; by default whenever the database is PostgreSQL)."""
    columns = _columns(resource)
    writer = csv.writer(_Line(), lineterminator="\n")  # LF, as PostgreSQL's COPY writes: the same file either way
    yield writer.writerow(columns).encode()
    if use_copy if use_copy is not None else connection.vendor == "postgresql":
        yield from _copy_csv(resource, columns)
        return
    buffer: list[str] = []
    for data in _data(resource):
        buffer.append(writer.writerow([_cell(data.get(c)) for c in columns]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    yield "".join(buffer).encode()


def copy_sql(columns: list[str]) -> str:
    """The query PostgreSQL writes the CSV with (the benchmark runs the same one through ``COPY`` directly)."""
    selected = ", ".join("data->>%s" for _ in columns) or "NULL"
    return (f"COPY (SELECT {selected} FROM opendata_row WHERE resource_id = %s ORDER BY n) "
            "TO STDOUT WITH (FORMAT csv)")


def _copy_csv(resource: Resource, columns: list[str]) -> Iterator[bytes]:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(copy_sql(columns), [*columns, resource.pk]) as copy:
        pending: list[bytes] = []
        size = 0
        for block in copy:
            pending.append(bytes(block))
            size += len(block)
            if size >= 256 * 1024:
                yield b"".join(pending)
                pending, size = [], 0
        yield b"".join(pending)


def json_chunks(resource: Resource) -> Iterator[bytes]:
    columns = _columns(resource)
    yield b"["
    first = True
    buffer: list[str] = []
    for data in _data(resource):
        record = {c: data.get(c) for c in columns}
        buffer.append(("" if first else ",") + json.dumps(record, ensure_ascii=False))
        first = False
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    buffer.append("]")
    yield "".join(buffer).encode()


def _geometry(data: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(data.get("geometry"), dict):
        return data["geometry"]
    lat = data.get("latitude", data.get("lat"))
    lon = data.get("longitude", data.get("lon"))
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return {"type": "Point", "coordinates": [lon, lat]}
    return None


def geojson_chunks(resource: Resource) -> Iterator[bytes]:
    columns = [c for c in _columns(resource) if c != "geometry"]
    yield b'{"type":"FeatureCollection","features":['
    first = True
    buffer: list[str] = []
    for data in _data(resource):
        feature = {"type": "Feature", "geometry": _geometry(data),
                   "properties": {c: data.get(c) for c in columns}}
        buffer.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    buffer.append("]}")
    yield "".join(buffer).encode()


def response(resource: Resource, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The download of ``resource`` as ``fmt``; ``Invalid`` for a format it does not come in."""
    name = f"{resource.dataset.name}-{resource.uuid.hex[:8]}"
    if fmt == "csv":
        out: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
            csv_chunks(resource), content_type="text/csv; charset=utf-8")
    elif fmt == "json":
        out = StreamingHttpResponse(json_chunks(resource), content_type="application/json")
    elif fmt == "geojson":
        if not resource.geo:
            raise Invalid("Tài nguyên này không có tọa độ để tải dạng GeoJSON", field="format")
        out = StreamingHttpResponse(geojson_chunks(resource), content_type="application/geo+json")
    elif fmt == "xlsx":
        if resource.row_count > settings.OPENDATA_XLSX_MAX_ROWS:
            raise Invalid(f"Bảng có hơn {settings.OPENDATA_XLSX_MAX_ROWS} dòng: hãy tải dạng CSV", field="format")
        columns = export.columns(_columns(resource))
        rows = ({c: _cell(v) for c, v in d.items()} for d in _data(resource))
        return export.xlsx_response(columns, rows, filename=f"{name}.xlsx", title="Dữ liệu")
    else:
        raise Invalid("Định dạng tải về: csv, json, geojson hoặc xlsx", field="format")
    out["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    out["Access-Control-Allow-Origin"] = "*"
    return out
