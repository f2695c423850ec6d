"""Tables as downloads, written once for every page and API that offers them: CSV streamed row by row, and Excel
workbooks (openpyxl).

A table is its ``Column``s (the key a row is read by, the header people see — Vietnamese on the public pages, the
field names where an API promises them) and its rows, mappings from key to value. A missing or None value is an
empty cell; numbers stay numbers in the workbook.

CSV is RFC 4180 as Python's ``csv`` writes it (CRLF line ends, quotes where needed). ``bom=True`` starts it with the
UTF-8 byte-order mark, without which spreadsheet programs read the Vietnamese letters as a Western code page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    header: str


def columns(keys: Iterable[str]) -> list[Column]:
    """Columns headed by their own keys (an API's download, whose header row is its field names)."""
    return [Column(key, key) for key in keys]


class _Line:
    """The file ``csv.writer`` writes to: it hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, bom: bool = False) -> Iterator[str]:
    """The CSV text, one line at a time (the BOM first if asked for): nothing holds the whole table."""
    writer = csv.writer(_Line())
    if bom:
        yield "\ufeff"
    yield writer.writerow([c.header for c in columns])
    for row in rows:
        yield writer.writerow([row.get(c.key) for c in columns])


def csv_text(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, bom: bool = False) -> str:
    return "".join(csv_lines(columns, rows, bom=bom))


def csv_response(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, filename: str,
                 bom: bool = False) -> StreamingHttpResponse:
    """The table as a CSV download named ``filename``, streamed while ``rows`` are read."""
    response = StreamingHttpResponse(csv_lines(columns, rows, bom=bom), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, title: str) -> bytes:
    """The table as an Excel workbook: one sheet named ``title`` (cut to Excel's 31 characters), a header row."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append([row.get(c.key) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], *, filename: str,
                  title: str) -> HttpResponse:
    """The table as an Excel download named ``filename``."""
    response = HttpResponse(xlsx_bytes(columns, rows, title=title), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
