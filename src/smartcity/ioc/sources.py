"""The operations centre's sources: every figure, map point, list row and feed event the centre shows comes from a
provider registered here. The centre sits above the apps it watches, so those apps never import it: each app's
provider lives in ``smartcity.ioc.providers`` and reads that app's ``services`` (dossiers, environment, sensing now;
citizen reports at merge — the contract is in docs/ioc.md).

A provider is a plain object with a ``key`` and any of:

``tiles(now) -> list[TileValue]``
    the values of the KPI tiles it answers for (a tile key is answered by one provider);
``rows(tile_key, now, limit) -> list[Row]``
    the drill-down list of one of its tiles;
``layers() -> dict[str, Callable[[datetime], list[MapPoint]]]``
    the map layers it draws, by layer key;
``events(since, now) -> list[EventIn]``
    what happened since ``since`` that the feed should show (the ``ioc.collect`` job appends them once each, by
    their ``source_key``).

A tile or layer nobody answers for is shown as "chưa có dữ liệu" (no data yet), never as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from smartcity.places.maps import MapPoint


@dataclass(frozen=True)
class TileValue:
    key: str
    value: float | None  # None: the provider has no figure now
    unit: str = ""  # "%", "AQI"…: how the page formats it ("%" is a share 0…1)
    note: str = ""  # one line under the number ("Trạm Hoàn Kiếm", "3 cơ quan")
    tone: str = ""  # "ok", "warn" or "late": the badge colour; "" lets the tile's threshold decide
    breakdown: list[tuple[str, float]] = field(default_factory=list)  # (label, value), e.g. overdue by agency

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Row:
    cells: list[str]  # already formatted (lib.formats)
    href: str = ""


@dataclass(frozen=True)
class EventIn:
    source_key: str  # unique: "warning:12:opened"
    kind: str
    title: str
    occurred_at: dt.datetime
    severity: str = "info"  # "info", "warn", "critical"
    link: str = ""
    # What the event may open: an incident of the type whose ``warning_parameters`` name it, in the unit.
    opens: str = ""  # "warning:<parameter>" or "report:emergency"; "" opens nothing
    unit_id: int | None = None
    ref: str = ""  # the incident's ``source_ref`` when it opens one ("warning:12")


class Provider(Protocol):
    key: str


@dataclass(frozen=True)
class TileSpec:
    """A tile the centre knows: its key, label, definition and drill-down columns (the administrator may hide it,
    reorder it and set its warning threshold in the back office: ``models.Tile``)."""

    key: str
    label: Any  # a lazily translated text
    definition: Any
    columns: tuple[Any, ...]
    warn_at: float | None = None


_providers: dict[str, Any] = {}


def register(provider: Any) -> None:
    """Add ``provider`` (replacing one with the same key: registering twice is harmless)."""
    _providers[provider.key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def providers() -> list[Any]:
    return list(_providers.values())


def tile_provider(tile_key: str) -> Any | None:
    """The provider that answers for the tile, or None."""
    for provider in _providers.values():
        if tile_key in getattr(provider, "tile_keys", ()):
            return provider
    return None


def layer_sources() -> dict[str, Callable[[dt.datetime], list[MapPoint]]]:
    out: dict[str, Callable[[dt.datetime], list[MapPoint]]] = {}
    for provider in _providers.values():
        if hasattr(provider, "layers"):
            out.update(provider.layers())
    return out
