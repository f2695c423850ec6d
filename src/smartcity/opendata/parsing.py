"""Uploaded tables read into rows, bounded before and while they are parsed: CSV (UTF-8, RFC 4180), XLSX (the
first sheet, openpyxl in read-only mode) and GeoJSON (a FeatureCollection). A file that is not what its name says
is refused with a Vietnamese message naming the field and, where it helps, the line — never half stored.

Bounds (settings, docs/configuration.md): ``OPENDATA_MAX_UPLOAD_BYTES``, ``OPENDATA_MAX_UPLOAD_ROWS``; at most
``MAX_COLUMNS`` columns and ``MAX_CELL`` characters a cell.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from smartcity.lib.errors import Invalid

MAX_COLUMNS = 200
MAX_CELL = 10_000
MAX_GEOJSON_DEPTH = 20
FORMATS = {".csv": "CSV", ".xlsx": "XLSX", ".geojson": "GeoJSON", ".json": "GeoJSON"}


@dataclass
class Parsed:
    format: str
    fields: list[dict[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    geo: bool = False


def parse_upload(name: str, data: bytes) -> Parsed:
    """The table in ``data``, a file called ``name``; ``Invalid`` (field ``file``) when it is not one."""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FORMATS:
        raise Invalid("Chỉ nhận tệp CSV, XLSX hoặc GeoJSON", field="file")
    if not data:
        raise Invalid("Tệp rỗng", field="file")
    if len(data) > settings.OPENDATA_MAX_UPLOAD_BYTES:
        raise Invalid(f"Tệp lớn quá {settings.OPENDATA_MAX_UPLOAD_BYTES // (1024 * 1024)} MB", field="file")
    fmt = FORMATS[ext]
    if fmt == "CSV":
        header, rows = _csv(data)
        return _typed("CSV", header, rows)
    if fmt == "XLSX":
        header, rows = _xlsx(data)
        return _typed("XLSX", header, rows)
    return _geojson(data)


def _header(cells: list[Any]) -> list[str]:
    header = [str(c).strip() if c is not None else "" for c in cells]
    if not header or not any(header):
        raise Invalid("Dòng đầu tiên phải là tên các cột", field="file")
    if len(header) > MAX_COLUMNS:
        raise Invalid(f"Nhiều quá {MAX_COLUMNS} cột", field="file")
    if "" in header:
        raise Invalid(f"Cột thứ {header.index('') + 1} không có tên", field="file")
    seen = set()
    for h in header:
        if h in seen:
            raise Invalid(f"Tên cột bị trùng: {h}", field="file")
        if h.startswith("_"):
            raise Invalid(f"Tên cột không được bắt đầu bằng dấu gạch dưới: {h}", field="file")
        seen.add(h)
    return header


def _too_many(n: int) -> None:
    if n > settings.OPENDATA_MAX_UPLOAD_ROWS:
        raise Invalid(f"Nhiều quá {settings.OPENDATA_MAX_UPLOAD_ROWS} dòng", field="file")


def _csv(data: bytes) -> tuple[list[str], list[list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"Tệp CSV phải mã hóa UTF-8 (byte lạ ở vị trí {exc.start})", field="file") from None
    if "\x00" in text:
        raise Invalid("Tệp CSV chứa byte NUL: không phải tệp văn bản", field="file")
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = _header(next(reader, []))
        rows: list[list[Any]] = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise Invalid(f"Dòng {reader.line_num} có {len(row)} cột, dòng tiêu đề có {len(header)}",
                              field="file")
            rows.append(row)
            _too_many(len(rows))
    except csv.Error as exc:
        raise Invalid(f"Tệp CSV sai cú pháp ở dòng {reader.line_num}: {exc}", field="file") from None
    return header, rows


def _xlsx(data: bytes) -> tuple[list[str], list[list[Any]]]:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise Invalid("Tệp không phải bảng tính XLSX", field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > 20 * settings.OPENDATA_MAX_UPLOAD_BYTES:
                raise Invalid("Tệp XLSX giải nén ra quá lớn", field="file")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Invalid(f"Tệp không phải bảng tính XLSX đọc được ({type(exc).__name__})", field="file") from None
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = _header(list(next(lines, ())))
        rows = []
        for line in lines:
            cells = list(line[:len(header)]) + [None] * (len(header) - len(line))
            if all(c is None for c in cells):
                continue
            rows.append([c.isoformat() if hasattr(c, "isoformat") else c for c in cells])
            _too_many(len(rows))
    finally:
        book.close()
    return header, rows


def _number(text: str) -> int | float | None:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def _typed(fmt: str, header: list[str], rows: list[list[Any]]) -> Parsed:
    """Columns whose every non-empty cell is a number become numbers (``int`` or ``numeric``); the rest text."""
    types = []
    for i in range(len(header)):
        kind = "int"
        for row in rows:
            v = row[i]
            if v is None or v == "":
                continue
            n = v if isinstance(v, int | float) and not isinstance(v, bool) else _number(str(v))
            if n is None:
                kind = "text"
                break
            if isinstance(n, float):
                kind = "numeric"
        types.append(kind if rows else "text")
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for h, t, v in zip(header, types, row, strict=True):
            if v is None or v == "":
                item[h] = None
            elif t == "text":
                item[h] = str(v)[:MAX_CELL]
            else:
                n = v if isinstance(v, int | float) else _number(str(v))
                item[h] = float(n) if t == "numeric" and n is not None else n
        out.append(item)
    lower = {h.lower(): h for h in header}
    geo = {"latitude", "longitude"} <= set(lower) or {"lat", "lon"} <= set(lower)
    return Parsed(fmt, [{"id": h, "type": t} for h, t in zip(header, types, strict=True)], out, geo)


def _depth(value: Any, limit: int) -> None:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise Invalid(f"GeoJSON lồng sâu quá {limit} mức", field="file")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _geojson(data: bytes) -> Parsed:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Invalid(f"Tệp không phải JSON hợp lệ: {exc}", field="file") from None
    _depth(doc, MAX_GEOJSON_DEPTH)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
            doc.get("features"), list):
        raise Invalid("GeoJSON phải là một FeatureCollection có danh sách features", field="file")
    features = doc["features"]
    _too_many(len(features))
    names: dict[str, None] = {}
    rows = []
    for i, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise Invalid(f"Phần tử thứ {i} không phải Feature", field="file")
        geometry = feature.get("geometry")
        if geometry is not None and (not isinstance(geometry, dict) or geometry.get("type") not in {
                "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
                or not isinstance(geometry.get("coordinates"), list)):
            raise Invalid(f"Feature thứ {i} có geometry không hợp lệ", field="file")
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise Invalid(f"Feature thứ {i} có properties không phải đối tượng", field="file")
        row: dict[str, Any] = {str(k)[:100]: (v if isinstance(v, str | int | float | bool) or v is None else json.dumps(v))
               for k, v in props.items()}
        for k in row:
            names.setdefault(k, None)
            if len(names) > MAX_COLUMNS:
                raise Invalid(f"Nhiều quá {MAX_COLUMNS} thuộc tính", field="file")
        row["geometry"] = geometry
        rows.append(row)
    header = [n for n in names if n != "geometry"]
    typed = _typed("GeoJSON", header, [[r.get(h) for h in header] for r in rows])
    for item, r in zip(typed.rows, rows, strict=True):
        item["geometry"] = r["geometry"]
    typed.fields.append({"id": "geometry", "type": "json"})
    typed.geo = True
    return typed
