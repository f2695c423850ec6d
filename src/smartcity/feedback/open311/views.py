"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at ``/open311/v2``: discovery, services, service
definitions, POST/GET requests, in JSON and XML, with the spec's error format (``[{"code": 400, "description":
"…"}]``; ``<errors><error>…</error></errors>``) and the HTTP status equal to the code.

Reading is open (reports are public, with no personal data); creating needs an API key issued in the back office or
by ``smartcity open311 issue-key --name …``. Inputs are bounded before they are used: at most 100 ids, 20 service
codes, a 90-day window, 1,000 results. ``status`` is ``open`` or ``closed``; our finer steps are in
``status_notes``. Photos are served from our own site; a client's ``media_url`` is not fetched (no outbound
requests) and not stored; photos may come as multipart ``media`` parts (at most 5), checked like the form's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from smartcity.feedback import services
from smartcity.feedback.models import OPEN, Category, Photo, Report, Status
from smartcity.lib import ratelimit
from smartcity.lib.errors import NotFound, ServiceError

MAX_IDS = 100
MAX_CODES = 20
MAX_RESULTS = 1000
MAX_MEDIA = 5  # photos sent as multipart "media" parts (the common extension of POST requests)
MAX_MEDIA_BYTES = 11 * 1024 * 1024  # read at most this much of one: lib.uploads refuses anything over 10 MB
WINDOW = dt.timedelta(days=90)
FORMATS = ("json", "xml")


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# ------------------------------------------------------------------------------------------------ rendering


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, list):
        child = tag[:-1] if tag.endswith("s") else "value"
        for item in value:
            _xml_value(element, child, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(data: Any, fmt: str, *, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        for entry in data if isinstance(data, list) else [data]:
            element = ET.SubElement(top, item)
            for key, value in entry.items():
                _xml_value(element, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def error(fmt: str, code: int, description: str) -> HttpResponse:
    return render([{"code": code, "description": description}], fmt if fmt in FORMATS else "json",
                  root="errors", item="error", status=code)


def endpoint(methods: tuple[str, ...]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 view: the format checked, the jurisdiction checked, every refusal in the Open311 error format."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @require_http_methods(list(methods))
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return error("json", 404, "Unknown format: use .json or .xml")
            try:
                params = request.POST if request.method == "POST" else request.GET
                jurisdiction = params.get("jurisdiction_id", "")
                if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION:
                    raise Open311Error(404, f"Unknown jurisdiction_id; this endpoint serves "
                                            f"{settings.OPEN311_JURISDICTION}")
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc.code, exc.description)
            except ratelimit.RateLimited as exc:
                response = error(fmt, 429, exc.message)
                response["Retry-After"] = str(exc.retry_after)
                return response
            except ServiceError as exc:
                field = f"{exc.field}: " if exc.field else ""
                return error(fmt, 404 if isinstance(exc, NotFound) else exc.status, f"{field}{exc.message}")

        return wrapper

    return decorate


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


# ------------------------------------------------------------------------------------------------ discovery


@endpoint(("GET",))
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    base = _absolute(request, reverse("feedback:open311_root"))
    endpoint_list: list[dict[str, Any]] = [
        {"specification": "http://wiki.open311.org/GeoReport_v2", "url": base.rstrip("/"),
         "changeset": "2026-01-01T00:00:00Z", "type": "production", "formats": ["text/xml", "application/json"]}]
    data: dict[str, Any] = {
        "changeset": "2026-01-01T00:00:00Z",
        "contact": settings.OPEN311_CONTACT,
        "key_service": "Khóa API do Trung tâm điều hành cấp (back office or `smartcity open311 issue-key`)",
        "endpoints": endpoint_list,
    }
    if fmt == "xml":
        top = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            ET.SubElement(top, key).text = str(data[key])
        endpoints = ET.SubElement(top, "endpoints")
        for item in endpoint_list:
            element = ET.SubElement(endpoints, "endpoint")
            for key in ("specification", "url", "changeset", "type"):
                ET.SubElement(element, key).text = str(item[key])
            formats = ET.SubElement(element, "formats")
            for value in item["formats"]:
                ET.SubElement(formats, "format").text = value
        return HttpResponse(b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8"),
                            content_type="text/xml; charset=utf-8")
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# ------------------------------------------------------------------------------------------------ services


def _service(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "service_name": category.name, "description": category.description,
            "metadata": bool(category.attributes), "type": "realtime", "keywords": category.code.replace("-", ","),
            "group": category.group_name}


@endpoint(("GET",))
def service_list(request: HttpRequest, *, fmt: str) -> HttpResponse:
    return render([_service(c) for c in services.categories()], fmt, root="services", item="service")


@endpoint(("GET",))
def service_definition(request: HttpRequest, code: str, *, fmt: str) -> HttpResponse:
    category = services.categories().filter(code=code[:40]).first()
    if category is None:
        raise Open311Error(404, f"Unknown service_code: {code[:40]}")
    attributes = [{"variable": True, "code": a["code"], "datatype": a["datatype"], "required": bool(a.get("required")),
                   "datatype_description": a.get("datatype_description", ""), "order": a.get("order", i + 1),
                   "description": a.get("description", ""), "values": a.get("values", [])}
                  for i, a in enumerate(category.attributes)]
    data = {"service_code": category.code, "attributes": attributes}
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = category.code
        element = ET.SubElement(top, "attributes")
        for attribute in attributes:
            a = ET.SubElement(element, "attribute")
            for key in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
                _xml_value(a, key, attribute[key])
            values = ET.SubElement(a, "values")
            for value in attribute["values"]:
                v = ET.SubElement(values, "value")
                ET.SubElement(v, "key").text = str(value["key"])
                ET.SubElement(v, "name").text = value["name"]
        return HttpResponse(b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8"),
                            content_type="text/xml; charset=utf-8")
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


# ------------------------------------------------------------------------------------------------ requests


def _float(params: Any, name: str) -> float | None:
    value = params.get(name, "")
    if value == "":
        return None
    try:
        return float(value[:40])
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None


@endpoint(("GET", "POST"))
def requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    key = services.api_key_for(params.get("api_key", ""))
    if key is None:
        raise Open311Error(403, "Invalid or missing api_key")
    ratelimit.limit(request, "feedback_submit", key=f"open311:{key.pk}")
    code = params.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required")
    if not services.categories().filter(code=code[:40]).exists():
        raise Open311Error(404, f"Unknown service_code: {code[:40]}")
    lat, lon = _float(params, "lat"), _float(params, "long")
    address = params.get("address_string", "")
    if (lat is None or lon is None) and not address:
        raise Open311Error(400, "A location is required: lat and long, or address_string")
    attributes = {k[len("attribute["):-1]: str(params.get(k, "")) for k in params
                  if k.startswith("attribute[") and k.endswith("]")}
    name = " ".join(p for p in (params.get("first_name", ""), params.get("last_name", "")) if p)
    report = services.submit_report(
        user=None, category_code=code, description=params.get("description", ""), latitude=lat, longitude=lon,
        address=address, contact_name=name, contact_phone=params.get("phone", ""),
        contact_email=params.get("email", ""), attributes=attributes, api_key=key, source=Report.Source.OPEN311,
        photos=[services.Upload(name=f.name or "", content_type=f.content_type, data=f.read(MAX_MEDIA_BYTES))
                for f in request.FILES.getlist("media")[:MAX_MEDIA]])
    notice = f"Đã chuyển đến {report.agency.name if report.agency else ''}; hạn xử lý {report.due_on:%Y-%m-%d}"
    return render([{"service_request_id": str(report.pk), "service_notice": notice, "account_id": None}], fmt,
                  root="service_requests", item="request")


def _split(value: str, limit: int, name: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > limit:
        raise Open311Error(400, f"At most {limit} values of {name}")
    return items


def _date(params: Any, name: str) -> dt.datetime | None:
    value = params.get(name, "")
    if not value:
        return None
    parsed = parse_datetime(value[:40])
    if parsed is None:
        raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2026-01-01T00:00:00Z")
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, dt.UTC)


COLUMNS = ("id", "status", "description", "received_at", "updated_at", "due_on", "address", "latitude", "longitude",
           "category__code", "category__name", "agency__name", "answer")


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    qs = Report.objects.public()
    ids = _split(params.get("service_request_id", ""), MAX_IDS, "service_request_id")
    if ids:
        if not all(i.isdigit() and len(i) < 12 for i in ids):
            raise Open311Error(400, "service_request_id must be numbers")
        qs = qs.filter(pk__in=[int(i) for i in ids])
    else:
        codes = _split(params.get("service_code", ""), MAX_CODES, "service_code")
        if codes:
            qs = qs.filter(category__code__in=codes)
        statuses = _split(params.get("status", ""), 2, "status")
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, "status must be open or closed")
        if statuses == ["open"]:
            qs = qs.filter(status__in=OPEN)
        elif statuses == ["closed"]:
            qs = qs.exclude(status__in=OPEN)
        start, end = _date(params, "start_date"), _date(params, "end_date")
        end = end or timezone.now()
        start = start or end - WINDOW
        if end - start > WINDOW:
            raise Open311Error(400, "start_date and end_date may not span more than 90 days")
        qs = qs.filter(received_at__gte=start, received_at__lte=end)
    rows = list(qs.order_by("-received_at", "-id").values_list(*COLUMNS)[:MAX_RESULTS])
    media = _first_photos([r[0] for r in rows])
    data = [_request(request, dict(zip(COLUMNS, r, strict=True)), media) for r in rows]
    return render(data, fmt, root="service_requests", item="request")


def _first_photos(ids: list[int]) -> dict[int, int]:
    first: dict[int, int] = {}
    for report_id, photo_id in (Photo.objects.filter(report_id__in=ids, answer=False).order_by("id")
                                .values_list("report_id", "id")):
        first.setdefault(report_id, photo_id)
    return first


def _w3c(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _request(request: HttpRequest, row: dict[str, Any], media: dict[int, int]) -> dict[str, Any]:
    status = row["status"]
    photo = media.get(row["id"])
    return {
        "service_request_id": str(row["id"]),
        "status": "open" if status in OPEN else "closed",
        "status_notes": row["answer"] or Status(status).label,
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["description"],
        "agency_responsible": row["agency__name"],
        "service_notice": "",
        "requested_datetime": _w3c(row["received_at"]),
        "updated_datetime": _w3c(row["updated_at"]),
        "expected_datetime": f"{row['due_on']:%Y-%m-%d}T10:00:00Z" if row["due_on"] else None,  # 17:00 in Hà Nội
        "address": row["address"],
        "address_id": "",
        "zipcode": "",
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": _absolute(request, reverse("feedback:photo", args=[photo])) if photo else "",
    }


@endpoint(("GET",))
def request_detail(request: HttpRequest, request_id: str, *, fmt: str) -> HttpResponse:
    if not request_id.isdigit() or len(request_id) > 11:
        raise Open311Error(404, "Unknown service_request_id")
    rows = list(Report.objects.public().filter(pk=int(request_id)).values_list(*COLUMNS))
    if not rows:
        raise Open311Error(404, "Unknown service_request_id")
    media = _first_photos([rows[0][0]])
    return render([_request(request, dict(zip(COLUMNS, rows[0], strict=True)), media)], fmt,
                  root="service_requests", item="request")
