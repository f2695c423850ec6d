"""The demo's monitoring network: Hà Nội's simulated stations with the last ``DAYS`` days of readings (the air-quality
forecast needs 14 days of hourly history, so the demo has 15).

The simulated Hà Nội network (``environment.simulation``, also behind ``smartcity sensors simulate``) and the station
registration (``environment.services.register_things``) are environment's; what is the demo's is the order that makes
the map coloured, and the default flood levels of a gauge that states none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from smartcity.environment import services as environment
from smartcity.environment import simulation
from smartcity.lib import formats
from smartcity.sensing import services as sensing
from smartcity.sensing.models import Thing

# Decision 05/2020/QĐ-TTg: the alarm levels of the Red River at Hà Nội (Long Biên) station, for a simulated water-level
# Thing that does not state its own (properties.floodLevels).
DEMO_FLOOD_LEVELS = (9.5, 10.5, 11.5)
DAYS = 15


def load_network(out: Callable[[str], object], *, days: int = DAYS) -> None:
    """Hà Nội's simulated monitoring network with the last ``days`` days of readings (a rain storm and a rising river
    included), registered as stations, rolled up, the warning rules run and the air-quality forecast made once — so
    the map has colours and the stations a forecast. Only once: any Thing means the network is there."""
    if Thing.objects.exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sent = simulation.simulate_network(start=now - dt.timedelta(days=days), end=now,
                                       storm=simulation.default_storm(now))
    environment.register_things(default_flood_levels=DEMO_FLOOD_LEVELS)
    sensing.rollup(now - dt.timedelta(days=days), now)
    environment.evaluate_warnings(now)
    environment.refresh_forecasts(now=now)
    out(f"Trạm quan trắc mô phỏng: {environment.stations().count()} trạm, {formats.number(sent.accepted)} số liệu {days} ngày qua")
