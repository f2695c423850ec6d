"""``$resultFormat=dataArray`` (OGC 18-088, 14.3): Observations grouped by Datastream as arrays of components."""

from __future__ import annotations

from typing import Any

from smartcity.sensing.sta.entities import TYPES, prop_value
from smartcity.sensing.sta.odata.errors import QueryError


def data_array(base: str, rows: list[Any], select: list[str] | None) -> list[dict[str, Any]]:
    """Observations grouped by Datastream in the dataArray form (OGC 18-088, 14.3)."""
    etype = TYPES["Observation"]
    components = select or ["id", "phenomenonTime", "resultTime", "result"]
    components = ["id" if c == "@iot.id" else c for c in components]
    groups: dict[int, list[list[Any]]] = {}
    for obj in rows:
        line = []
        for name in components:
            if name == "id":
                line.append(obj.pk)
            elif name == "FeatureOfInterest/id":
                line.append(obj.feature_of_interest_id)
            else:
                prop = etype.prop(name)
                if prop is None:
                    raise QueryError(f"$select: {name} cannot be a dataArray component", option="$select")
                line.append(prop_value(etype, prop, obj))
        groups.setdefault(obj.datastream_id, []).append(line)
    return [{"Datastream@iot.navigationLink": f"{base}/Datastreams({ds})", "components": components,
             "dataArray@iot.count": len(lines), "dataArray": lines} for ds, lines in groups.items()]
