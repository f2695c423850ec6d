"""The demo's monitoring network: Hà Nội's simulated stations with the last three days of readings.

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
from smartcity.sensing import services as sensing
from smartcity.sensing.models import Thing

# Decision 05/2020/QĐ-TTg: the alarm levels of the Red River at Hà Nội (Long Biên) station, for a simulated water-level
# Thing that does not state its own (properties.floodLevels).
DEMO_FLOOD_LEVELS = (9.5, 10.5, 11.5)


def load_network(out: Callable[[str], object]) -> None:
    """Hà Nội's simulated monitoring network with the last three days of readings (a rain storm and a rising river
    included), registered as stations, rolled up, and the warning rules run once — so the map has colours. Only
    once: any Thing means the network is there."""
    if Thing.objects.exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sent = simulation.simulate_network(start=now - dt.timedelta(days=3), end=now,
                                       storm=simulation.default_storm(now))
    environment.register_things(default_flood_levels=DEMO_FLOOD_LEVELS)
    sensing.rollup(now - dt.timedelta(days=3), now)
    environment.evaluate_warnings(now)
    out(f"Trạm quan trắc mô phỏng: {environment.stations().count()} trạm, {sent.accepted:,} số liệu 3 ngày qua")
