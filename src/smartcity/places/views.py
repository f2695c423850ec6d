"""The one page-less view of places: a province's ward boundaries as GeoJSON, which the map component's script
fetches from our own origin (``connect-src 'self'``). Public reference data, cached by browsers and proxies for an
hour and revalidated by ETag (the boundaries change only when the city imports a new file)."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from smartcity.places import services


@require_GET
def boundaries(request: HttpRequest, province: str) -> HttpResponse:
    text = services.boundaries_geojson(province)
    etag = '"%s"' % hashlib.sha256(text.encode()).hexdigest()[:32]  # noqa: UP031 - quotes are the ETag's own
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(text, content_type="application/geo+json; charset=utf-8")
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=3600)
    return response
