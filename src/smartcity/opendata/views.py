"""The public open-data portal (/du-lieu-mo/): search with facets, a page per dataset (table preview, chart, map),
downloads, the upload form for publishers, the database catalogue; and the DCAT documents at ckanext-dcat's URLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartcity.lib import formats
from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.ratelimit import RateLimited, rate_limited_response
from smartcity.lib.svg.charts import Bar, bar_chart
from smartcity.lib.text import bounded
from smartcity.opendata import dcat, downloads, services
from smartcity.opendata.ckan.views import guard
from smartcity.opendata.models import DatabaseEntry, Dataset, Resource, Sharing
from smartcity.places import services as places

PAGE = 20
PREVIEW_ROWS = 20


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def index(request: HttpRequest) -> HttpResponse:
    try:
        q = bounded(request.GET.get("q"), field="q")
    except Invalid as exc:
        q, error = "", exc.message
    else:
        error = ""
    fq = [(name, request.GET[name]) for name in ("organization", "groups", "tags", "res_format")
          if request.GET.get(name)]
    try:
        page_no = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_no = 1
    found = services.search_datasets(q=q, fq=fq, rows=PAGE, start=(page_no - 1) * PAGE,
                                     facet_fields=["organization", "groups", "res_format"], facet_limit=10)
    pages = Paginator(range(found.count), PAGE)
    titles = {"organization": _("Đơn vị công bố"), "groups": _("Chủ đề"), "res_format": _("Định dạng")}
    active = dict(fq)
    blocks = [{"name": name, "title": titles[name],
               "items": [{"value": v, "label": label, "count": n, "active": active.get(name) == v}
                         for v, label, n in items]}
              for name, items in found.facets.items() if items]
    return render(request, "opendata/index.html", {
        "q": q, "error": error, "found": found, "active": active, "page_no": page_no,
        "num_pages": pages.num_pages, "facets": blocks})


def _label(kind: str, value: Any, i: int) -> str:
    """A bar's axis label: a timestamp as its local hour ("07:00", lib.formats), other text cut short."""
    if value is None:
        return str(i + 1)
    if kind == "timestamp":
        try:
            return formats.moment(dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")))[:5]
        except ValueError:
            pass
    return str(value)[:16]


def _chart(resource: Resource, rows: list[dict[str, Any]]) -> Any:
    """The first numeric column of the preview's rows as bars, labelled by a time column if there is one."""
    numeric = [f["id"] for f in resource.fields if f["type"] in ("int", "numeric")
               and f["id"] not in ("latitude", "longitude", "lat", "lon")]
    labels = sorted((f for f in resource.fields if f["type"] in ("text", "timestamp")),
                    key=lambda f: f["type"] != "timestamp")
    if not numeric or not rows:
        return None
    column = numeric[0]
    label, kind = (labels[0]["id"], labels[0]["type"]) if labels else ("", "text")
    bars = [Bar(_label(kind, r.get(label), i),
                r.get(column) if isinstance(r.get(column), int | float) else None,
                "#1f6fb2", f"{r.get(label) or i + 1}: {r.get(column)}") for i, r in enumerate(rows)]
    return bar_chart(bars, title=f"{resource.name}: {column}", description=_("Giá trị %(c)s của %(n)d dòng đầu")
                     % {"c": column, "n": len(rows)}, unit=column, ident=f"chart-{resource.pk}")


def _map(resource: Resource) -> Any:
    points = []
    for data in downloads._data(resource):
        geometry = downloads._geometry(data)
        if geometry and geometry.get("type") == "Point":
            lon, lat = geometry["coordinates"][:2]
            name = str(data.get("name") or data.get("code") or "")
            points.append(places.MapPoint(lon=lon, lat=lat, colour="#1f6fb2", label="", title=name, href=""))
        if len(points) >= 500:
            break
    if not points:
        return None
    return places.build_map(points, title=resource.name, description=_("Vị trí các dòng có tọa độ"),
                            legend=[("#1f6fb2", resource.name)], ident=f"map-{resource.pk}", fit="points")


def _shown(value: Any) -> str:
    """A cell as people read it: numbers in Vietnamese notation (lib.formats), the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return formats.number(value)
    if isinstance(value, float):
        return formats.number(value, 6, trim=True)
    return str(value)


def dataset(request: HttpRequest, name: str) -> HttpResponse:
    try:
        ds = services.get_dataset(name)
    except NotFound:
        raise Http404 from None
    resources = list(ds.resources.all())
    chosen = next((r for r in resources if str(r.uuid) == request.GET.get("resource")), None) or (
        resources[0] if resources else None)
    preview: list[dict[str, Any]] = []
    chart = geo_map = None
    if chosen is not None:
        preview = [d for d in services.datastore_rows(chosen).values_list("data", flat=True)[:PREVIEW_ROWS]]
        chart = _chart(chosen, preview)
        geo_map = _map(chosen) if chosen.geo else None
    columns = [f["id"] for f in chosen.fields if f["id"] != "geometry"] if chosen else []
    return render(request, "opendata/dataset.html", {
        "ds": ds, "resources": resources, "chosen": chosen, "columns": columns,
        "preview": [[_shown(row.get(c)) for c in columns] for row in preview], "chart": chart, "map": geo_map,
        "can_publish": request.user.is_authenticated and services.can_publish(request.user, ds),
        "databases": ds.databases.all()})


def download(request: HttpRequest, uuid: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    try:
        resource = services.get_resource(uuid)
    except NotFound:
        raise Http404 from None
    try:
        guard(request)
        return downloads.response(resource, fmt)
    except RateLimited as exc:
        return rate_limited_response(request, exc)
    except Forbidden as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain; charset=utf-8")
    except Invalid as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, name: str) -> HttpResponse:
    ds = get_object_or_404(Dataset, name=name)
    if not services.can_publish(request.user, ds):  # type: ignore[arg-type]
        return render(request, "opendata/upload.html", {"ds": ds, "forbidden": True}, status=403)
    error = ""
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        try:
            if upload_file is None:
                raise Invalid(_("Chọn tệp cần tải lên"), field="file")
            if upload_file.size and upload_file.size > settings.OPENDATA_MAX_UPLOAD_BYTES:
                raise Invalid(_("Tệp quá lớn"), field="file")
            resource = services.add_file_resource(
                user=request.user, dataset=ds, name=request.POST.get("name", ""),  # type: ignore[arg-type]
                filename=upload_file.name or "", data=upload_file.read(),
                description=request.POST.get("description", ""))
        except Invalid as exc:
            error = exc.message
        else:
            return redirect(reverse("opendata:dataset", args=[ds.name]) + f"?resource={resource.uuid}")
    return render(request, "opendata/upload.html", {"ds": ds, "error": error}, status=400 if error else 200)


def databases(request: HttpRequest) -> HttpResponse:
    entries = DatabaseEntry.objects.select_related("owner").order_by("name")
    sharing = request.GET.get("sharing")
    if sharing in Sharing.values:
        entries = entries.filter(sharing=sharing)
    return render(request, "opendata/databases.html", {"entries": entries, "sharing": sharing,
                                                       "levels": Sharing.choices})


def database(request: HttpRequest, slug: str) -> HttpResponse:
    entry = get_object_or_404(DatabaseEntry.objects.select_related("owner"), slug=slug)
    return render(request, "opendata/database.html", {"entry": entry, "datasets": entry.datasets.public()})


def _rdf(graph: Any, fmt: str) -> HttpResponse:
    syntax, media = dcat.SERIALISATIONS[fmt]
    body = graph.serialize(format=syntax, encoding="utf-8")
    response = HttpResponse(body, content_type=f"{media}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    datasets = Dataset.objects.public().with_relations().order_by("name")
    return _rdf(dcat.catalogue(_base(request), datasets), fmt)


def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    try:
        ds = services.get_dataset(name)
    except NotFound:
        raise Http404 from None
    return _rdf(dcat.one(_base(request), ds), fmt)

