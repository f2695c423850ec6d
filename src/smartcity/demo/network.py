"""The demo's monitoring network: Hà Nội's simulated stations with the last three days of readings.

The simulated Hà Nội network (``environment.simulation``) and the station registration
(``environment.services.ensure_demo_stations``) stay in their app for now; this is only the call that puts them in
the demo, in the order that makes the map coloured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from smartcity.environment import services as environment
from smartcity.environment import simulation
from smartcity.sensing import services as sensing
from smartcity.sensing.models import Thing


def load_network(out: Callable[[str], object]) -> None:
    """Hà Nội's simulated monitoring network with the last three days of readings (a rain storm and a rising river
    included), registered as stations, rolled up, and the warning rules run once — so the map has colours. Only
    once: any Thing means the network is there."""
    if Thing.objects.exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sent = simulation.simulate_network(start=now - dt.timedelta(days=3), end=now,
                                       storm=simulation.default_storm(now))
    environment.ensure_demo_stations()
    sensing.rollup(now - dt.timedelta(days=3), now)
    environment.evaluate_warnings(now)
    out(f"Trạm quan trắc mô phỏng: {environment.stations().count()} trạm, {sent.accepted:,} số liệu 3 ngày qua")
