"""The SensorThings API v1.1 over HTTP (OGC 18-088, clauses 9–10 and 14): one view reads the OData-style path.

    /sta/v1.1                                   service root (entity sets, serverSettings.conformance)
    /sta/v1.1/Things                            collection: GET with query options, POST (deep insert)
    /sta/v1.1/Things(1)                         entity: GET ($select, $expand), PATCH, PUT, DELETE
    /sta/v1.1/Things(1)/Datastreams             navigation: GET, POST (linked to Things(1))
    /sta/v1.1/Datastreams(1)/Thing/Locations    navigation through a single entity
    /sta/v1.1/Things/$ref, Things(1)/Locations/$ref, Datastreams(1)/Thing/$ref
    /sta/v1.1/Things(1)/name, …/name/$value, Things(1)/properties/owner
    /sta/v1.1/CreateObservations                POST: the dataArray action
    /sta/v1.1/ingest                            POST: compact gateway batches [{"datastream", "t", "v"}, …]

Plain Django views, not ninja: the OData paths (``Things(1)/Datastreams``) do not fit a router. Errors are JSON
``{"code": 400, "type": "error", "message": …, "errors": [{"code", "field", "message"}]}`` — the shape
SensorThings servers answer with, plus the platform's ``errors`` list.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import DataError, ProgrammingError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from smartcity.lib.dbint import MAX_DB_INT, as_db_int
from smartcity.lib.errors import Invalid, NotFound, ServiceError
from smartcity.sensing import services
from smartcity.sensing.sta import auth
from smartcity.sensing.sta.entities import BY_PLURAL, TYPES, EntityType, Nav, Prop, entity_json, prop_value
from smartcity.sensing.sta.odata.errors import QueryError
from smartcity.sensing.sta.odata.options import Options, parse_options
from smartcity.sensing.sta.query.querysets import base_queryset
from smartcity.sensing.sta.query.render import Renderer

CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
]
SEGMENT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<key>[^()]*)\))?$")


class MethodNotAllowed(ServiceError):
    status = 405
    code = "method_not_allowed"

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed here (allowed: {', '.join(allowed)})")
        self.allowed = allowed


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(status: int, message: str, *, code: str = "invalid", field: str | None = None) -> HttpResponse:
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return _json({"code": status, "type": "error", "message": message, "errors": [error]}, status=status)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("sensing:root")).rstrip("/")


def _options(request: HttpRequest) -> tuple[Options, dict[str, str]]:
    params = {k: v for k, v in request.GET.items() if k.startswith("$")}
    return parse_options(params), params


# An entity (a Thing with its Locations, a Datastream …) is a few kilobytes; a megabyte leaves room for a detailed
# FeatureOfInterest while keeping one write from carrying millions of positions. Observation batches (ingest,
# CreateObservations) are bounded by DATA_UPLOAD_MAX_MEMORY_SIZE instead.
MAX_ENTITY_BODY_BYTES = 1024 * 1024


class BodyTooLarge(ServiceError):
    status = 413
    code = "too_large"


def _body(request: HttpRequest, *, limit: int | None = None) -> Any:
    if limit is not None and len(request.body) > limit:
        raise BodyTooLarge(f"the request body is larger than {limit // 1024} KiB", field="body")
    try:
        return json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError) as exc:
        raise QueryError(f"the request body is not valid JSON: {exc}", option="body") from None
    except RecursionError:
        raise QueryError("the request body nests too deeply", option="body") from None


def _key(text: str | None, etype: EntityType) -> int:
    value = (text or "").strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1]
    if not value.isascii() or not value.isdigit():
        raise NotFound(f"{etype.plural}({(text or '')[:40]}) does not exist: ids are integers")
    pk = as_db_int(value, minimum=0)
    if pk is None:
        raise Invalid(f"{etype.plural}: the id {value[:40]}… is out of range (at most {MAX_DB_INT})", field="id")
    return pk


def _get(etype: EntityType, pk: int, qs: Any = None) -> Any:
    obj = (qs if qs is not None else base_queryset(etype)).filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{etype.plural}({pk}) does not exist")
    return obj


@csrf_exempt  # key holders have no CSRF token; session writes are checked in smartcity.sensing.sta.auth
def sta(request: HttpRequest, path: str = "") -> HttpResponse:
    try:
        return _dispatch(request, path.strip("/"))
    except MethodNotAllowed as exc:
        response = _error(405, exc.message, code=exc.code)
        response["Allow"] = ", ".join(exc.allowed)
        return response
    except auth.Unauthenticated as exc:
        response = _error(401, exc.message, code=exc.code)
        response["WWW-Authenticate"] = 'Basic realm="SensorThings", Bearer'
        return response
    except ServiceError as exc:
        return _error(exc.status, exc.message, code=exc.code, field=exc.field)
    except QueryError as exc:
        return _error(400, exc.message, field=exc.option)
    except RecursionError:
        # the bounds of the parser stop deep nesting early; a long chain such as 1 add 1 add … still nests too deep
        # for Django's SQL compiler, and is the client's query, not a crash
        return _error(400, "the query nests too deeply for this server: use fewer nested functions or operators")
    except (DataError, ProgrammingError) as exc:
        # a filter the database cannot evaluate (e.g. a number that does not fit): the client's query, not a crash
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _error(400, f"the query cannot be evaluated: {first_line}")


def _dispatch(request: HttpRequest, path: str) -> HttpResponse:
    if request.method in ("GET", "HEAD") and (connection.vendor == "postgresql" or connection.in_atomic_block):
        # a read that fails in the database (a cast the data does not allow) must not leave the connection's
        # transaction aborted; on SQLite an outer transaction would take the write lock, so only a savepoint
        with transaction.atomic():
            return _route(request, path)
    return _route(request, path)


def _route(request: HttpRequest, path: str) -> HttpResponse:
    method = request.method or "GET"
    base = _base(request)
    if not path:
        _allow(method, ["GET"])
        value = [{"name": t.plural, "url": f"{base}/{t.plural}"} for t in TYPES.values()]
        return _json({"value": value, "serverSettings": {"conformance": CONFORMANCE}})
    if path == "CreateObservations":
        _allow(method, ["POST"])
        return _create_observations(request, base)
    if path == "ingest":
        _allow(method, ["POST"])
        auth.require(request, scope="observations")
        result = services.ingest(_rows(_body(request)), source="http")
        return _json(result.as_dict())
    return _resource(request, method, base, path.split("/"))


def _allow(method: str, allowed: list[str]) -> None:
    if method == "HEAD" and "GET" in allowed:
        return
    if method not in allowed:
        raise MethodNotAllowed(method, allowed)


def _rows(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise QueryError('ingest expects a JSON array of rows like {"datastream": 1, "t": "…Z", "v": 21.5}',
                         option="body")
    return body


def _create_observations(request: HttpRequest, base: str) -> HttpResponse:
    principal = auth.authenticate(request)
    if principal is None:
        raise auth.Unauthenticated("CreateObservations needs authentication: an ingest key or a staff session")
    ids = services.create_observations(principal=principal, payload=_body(request))
    return _json([f"{base}/Observations({pk})" if pk is not None else "error" for pk in ids], status=201)


class _State:
    """Where the path walk is: a collection (with the entity it hangs from), an entity, or a property."""

    def __init__(self, etype: EntityType, *, qs: Any = None, obj: Any = None,
                 parent: tuple[Any, Nav] | None = None) -> None:
        self.etype, self.qs, self.obj, self.parent = etype, qs, obj, parent
        self.prop: Prop | None = None
        self.json_path: list[str] = []

    @property
    def kind(self) -> str:
        if self.prop is not None:
            return "property"
        return "entity" if self.obj is not None else "collection"


def _walk(segments: list[str]) -> tuple[_State, str | None]:
    """Resolve the path; returns the final state and a trailing ``$ref``/``$value``."""
    suffix = None
    if segments and segments[-1] in ("$ref", "$value"):
        suffix = segments.pop()
    if not segments or any(s in ("$ref", "$value") for s in segments):
        raise NotFound(f"${suffix or 'ref'} must end the path")
    m = SEGMENT.match(segments[0])
    etype = BY_PLURAL.get(m.group("name")) if m else None
    if m is None or etype is None:
        raise NotFound(f"No such resource: {segments[0]} (entity sets: {', '.join(BY_PLURAL)})")
    state = _State(etype, qs=base_queryset(etype))
    if m.group("key") is not None:
        state = _State(etype, obj=_get(etype, _key(m.group("key"), etype)))
    for segment in segments[1:]:
        if state.kind == "property":
            if state.prop is None or state.prop.kind != "json":
                raise NotFound(f"{state.prop.name if state.prop else ''} has no member {segment}")
            state.json_path.append(segment)
            continue
        if state.kind == "collection":
            raise NotFound(f"{segment}: a collection is followed by an entity id, e.g. {state.etype.plural}(1)")
        m = SEGMENT.match(segment)
        if m is None:
            raise NotFound(f"No such resource: {segment}")
        name, key = m.group("name"), m.group("key")
        nav = state.etype.nav(name)
        if nav is not None:
            target = TYPES[nav.target]
            if nav.many:
                qs = base_queryset(target).filter(**{nav.reverse: state.obj.pk})
                state = _State(target, qs=qs, parent=(state.obj, nav)) if key is None else _State(
                    target, obj=_get(target, _key(key, target), qs))
            else:
                if key is not None:
                    raise NotFound(f"{name} is a single entity: it takes no id")
                fk = getattr(state.obj, f"{nav.lookup}_id")
                if fk is None:
                    raise NotFound(f"{state.etype.plural}({state.obj.pk}) has no {name}")
                state = _State(target, obj=_get(target, fk))
            continue
        prop = state.etype.prop(name)
        if prop is None or key is not None:
            raise NotFound(f"{state.etype.name} has no property or navigation property {segment}")
        state.prop = prop
    if suffix == "$value" and state.kind != "property":
        raise NotFound("$value follows a property, e.g. Things(1)/name/$value")
    if suffix == "$ref" and state.kind == "property":
        raise NotFound("$ref follows an entity or a collection, not a property")
    return state, suffix


def _resource(request: HttpRequest, method: str, base: str, segments: list[str]) -> HttpResponse:
    state, suffix = _walk(segments)
    renderer = Renderer(base)
    url = request.build_absolute_uri(request.path)
    if state.kind == "collection":
        _allow(method, ["GET"] if suffix else ["GET", "POST"])
        if method == "POST":
            return _post(request, base, state)
        opts, params = _options(request)
        if suffix == "$ref":
            return _json(renderer.refs(state.etype, state.qs, opts, url, params))
        by_time = state.parent is not None  # Datastreams(n)/Observations, FeaturesOfInterest(n)/Observations
        return _json(renderer.collection(state.etype, state.qs, opts, url, params, by_time=by_time))
    if state.kind == "property":
        _allow(method, ["GET"])
        assert state.prop is not None
        value = prop_value(state.etype, state.prop, state.obj)
        for part in state.json_path:
            if not isinstance(value, dict) or part not in value:
                raise NotFound(f"{state.prop.name}/{'/'.join(state.json_path)} does not exist")
            value = value[part]
        name = state.json_path[-1] if state.json_path else state.prop.name
        if suffix == "$value":
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        return _json({name: value})
    # an entity
    _allow(method, ["GET"] if suffix else ["GET", "PATCH", "PUT", "DELETE"])
    if method in ("GET", "HEAD"):
        if suffix == "$ref":
            return _json({"@iot.selfLink": f"{base}/{state.etype.plural}({state.obj.pk})"})
        opts, _ = _options(request)
        return _json(renderer.entity(state.etype, state.obj, opts))
    principal = auth.authenticate(request)
    if principal is None:
        raise auth.Unauthenticated("Writing needs authentication: an ingest key or a staff session")
    if method == "DELETE":
        services.delete_entity(principal=principal, entity_type_name=state.etype.name, obj=state.obj)
        return HttpResponse(status=200)
    content_type = request.content_type or ""
    mode = "json-patch" if content_type == "application/json-patch+json" else (
        "replace" if method == "PUT" else "merge")
    services.update_entity(principal=principal, entity_type_name=state.etype.name, obj=state.obj,
                           body=_body(request, limit=MAX_ENTITY_BODY_BYTES), mode=mode)
    fresh = _get(state.etype, state.obj.pk)
    return _json(entity_json(state.etype, fresh, base))


def _post(request: HttpRequest, base: str, state: _State) -> HttpResponse:
    principal = auth.authenticate(request)
    if principal is None:
        raise auth.Unauthenticated("Writing needs authentication: an ingest key (Authorization: Bearer <key>, "
                                   "X-Api-Key, or HTTP Basic with the key as password) or a staff session")
    body = _body(request, limit=MAX_ENTITY_BODY_BYTES)
    if state.parent is not None and isinstance(body, dict):
        parent, nav = state.parent
        inverse = state.etype.nav(nav.inverse)
        assert inverse is not None
        link = {"@iot.id": parent.pk}
        body = {**body, inverse.name: [link] if inverse.many else link}
    obj = services.create_entity(principal=principal, entity_type_name=state.etype.name, body=body)
    fresh = _get(state.etype, obj.pk)
    location = f"{base}/{state.etype.plural}({obj.pk})"
    return _json(entity_json(state.etype, fresh, base), status=201, headers={"Location": location})
