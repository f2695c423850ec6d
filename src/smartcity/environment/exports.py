"""A station's history as a download: the hourly or daily table the station page shows, as CSV through the
platform's export helper (``smartcity.lib.export``), UTF-8 with a byte-order mark so spreadsheet programs read the
Vietnamese headers. Local time comes first, then the station kind's own columns, then every other parameter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from smartcity.environment import readings, services
from smartcity.environment.models import Station
from smartcity.lib.export import Column

TIME = "_moment"  # the key of the time column (never a parameter's code)


def history_columns(station: Station, table: readings.Table) -> list[Column]:
    return [Column(TIME, "Thời điểm (giờ Việt Nam, đầu khoảng)"),
            *(Column(c, services.column_label(c)) for c in services.ordered_columns(station, table))]


def history_rows(table: readings.Table, span: services.Range) -> Iterator[dict[str, str]]:
    """One row per hour or day: the start of the interval in local time, each value as ``cell`` writes it."""
    zone = readings.zone()
    pattern = "%Y-%m-%d %H:%M" if span.resolution == "hour" else "%Y-%m-%d"
    for i, moment in enumerate(table.times):
        yield {TIME: moment.astimezone(zone).strftime(pattern), **{c: cell(table.value(c, i)) for c in table.columns}}


def cell(value: Any) -> str:
    """A value in the file: empty when missing, at most three decimals without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)
