"""ISO 8601 instants as sensors, gateways and SensorThings clients send them: always with a time zone.

One parser for the ingest rows, the ``$filter`` date-time literals and the command-line options, so a time that
one of them accepts the others accept too.
"""

from __future__ import annotations

import datetime as dt


def parse_datetime(text: str) -> dt.datetime:
    """An ISO 8601 instant with a time zone (``Z`` or an offset) → an aware datetime."""
    value = text.strip()
    if len(value) > 19 and value[-6] == " ":  # '+07:00' that arrived as ' 07:00'
        value = value[:-6] + "+" + value[-5:]
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"date-time without a time zone (add Z or an offset): {text!r}")
    return parsed.astimezone(dt.UTC)

