"""The CKAN Action API (CKAN 2.10 ``/api/3/action/<name>``, and ``/api/action/<name>`` which ckanapi calls), for
the read actions harvesters and clients use. Parameters from the query string (GET) or a JSON object body (POST).

Every answer is CKAN's envelope ``{"help": …, "success": true, "result": …}``; errors are CKAN's too:
``{"success": false, "error": {"__type": "Validation Error", "<param>": ["…"]}}`` with 409, "Not Found Error" 404,
"Search Query Error" 400 (a bad ``fq``/``sort``), "Bad Request" 400 (an unknown action, a body that is not a JSON
object), "Authorization Error" 403 (a bad API key). Unknown parameters are refused, not ignored, so a client's typo
is seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.ratelimit import RateLimited, limit
from smartcity.opendata import services
from smartcity.opendata.ckan import serialize
from smartcity.opendata.models import Dataset, Group, Organization, Tag

MAX_ROWS = 1000  # CKAN's ckan.search.rows_max
MAX_DATASTORE_LIMIT = 1000
MAX_FQ_CHARS = 1000
MAX_FQ_TERMS = 10


class CkanError(Exception):
    def __init__(self, status: int, kind: str, **detail: Any) -> None:
        self.status, self.kind, self.detail = status, kind, detail


def _validation(**fields: str) -> CkanError:
    return CkanError(409, "Validation Error", **{k: [v] for k, v in fields.items()})


class Params:
    def __init__(self, data: dict[str, Any], allowed: set[str]) -> None:
        unknown = sorted(set(data) - allowed - {"_"})
        if unknown:
            raise _validation(**{name: "Tham số không được hỗ trợ (unknown parameter)" for name in unknown})
        self.data = data

    def text(self, name: str, default: str = "", limit: int = 1000) -> str:
        value = self.data.get(name, default)
        if value is None:
            return default
        if not isinstance(value, str | int | float):
            raise _validation(**{name: "Phải là chuỗi (must be a string)"})
        value = str(value)
        if len(value) > limit:
            raise _validation(**{name: f"Dài quá {limit} ký tự"})
        return value

    def required(self, name: str) -> str:
        value = self.text(name).strip()
        if not value:
            raise _validation(**{name: "Missing value"})
        return value

    def integer(self, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
        raw = self.data.get(name, default)
        try:
            value = int(raw)
            if isinstance(raw, float | bool) or (isinstance(raw, str) and not re.fullmatch(r"\s*-?\d+\s*", raw)):
                raise ValueError
        except (TypeError, ValueError):
            raise _validation(**{name: "Invalid integer"}) from None
        if value < low:
            raise _validation(**{name: f"Must be a natural number (>= {low})"})
        return min(value, high) if high is not None else value

    def boolean(self, name: str, default: bool = False) -> bool:
        raw = self.data.get(name, default)
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off", ""):
            return False
        raise _validation(**{name: "Giá trị đúng/sai không hợp lệ (invalid boolean)"})

    def json_value(self, name: str, default: Any) -> Any:
        raw = self.data.get(name, default)
        if isinstance(raw, str):
            if len(raw) > 10_000:
                raise _validation(**{name: "Dài quá 10000 ký tự"})
            try:
                return json.loads(raw)
            except ValueError:
                raise _validation(**{name: "JSON không hợp lệ (invalid JSON)"}) from None
        return raw


_FQ_TERM = re.compile(r'\+?([a-z_]+):(?:"([^"\\]{1,200})"|([^\s"()]{1,200}))')


def parse_fq(fq: str) -> list[tuple[str, str]]:
    """``organization:so-tnmt tags:"không khí" +res_format:CSV`` → field/value pairs; only ANDed terms on the
    fields ``FQ_FIELDS``; anything else is a Search Query Error."""
    if len(fq) > MAX_FQ_CHARS:
        raise CkanError(400, "Search Query Error", message=f"Search Query is invalid: fq longer than {MAX_FQ_CHARS}")
    terms: list[tuple[str, str]] = []
    rest = fq.strip()
    while rest:
        m = _FQ_TERM.match(rest)
        if m is None:
            raise CkanError(400, "Search Query Error", message=f"Search Query is invalid: cannot parse fq near "
                                                               f"'{rest[:40]}' (expected field:value)")
        name, value = m.group(1), m.group(2) or m.group(3)
        if name not in services.FQ_FIELDS:
            raise CkanError(400, "Search Query Error",
                            message=f"Search Query is invalid: unknown fq field '{name}'")
        terms.append((name, value))
        rest = rest[m.end():].lstrip()
        if rest.startswith("AND "):
            rest = rest[4:].lstrip()
    if len(terms) > MAX_FQ_TERMS:
        raise CkanError(400, "Search Query Error", message=f"Search Query is invalid: more than {MAX_FQ_TERMS} terms")
    return terms


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# ------------------------------------------------------------------------------------------------ actions


def package_list(request: HttpRequest, p: Params) -> Any:
    limit_ = p.integer("limit", 1000, high=1000)
    offset = p.integer("offset", 0)
    return list(Dataset.objects.public().order_by("name").values_list("name", flat=True)[offset:offset + limit_])


def package_search(request: HttpRequest, p: Params) -> Any:
    q = p.text("q", "", limit=200)
    fq = parse_fq(p.text("fq", "", limit=MAX_FQ_CHARS))
    rows = p.integer("rows", 10, high=MAX_ROWS)
    start = p.integer("start", 0, high=100_000)
    sort = " ".join(p.text("sort", "score desc, metadata_modified desc").split(",")[0].split())
    if sort not in services.SORTS:
        raise CkanError(400, "Search Query Error", message=f"Search Query is invalid: cannot sort by '{sort}'")
    facet = p.boolean("facet", True)
    fields = p.json_value("facet.field", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise _validation(**{"facet.field": "Phải là danh sách JSON các tên trường"})
    unknown = [f for f in fields if f not in services.FACETS]
    if unknown:
        raise _validation(**{"facet.field": f"Không hỗ trợ facet: {', '.join(unknown)}"})
    facet_limit = p.integer("facet.limit", 50, high=1000)
    p.boolean("include_private", False)
    p.boolean("include_drafts", False)
    found = services.search_datasets(q=q, fq=fq, rows=rows, start=start, sort=sort,
                                     facet_fields=fields if facet else (), facet_limit=facet_limit)
    base = _base(request)
    facets = {name: {v: n for v, _, n in items} for name, items in found.facets.items()}
    search_facets = {name: {"title": name, "items": [{"name": v, "display_name": label, "count": n}
                                                     for v, label, n in items]}
                     for name, items in found.facets.items()}
    return {"count": found.count, "sort": sort, "results": [serialize.package(base, d) for d in found.datasets],
            "facets": facets, "search_facets": search_facets}


def _found(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except NotFound:
        raise CkanError(404, "Not Found Error", message="Not found") from None


def package_show(request: HttpRequest, p: Params) -> Any:
    ref = p.required("id")
    return serialize.package(_base(request), _found(lambda: services.get_dataset(ref)))


def _counts(model: Any, related: str) -> dict[int, int]:
    return dict(model.objects.filter(**{f"{related}__private": False}).values("pk").annotate(
        n=Count(related)).values_list("pk", "n"))


def organization_list(request: HttpRequest, p: Params) -> Any:
    all_fields = p.boolean("all_fields", False)
    limit_ = p.integer("limit", 1000, high=1000)
    offset = p.integer("offset", 0)
    p.text("sort")
    orgs = list(Organization.objects.order_by("name")[offset:offset + limit_])
    if not all_fields:
        return [o.name for o in orgs]
    counts = _counts(Organization, "datasets")
    return [serialize.organization(o, count=counts.get(o.pk, 0)) for o in orgs]


def _by_ref(model: Any, ref: str) -> Any:
    key = services._uuid(ref)
    found = model.objects.filter(uuid=key).first() if key else model.objects.filter(name=ref).first()
    if found is None:
        raise CkanError(404, "Not Found Error", message="Not found")
    return found


def organization_show(request: HttpRequest, p: Params) -> Any:
    org = _by_ref(Organization, p.required("id"))
    include = p.boolean("include_datasets", False)
    out = serialize.organization(org, count=org.datasets.filter(private=False).count())
    if include:
        base = _base(request)
        out["packages"] = [serialize.package(base, d) for d in
                           org.datasets.public().with_relations().order_by("name")[:1000]]
    return out


def group_list(request: HttpRequest, p: Params) -> Any:
    all_fields = p.boolean("all_fields", False)
    p.text("sort")
    groups = list(Group.objects.order_by("name"))
    if not all_fields:
        return [g.name for g in groups]
    counts = _counts(Group, "datasets")
    return [serialize.group(g, count=counts.get(g.pk, 0)) for g in groups]


def group_show(request: HttpRequest, p: Params) -> Any:
    g = _by_ref(Group, p.required("id"))
    return serialize.group(g, count=g.datasets.filter(private=False).count())


def tag_list(request: HttpRequest, p: Params) -> Any:
    query = p.text("query", "", limit=100)
    qs = Tag.objects.filter(datasets__private=False).distinct().order_by("name")
    if query:
        qs = qs.filter(name__icontains=query)
    return list(qs.values_list("name", flat=True)[:10_000])


def resource_show(request: HttpRequest, p: Params) -> Any:
    ref = p.required("id")
    r = _found(lambda: services.get_resource(ref))
    return serialize.resource(_base(request), r, r.dataset)


_SORT_PART = re.compile(r"^\s*\"?([^\s\",]{1,100})\"?(?:\s+(asc|desc))?\s*$", re.IGNORECASE)


def datastore_search(request: HttpRequest, p: Params) -> Any:
    guard(request)
    ref = p.required("resource_id")
    resource = _found(lambda: services.get_resource(ref))
    filters = p.json_value("filters", {})
    if not isinstance(filters, dict) or len(filters) > 20:
        raise _validation(filters="Phải là một đối tượng JSON (tối đa 20 trường)")
    q = p.text("q", "", limit=200)
    limit_ = p.integer("limit", 100, high=MAX_DATASTORE_LIMIT)
    offset = p.integer("offset", 0)
    sort_text = p.text("sort", "", limit=500)
    sort = []
    for part in filter(None, (s.strip() for s in sort_text.split(","))):
        m = _SORT_PART.match(part)
        if m is None:
            raise _validation(sort="Cú pháp: tên_trường [asc|desc], …")
        sort.append((m.group(1), (m.group(2) or "asc").lower() == "desc"))
    wanted = p.json_value("fields", None)
    if isinstance(wanted, str):
        wanted = [f.strip() for f in wanted.split(",") if f.strip()]
    types = services.field_types(resource)
    if wanted is not None:
        if not isinstance(wanted, list) or any(f not in types and f != "_id" for f in wanted):
            raise _validation(fields="Có trường không tồn tại")
    p.boolean("include_total", True)
    try:
        rows = services.datastore_rows(resource, filters=filters, q=q, sort=sort)
    except Invalid as exc:
        raise _validation(**{(exc.field or "filters").split(".")[0]: exc.message}) from None
    total = rows.count()
    records = []
    for n, data in rows.values_list("n", "data")[offset:offset + limit_]:
        record = {"_id": n, **{f["id"]: data.get(f["id"]) for f in resource.fields}}
        if wanted is not None:
            record = {k: v for k, v in record.items() if k in wanted}
        records.append(record)
    path = request.path
    return {"resource_id": str(resource.uuid), "fields": [{"id": "_id", "type": "int"}, *resource.fields],
            "records": records, "total": total, "limit": limit_, "offset": offset, "sort": sort_text,
            "filters": filters, "q": q,
            "_links": {"start": f"{path}?resource_id={resource.uuid}&limit={limit_}",
                       "next": f"{path}?resource_id={resource.uuid}&limit={limit_}&offset={offset + limit_}"}}


def status_show(request: HttpRequest, p: Params) -> Any:
    return {"ckan_version": "2.10.4", "site_title": "Dữ liệu mở Hà Nội", "site_url": _base(request),
            "site_description": "Cổng dữ liệu mở của thành phố", "locale_default": "vi",
            "extensions": ["datastore", "dcat"], "error_emails_to": None}


ACTIONS: dict[str, tuple[Callable[[HttpRequest, Params], Any], set[str]]] = {
    "package_list": (package_list, {"limit", "offset"}),
    "package_search": (package_search, {"q", "fq", "rows", "start", "sort", "facet", "facet.field", "facet.limit",
                                        "facet.mincount", "include_private", "include_drafts"}),
    "package_show": (package_show, {"id", "use_default_schema", "include_tracking"}),
    "organization_list": (organization_list, {"all_fields", "limit", "offset", "sort"}),
    "organization_show": (organization_show, {"id", "include_datasets"}),
    "group_list": (group_list, {"all_fields", "sort"}),
    "group_show": (group_show, {"id"}),
    "tag_list": (tag_list, {"query", "vocabulary_id", "all_fields"}),
    "resource_show": (resource_show, {"id"}),
    "datastore_search": (datastore_search, {"resource_id", "id", "filters", "q", "limit", "offset", "sort",
                                            "fields", "include_total", "distinct", "plain", "language",
                                            "records_format"}),
    "status_show": (status_show, set()),
}


def api_key_of(request: HttpRequest) -> str:
    return (request.headers.get("X-API-Key") or request.headers.get("X-CKAN-API-Key")
            or request.headers.get("Authorization") or "").strip()


def guard(request: HttpRequest) -> None:
    """The heavy calls (datastore reads, downloads): an API key's daily quota, or the per-address limit."""
    key = api_key_of(request)
    if key:
        services.use_api_key(key)
    else:
        limit(request, "opendata_heavy")


def _answer(request: HttpRequest, action: str, body: dict[str, Any], status: int = 200) -> JsonResponse:
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={action}")
    response = JsonResponse({"help": help_url, **body}, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(request: HttpRequest, action: str, status: int, kind: str, **detail: Any) -> JsonResponse:
    return _answer(request, action, {"success": False, "error": {"__type": kind, **detail}}, status)


@csrf_exempt
def action(request: HttpRequest, name: str) -> JsonResponse:
    if name not in ACTIONS:
        return _error(request, name, 400, "Bad Request", message=f"Bad request - Action name not known: {name}")
    if request.method not in ("GET", "POST"):
        return _error(request, name, 405, "Bad Request", message="Bad request - only GET and POST")
    data: dict[str, Any]
    if request.method == "POST" and request.body:
        try:
            parsed = json.loads(request.body)
        except ValueError:
            if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                parsed = request.POST.dict()
            else:
                return _error(request, name, 400, "Bad Request",
                              message="Bad request - JSON Error: Could not read request body as JSON")
        if not isinstance(parsed, dict):
            return _error(request, name, 400, "Bad Request",
                          message="Bad request - JSON Error: Request data JSON decoded to "
                                  f"{type(parsed).__name__} but it needs to be a dictionary.")
        data = parsed
    else:
        data = {k: request.GET.get(k) for k in request.GET}
    function, allowed = ACTIONS[name]
    try:
        result = function(request, Params(data, allowed))
    except CkanError as exc:
        return _error(request, name, exc.status, exc.kind, **exc.detail)
    except Forbidden as exc:
        return _error(request, name, 403, "Authorization Error", message=exc.message)
    except RateLimited as exc:
        response = _error(request, name, 429, "Rate Limit Error", message=exc.message)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return _answer(request, name, {"success": True, "result": result})


def api_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"version": 3})
