"""Headers every response carries: a strict Content-Security-Policy, a Permissions-Policy, and ``no-store`` on
anything that may hold personal data.

* ``Content-Security-Policy`` (``settings.CONTENT_SECURITY_POLICY``): scripts only from our own static files, never
  inline (no ``<script>`` blocks, no ``on…=`` attributes; ``portal/site.js`` does what the handlers did); no plugins,
  no framing, no ``<base>`` elsewhere, forms posted to ourselves or to the payment gateway and identity provider we
  redirect to. Inline *styles* stay allowed: the server-drawn charts and maps colour each bar and station in a
  ``style`` attribute, and the pages carry a dozen small ones. A view may send its own policy; the middleware then
  leaves it alone (``without_form_action`` is what the development identity provider uses, since it redirects a
  posted form to whichever client asked). When the city has a tile server (``SMARTCITY_MAP_TILE_URL``), its host is
  added to ``img-src`` — only then, and only that host: Leaflet draws tiles as ``<img>``; ward boundaries and
  markers come from our own pages, so ``connect-src`` stays ``'self'``.
* ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``): no camera, microphone, geolocation, payment API… for
  any page or frame.
* ``Cache-Control: no-store`` on every response to a signed-in request (pages, the API, PDFs, downloads) and on the
  paths of ``settings.NO_STORE_PATH_PREFIXES`` whoever asks (the API, the document store's share links, the
  identity provider): neither a shared cache nor the browser's history keeps a copy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from smartcity.lib.tiles import tile_source, with_image_source

CSP = "Content-Security-Policy"


def without_form_action(policy: str) -> str:
    """``policy`` with its ``form-action`` directive dropped."""
    return "; ".join(d.strip() for d in policy.split(";") if d.strip() and d.split()[0] != "form-action")


def relax_form_action(response: HttpResponse) -> HttpResponse:
    """Let the forms of this page post to a target that redirects anywhere (the identity provider's own pages)."""
    response[CSP] = without_form_action(settings.CONTENT_SECURITY_POLICY)
    return response


@lru_cache(maxsize=8)
def _policy(policy: str, tile_url: str) -> str:
    try:
        return with_image_source(policy, tile_source(tile_url))
    except ValueError:  # refused when the settings load; a test overriding it with nonsense gets no tile host
        return policy


def content_security_policy() -> str:
    """The site's policy, with the tile server's host in ``img-src`` when one is configured."""
    return _policy(settings.CONTENT_SECURITY_POLICY, settings.MAP_TILE_URL)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if CSP not in response:
            response[CSP] = content_security_policy()
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        # The path first: it costs nothing, while asking who the user is loads the session and the account.
        if request.path.startswith(tuple(settings.NO_STORE_PATH_PREFIXES)) or (
                user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
