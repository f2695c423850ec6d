"""Use cases of environmental monitoring — the only entry other apps call: ``from smartcity.environment import
services; services.current_statuses()``. One module per concern, every public name re-exported here:

``registry``
    ``register_station`` (a sensing Thing in one role, placed in its ward), ``stations``, ``get_station``,
    ``nearest_commune``.
``status`` — what the public sees now
    ``current_statuses`` / ``current_status`` (hourly VN_AQI with its sub-indices and the highest one marked,
    water level and flood alarm level, rain over 1/3/24 h, hourly LAeq against the noise limits in force, VN_WQI) and the
    level tables (``FLOOD_LEVELS``, ``RAIN_LEVELS``, ``NOISE_LEVELS``).
``tables`` — history
    ``parse_range``, ``history`` (hourly or daily tables over a validated time range), ``ordered_columns``,
    ``column_label``.
``warning_rules``
    ``evaluate_warnings(now)`` opens and closes ``WarningEvent``s by the active ``WarningRule``s and queues the
    notifications of the subscriptions of the area (run by ``smartcity environment check-warnings``);
    ``open_warnings``, ``warnings``, ``banner_warnings``; ``ensure_default_rules``.
``subscriptions``
    ``subscribe`` (a citizen's account, or an e-mail address / phone number that confirms by link),
    ``confirm_subscription``, ``cancel_subscription``.
``pages`` — what the public pages show
    ``station_page`` (a ``StationPage``: readings, highest sub-index, charts with their bands and reference lines,
    the hourly table, warnings, the noise regulation note, an air station's forecast as a ``ForecastSection``) and
    ``map_page`` (a ``MapPage``: dots, legend, each ward's worst level).
``forecasts`` — the next 24 hours of air quality
    ``refresh_forecasts`` (fit ``forecast``'s model on every air station's last 60 days of hourly PM and store the
    next 24 hours, run hourly by the job ``environment.forecast``), ``station_forecast`` (a ``StationForecast`` for
    the page and the API, or the reason there is none).
``demo``
    ``register_things`` (a Station for every Thing whose datastreams make one and is not registered yet).

The modules are named apart from the functions (``registry``, not ``stations``; ``tables``, not ``history``;
``warning_rules``, not ``warnings``) so that ``services.stations`` stays the function.
"""

from __future__ import annotations

from smartcity.environment.services.autoregister import register_things
from smartcity.environment.services.forecasts import (
    ForecastHour,
    ForecastRun,
    StationForecast,
    forecast_caveat,
    refresh_forecasts,
    station_forecast,
)
from smartcity.environment.services.pages import (
    Chart,
    ChartBar,
    DailyValue,
    ForecastRow,
    ForecastSection,
    MapDot,
    MapPage,
    ReferenceLine,
    StationPage,
    WardLevel,
    map_dot,
    map_page,
    station_page,
    ward_levels,
)
from smartcity.environment.services.registry import (
    KIND_SLUG,
    STATUS_CACHE_KEY,
    get_station,
    nearest_commune,
    register_station,
    stations,
)
from smartcity.environment.services.status import (
    FLOOD_LEVELS,
    HEADLINES,
    HOUR,
    NO_DATA,
    NOISE_LEVELS,
    RAIN_LEVELS,
    Reading,
    Status,
    compute_statuses,
    current_status,
    current_statuses,
    parameter_label,
)
from smartcity.environment.services.subscriptions import (
    cancel_subscription,
    confirm_subscription,
    has_subscription,
    subscribe,
)
from smartcity.environment.services.tables import (
    COLUMN_LABELS,
    HEAD_COLUMNS,
    RESOLUTIONS,
    UTC,
    Range,
    column_label,
    history,
    ordered_columns,
    parse_moment,
    parse_range,
)
from smartcity.environment.services.warning_rules import (
    BANNER_CACHE_KEY,
    DEFAULT_RULES,
    Evaluation,
    WarningPage,
    banner_warnings,
    ensure_default_rules,
    evaluate_warnings,
    open_warnings,
    strip_sentence,
    warnings,
)

__all__ = [
    # registry
    "KIND_SLUG", "STATUS_CACHE_KEY", "get_station", "nearest_commune", "register_station", "stations",
    # status
    "FLOOD_LEVELS", "HEADLINES", "HOUR", "NOISE_LEVELS", "NO_DATA", "RAIN_LEVELS", "Reading", "Status",
    "compute_statuses", "current_status", "current_statuses", "parameter_label",
    # tables (history)
    "COLUMN_LABELS", "HEAD_COLUMNS", "RESOLUTIONS", "UTC", "Range", "column_label", "history",
    "ordered_columns", "parse_moment", "parse_range",
    # warning_rules
    "BANNER_CACHE_KEY", "DEFAULT_RULES", "Evaluation", "WarningPage", "banner_warnings", "ensure_default_rules",
    "evaluate_warnings", "open_warnings", "strip_sentence", "warnings",
    # subscriptions
    "cancel_subscription", "confirm_subscription", "has_subscription", "subscribe",
    # forecasts
    "ForecastHour", "ForecastRun", "StationForecast", "forecast_caveat", "refresh_forecasts", "station_forecast",
    # pages
    "Chart", "ChartBar", "DailyValue", "ForecastRow", "ForecastSection", "MapDot", "MapPage", "ReferenceLine", "StationPage", "WardLevel", "map_dot", "map_page", "ward_levels",
    "station_page",
    # demo
    "register_things",
]
