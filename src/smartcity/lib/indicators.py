"""Providers of scorecard facts that live in apps the scorecard may not import.

The Decision 766 scorecard is computed in ``dossiers``; the citizen-feedback indicators (5.2 and 5.3) are facts of
``feedback``, a sibling in the same layer that ``dossiers`` must not import. ``feedback`` registers a provider at app
ready (``register("feedback", fn)``); the scorecard asks ``provider("feedback")`` and shows the indicators as
"not measured" when nothing is registered. A provider is ``fn(start, end, group) -> {key: {fact: int}}`` where the
key is an agency code (``group="agency"``) or ``"city"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

Provider = Callable[[dt.datetime, dt.datetime, str], dict[str, dict[str, Any]]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    _providers[name] = provider


def provider(name: str) -> Provider | None:
    return _providers.get(name)
