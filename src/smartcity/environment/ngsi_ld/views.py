"""The NGSI-LD views (ETSI GS CIM 009): GET entities (with ``type``, ``id``, ``idPattern``, ``q``, ``attrs``, paging
and counts), one entity, the entity types, and our ``@context`` document. Read-only, the default tenant only.

Thin: the stations' values come from ``services``, their NGSI-LD shape from ``entities``, ``q`` from ``query``.
"""

from __future__ import annotations

import json
import re
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from smartcity.environment import services
from smartcity.environment.models import Station
from smartcity.environment.ngsi_ld import entities, query
from smartcity.environment.parameters import Kind

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"


def _problem(status: int, kind: str, detail: str) -> JsonResponse:
    """An NGSI-LD error (clause 5.5.2, HTTP status by Table 6.3.2-1): RFC 7807 problem details, ``application/json``."""
    return JsonResponse({"type": ERRORS + kind, "title": kind, "status": status, "detail": detail}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _context_url() -> str:
    return settings.SITE_URL + reverse("environment:ngsi_context")


def _ngsi_response(request: HttpRequest, body: Any, *, headers: dict[str, str] | None = None) -> HttpResponse:
    """``application/ld+json`` with ``@context`` in each entity when the client accepts it; else
    ``application/json`` and the context in a Link header (clause 6.3.5); 406 for anything else."""
    accept = request.headers.get("Accept", "") or "*/*"
    if "application/ld+json" in accept:
        context = _context_url()
        if isinstance(body, list):
            body = [{**e, "@context": context} for e in body]
        else:
            body = {**body, "@context": context}
        response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/ld+json")
    elif any(t in accept for t in ("application/json", "application/*", "*/*")):
        response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/json")
        response["Link"] = (f'<{_context_url()}>; rel="http://www.w3.org/ns/json-ld#context"; '
                            'type="application/ld+json"')
    else:
        return _problem(406, "NotAcceptable", "Hỗ trợ application/json và application/ld+json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _ngsi_ld(view: Any) -> Any:
    """GET only, and no tenants: a request naming one (``NGSILD-Tenant``) gets ``NoMultiTenantSupport`` (clause
    4.14: systems without multi-tenancy raise it when a tenant is specified; HTTP 501 by Table 6.3.2-1)."""
    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("NGSILD-Tenant"):
            return _problem(501, "NoMultiTenantSupport", "Hệ thống chỉ có tenant mặc định; bỏ header NGSILD-Tenant")
        return view(request, *args, **kwargs)
    return wrapper


def _split(value: str | None, separators: str = ",") -> list[str]:
    return [v.strip() for v in re.split(f"[{re.escape(separators)}]", value or "") if v.strip()]


def _render(entity: dict[str, Any], attrs: list[str], options: list[str]) -> dict[str, Any] | None:
    picked = entities.pick(entity, attrs)
    if picked is not None and "keyValues" in options:
        picked = entities.key_values(picked)
    return picked


UNSUPPORTED = ("georel", "geometry", "coordinates", "geoproperty", "csf", "scopeQ")


@_ngsi_ld
def list_entities(request: HttpRequest) -> HttpResponse:
    """GET /ngsi-ld/v1/entities?type=AirQualityObserved[&id=…|&idPattern=…][&q=…][&attrs=…][&limit&offset&count]
    [&options=keyValues] (clauses 5.7.2, 6.4.3.2)."""
    unsupported = [p for p in UNSUPPORTED if p in request.GET]
    if unsupported:
        return _problem(400, "BadRequestData", f"Chưa hỗ trợ tham số: {', '.join(unsupported)}")
    # type selection: a list (",") or alternatives ("|") of type names
    types, ids = _split(request.GET.get("type"), ",|"), _split(request.GET.get("id"))
    attrs, options = _split(request.GET.get("attrs")), _split(request.GET.get("options"))
    q, id_pattern = request.GET.get("q"), request.GET.get("idPattern")
    if not (types or ids or id_pattern or attrs or q):
        return _problem(400, "BadRequestData", "Cần ít nhất một trong các tham số type, id, idPattern, attrs, q")
    if any(o not in ("keyValues", "normalized", "concise") for o in options):
        return _problem(400, "BadRequestData", "options chỉ nhận keyValues hoặc normalized")
    try:
        limit = int(request.GET.get("limit", 20))
        offset = int(request.GET.get("offset", 0))
    except ValueError:
        return _problem(400, "BadRequestData", "limit và offset phải là số nguyên")
    count = request.GET.get("count", "false")
    if count not in ("true", "false"):
        return _problem(400, "BadRequestData", "count phải là true hoặc false")
    if not (0 <= limit <= settings.ENVIRONMENT_MAX_PAGE_SIZE) or offset < 0 or (limit == 0 and count != "true"):
        return _problem(400, "BadRequestData", f"limit phải từ 1 đến {settings.ENVIRONMENT_MAX_PAGE_SIZE} "
                        "(0 chỉ khi count=true), offset không âm")
    for entity in ids:
        if ":" not in entity:
            return _problem(400, "BadRequestData", f"id phải là một URI: {entity!r}")
    try:
        parsed = query.parse(q) if q is not None else None
        # an explicit id list takes precedence over a pattern
        pattern = query.regex(id_pattern) if id_pattern and not ids else None
    except query.Unsupported as e:
        return _problem(422, "OperationNotSupported", str(e))
    except query.TooComplex as e:
        return _problem(403, "TooComplexQuery", str(e))
    except query.QueryError as e:
        return _problem(400, "BadRequestData", str(e))
    kinds = {entities.KIND_OF_TYPE[t] for t in types if t in entities.KIND_OF_TYPE} if types else set(Kind.values)
    codes = {c[1] for c in map(entities.code_of, ids) if c} if ids else None
    matched = [s for s in services.current_statuses()
               if s.station.kind in kinds and (codes is None or s.station.code in codes)]
    if pattern is not None:
        matched = [s for s in matched if pattern.search(entities.entity_id(s.station))]
    matched.sort(key=lambda s: entities.entity_id(s.station))
    full = (entities.entity(s) for s in matched)
    selected = (e for e in full if parsed is None or query.matches(parsed, e))
    found = [e for e in (_render(e, attrs, options) for e in selected) if e is not None]
    headers = {"NGSILD-Results-Count": str(len(found))} if count == "true" else {}
    return _ngsi_response(request, found[offset:offset + limit], headers=headers)


@_ngsi_ld
def retrieve_entity(request: HttpRequest, entity_id: str) -> HttpResponse:
    """GET /ngsi-ld/v1/entities/{entityId}[?attrs=…][&options=keyValues] (clauses 5.7.1, 6.5.3.1)."""
    if ":" not in entity_id:
        return _problem(400, "BadRequestData", f"id phải là một URI: {entity_id!r}")
    parsed = entities.code_of(entity_id)
    station = Station.objects.active().filter(code=parsed[1], kind=entities.KIND_OF_TYPE[parsed[0]]).first() \
        if parsed else None
    if station is None:
        return _problem(404, "ResourceNotFound", f"Không có thực thể {entity_id}")
    status = next((s for s in services.current_statuses() if s.station.pk == station.pk), None) \
        or services.current_status(station)
    entity = _render(entities.entity(status), _split(request.GET.get("attrs")), _split(request.GET.get("options")))
    if entity is None:
        return _problem(404, "ResourceNotFound", "Thực thể không có thuộc tính nào được yêu cầu")
    return _ngsi_response(request, entity)


@_ngsi_ld
def list_types(request: HttpRequest) -> HttpResponse:
    """GET /ngsi-ld/v1/types: the entity types served (clause 5.7.5, EntityTypeList)."""
    return _ngsi_response(request, {"id": "urn:ngsi-ld:EntityTypeList:smartcity-environment",
                                    "type": "EntityTypeList", "typeList": sorted(entities.TYPES.values())})


@require_GET
def context(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(entities.context_document(), ensure_ascii=False, indent=1),
                        content_type="application/ld+json")
