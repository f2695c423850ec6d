"""What every server-made SVG picture shares: escaping, the accessible frame (a title and a description that screen
readers announce), the colours of ink and paper, text that stays readable on a coloured fill, and a linear scale.

Pictures are strings built here and marked safe once, at the end of each drawer: every text that reaches them goes
through ``esc`` (or ``tip``), so a name with ``<`` or ``&`` can never become markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

# The neutral colours of every picture; a drawer's data colours (AQI bands, outcomes…) come from its caller.
INK = "#263238"  # outlines and text drawn over the plot
PAPER = "#F5F7FA"  # the map's background
LAND = "#DDE3EA"  # the map's ward discs
LAND_EDGE = "#C3CCD6"
GRID = "#E0E0E0"  # grid lines of a chart
EDGE = "#546E7A"  # the thin outline of a bar
MISSING = "#9E9E9E"  # the mark of a missing value


def esc(text: object) -> str:
    """Text (or an attribute value) escaped for SVG/XML."""
    return escape(str(text))


def tip(text: object) -> str:
    """The ``<title>`` child that browsers show as a tooltip and screen readers read for the element."""
    return f"<title>{esc(text)}</title>"


def frame(*, width: float, height: float, title: str, description: str, ident: str, css_class: str,
          role: str = "img") -> str:
    """The opening ``<svg>`` with its title and description, named by ``aria-labelledby``.

    ``ident`` makes the two ids unique on the page (two charts on one page need two). ``role="img"`` for a picture
    read as a whole; ``role="group"`` when it holds links the reader can reach one by one (the map's stations).
    """
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="{role}" '
            f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{ident}-title {ident}-desc">'
            f'<title id="{ident}-title">{esc(title)}</title><desc id="{ident}-desc">{esc(description)}</desc>')


def text_colour(hex_colour: str) -> str:
    """Black or white, whichever reads better on the colour (WCAG 2 relative luminance)."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        return "#000"
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000" if luminance > 0.179 else "#fff"


@dataclass(frozen=True)
class Linear:
    """Values ``low``…``high`` onto pixels ``start``…``start + length``; ``flip`` for a vertical axis, whose
    pixels grow downwards (``high`` at ``start``, ``low`` at the bottom)."""

    low: float
    high: float
    start: float
    length: float
    flip: bool = False

    def __call__(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return self.start + self.length * (1 - share) if self.flip else self.start + self.length * share

    def extent(self, amount: float) -> float:
        """The pixels of an amount (a bar's length, a segment of a stacked bar), not of a position."""
        return self.length * amount / (self.high - self.low)

    def ticks(self, intervals: int) -> list[float]:
        """``intervals + 1`` evenly spaced values from ``low`` to ``high`` (grid lines and axis labels)."""
        return [self.low + (self.high - self.low) * k / intervals for k in range(intervals + 1)]

    @property
    def decimals(self) -> int:
        """Enough decimals for the axis labels to differ: none over a span of 20, one over 2, else two."""
        span = self.high - self.low
        return 0 if span >= 20 else 1 if span >= 2 else 2
