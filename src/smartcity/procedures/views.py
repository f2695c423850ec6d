"""Public pages of the catalogue: search with filters, and a procedure's page with all of its components."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from smartcity.lib.errors import Invalid, NotFound
from smartcity.procedures import services
from smartcity.procedures.models import Field, OnlineLevel


def catalogue(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "field", "online_level", "level")}
    error = None
    try:
        found = services.search(q=params["q"], field=params["field"] or None,
                                online_level=params["online_level"] or None, level=params["level"] or None)
    except Invalid as exc:
        found, error = services.search(), exc.message
    page = Paginator(found, 20).get_page(request.GET.get("page"))
    return render(request, "procedures/catalogue.html", {
        "page": page, "params": params, "error": error, "fields": Field.objects.all(),
        "online_levels": OnlineLevel.choices,
    })


def procedure_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        procedure = services.get_procedure(key)
    except NotFound:
        raise Http404("Không có thủ tục này") from None
    version = services.version_in_force(procedure)
    return render(request, "procedures/detail.html", {"procedure": procedure, "version": version})
