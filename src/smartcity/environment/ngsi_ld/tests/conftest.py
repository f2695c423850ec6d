"""The NGSI-LD tests read the stations of the environment tests: the same fixtures (and the clock frozen at NOW, the
cache cleared), imported from ``smartcity.environment.tests.conftest``."""

from __future__ import annotations

from smartcity.environment.tests.conftest import _frozen_clock_and_clean_cache, air, rain, river

__all__ = ["_frozen_clock_and_clean_cache", "air", "rain", "river"]
