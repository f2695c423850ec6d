"""The platform's one picture drawer: charts, the schematic map and QR codes as inline SVG made on the server — no
script, no CDN, printable, each with a title and a description for screen readers.

Pages import this package (``from smartcity.lib import svg``) and call ``svg.stacked_bars``, ``svg.bar_chart``,
``svg.schematic_map``, ``svg.qr_code``; the pieces every drawer shares (escaping, the accessible frame, the
colours, the linear scale) are in ``base``.
"""

from __future__ import annotations

from smartcity.lib.svg.charts import Bar, Series, bar_chart, stacked_bars
from smartcity.lib.svg.maps import Disc, Point, schematic_map
from smartcity.lib.svg.qr import qr_code

__all__ = ["Bar", "Disc", "Point", "Series", "bar_chart", "qr_code", "schematic_map", "stacked_bars"]
