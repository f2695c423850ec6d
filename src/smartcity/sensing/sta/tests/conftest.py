"""The SensorThings tests use sensing's fixtures (ingest keys, the API client, a station with its network)."""

from __future__ import annotations

from smartcity.sensing.tests.conftest import (  # noqa: F401 — fixtures, found by pytest by name
    admin_key,
    anonymous,
    api,
    gateway_key,
    network,
    station,
)
