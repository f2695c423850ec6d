"""Charts as inline SVG made on the server: no script, no CDN, readable by screen readers (a title and a
description), and printable. The numbers stay in the table next to the chart; the chart only shows their shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


def stacked_bars(rows: Sequence[dict[str, object]], series: Sequence[Series], *, label_key: str, title: str,
                 width: int = 720, bar: int = 18, gap: int = 8, label_width: int = 260) -> SafeString:
    """Horizontal bars, one per row, each split into ``series`` (the row's values under their keys)."""
    totals = [sum(int(row.get(s.key) or 0) for s in series) for row in rows]
    top = max(totals, default=0) or 1
    plot = width - label_width - 60
    legend_height = 28
    height = legend_height + len(rows) * (bar + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-labelledby="chart-title chart-desc"><title id="chart-title">{escape(title)}</title>'
             f'<desc id="chart-desc">{escape(_describe(rows, series, label_key))}</desc>']
    x = 0
    for s in series:
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{s.colour}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{escape(s.label)}</text>')
        x += 24 + 7 * len(s.label)
    for index, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = legend_height + index * (bar + gap)
        name = str(row.get(label_key) or "")
        short = name if len(name) <= 40 else name[:39] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar - 5}" font-size="12" text-anchor="end">'
                     f'<title>{escape(name)}</title>{escape(short)}</text>')
        x = float(label_width)
        for s in series:
            value = int(row.get(s.key) or 0)
            if value:
                w = plot * value / top
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{s.colour}">'
                             f'<title>{escape(s.label)}: {value}</title></rect>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar - 5}" font-size="12">{total}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _describe(rows: Sequence[dict[str, object]], series: Sequence[Series], label_key: str) -> str:
    return "; ".join(f"{row.get(label_key)}: " + ", ".join(f"{s.label} {int(row.get(s.key) or 0)}" for s in series)
                     for row in rows)
