"""Charts as inline SVG made on the server: no script, no CDN, readable by screen readers (a title and a
description), and printable. The numbers stay in the table next to the chart; the chart only shows their shape.

* ``stacked_bars``: horizontal bars, one per row, each split into series (the statistics' outcomes per agency).
* ``bar_chart``: one vertical bar per hour or day, each in its own colour (by AQI band, flood level…), with
  reference lines (flood alarm levels, noise limits); a missing value leaves a gap marked "—".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from smartcity.lib.svg.base import EDGE, GRID, INK, MISSING, Linear, esc, frame, tip


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


def stacked_bars(rows: Sequence[Mapping[str, Any]], series: Sequence[Series], *, label_key: str, title: str,
                 width: int = 720, bar: int = 18, gap: int = 8, label_width: int = 260) -> SafeString:
    """Horizontal bars, one per row, each split into ``series`` (the row's values under their keys)."""
    totals = [sum(int(row.get(s.key) or 0) for s in series) for row in rows]
    scale = Linear(0, max(totals, default=0) or 1, label_width, width - label_width - 60)
    legend_height = 28
    height = legend_height + len(rows) * (bar + gap) + gap
    parts = [frame(width=width, height=height, title=title, description=_describe(rows, series, label_key),
                   ident="chart", css_class="chart")]
    x = 0
    for s in series:
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{s.colour}"/>'
                     f'<text x="{x + 16}" y="15" font-size="12">{esc(s.label)}</text>')
        x += 24 + 7 * len(s.label)
    for index, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = legend_height + index * (bar + gap)
        name = str(row.get(label_key) or "")
        short = name if len(name) <= 40 else name[:39] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar - 5}" font-size="12" text-anchor="end">'
                     f'{tip(name)}{esc(short)}</text>')
        left = float(scale.start)
        for s in series:
            value = int(row.get(s.key) or 0)
            if value:
                w = scale.extent(value)
                parts.append(f'<rect x="{left:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{s.colour}">'
                             f'{tip(f"{s.label}: {value}")}</rect>')
                left += w
        parts.append(f'<text x="{left + 4:.1f}" y="{y + bar - 5}" font-size="12">{total}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _describe(rows: Sequence[Mapping[str, Any]], series: Sequence[Series], label_key: str) -> str:
    return "; ".join(f"{row.get(label_key)}: " + ", ".join(f"{s.label} {int(row.get(s.key) or 0)}" for s in series)
                     for row in rows)


@dataclass(frozen=True)
class Bar:
    label: str  # axis label ("14h", "03/03")
    value: float | None
    colour: str
    title: str  # tooltip and description text


def bar_chart(bars: Sequence[Bar], *, title: str, description: str, unit: str = "",
              lines: Sequence[tuple[float, str, str]] = (), width: int = 760, height: int = 240,
              ident: str = "chart", floor: float | None = 0.0) -> SafeString:
    """Vertical bars with reference lines ``(value, label, colour)``. Missing values leave a gap marked "—".

    The value axis starts at ``floor`` (or at the lowest value when ``floor`` is None: water levels) and ends a
    little above the highest bar or line."""
    values = [b.value for b in bars if b.value is not None] + [v for v, _, _ in lines]
    if not bars:
        return mark_safe("")  # noqa: S308 - constant
    top = max(values, default=1.0)
    bottom = min(values, default=0.0) if floor is None else min(floor, min(values, default=floor))
    if top - bottom < 1e-9:
        top = bottom + 1
    top += (top - bottom) * 0.08
    left, right, upper, lower = 48, 12, 16, 34
    y = Linear(bottom, top, upper, height - upper - lower, flip=True)
    step = (width - left - right) / len(bars)

    parts = [frame(width=width, height=height, title=title, description=description, ident=ident, css_class="chart")]
    for v in y.ticks(4):  # grid and axis labels
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}"/>'
                     f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end">{v:.{y.decimals}f}'
                     '</text>')
    if unit:
        parts.append(f'<text x="4" y="12" font-size="11">{esc(unit)}</text>')
    every = max(1, math.ceil(len(bars) / 12))
    base = y(max(bottom, 0.0)) if bottom <= 0 <= top else y(bottom)
    for i, b in enumerate(bars):
        x = left + i * step
        if b.value is None:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{base - 3:.1f}" font-size="10" text-anchor="middle" '
                         f'fill="{MISSING}">{tip(b.title)}—</text>')
        else:
            y0, y1 = sorted((base, y(b.value)))
            parts.append(f'<rect x="{x + step * 0.1:.1f}" y="{y0:.1f}" width="{step * 0.8:.1f}" '
                         f'height="{max(y1 - y0, 1):.1f}" fill="{b.colour}" stroke="{EDGE}" stroke-width="0.4">'
                         f'{tip(b.title)}</rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{height - lower + 16}" font-size="11" '
                         f'text-anchor="middle">{esc(b.label)}</text>')
    for value, text, colour in lines:
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
                     f'<text x="{width - right - 4}" y="{y(value) - 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="{INK}">{esc(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
