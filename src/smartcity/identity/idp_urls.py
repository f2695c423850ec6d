"""URLs of the development identity provider, mounted at /idp/ when DEV_IDP_ENABLED (and 404 whenever it is off).

Only what an OpenID Connect client needs. django-oauth-toolkit's application-management pages and dynamic client
registration are left out on purpose: the portal's registration is made by ``services.ensure_demo_client``.
The namespace is django-oauth-toolkit's own, because its views (discovery among them) reverse these names.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, re_path
from oauth2_provider import views as oauth2_views

from smartcity.identity import idp
from smartcity.lib.headers import relax_form_action


def _only_when_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless DEV_IDP_ENABLED, checked on every request as well as when the URLs are mounted."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.DEV_IDP_ENABLED:
            raise Http404("the development identity provider is disabled")
        # Its forms (sign-in, consent) end in a redirect to whichever client asked: no form-action limit here.
        return relax_form_action(view(request, *args, **kwargs))

    return guarded


app_name = "oauth2_provider"
urlpatterns = [
    path("login/", _only_when_enabled(idp.login), name="login"),
    path("authorize/", _only_when_enabled(idp.AuthorizeView.as_view()), name="authorize"),
    path("token/", _only_when_enabled(idp.TokenView.as_view()), name="token"),
    path("revoke_token/", _only_when_enabled(oauth2_views.RevokeTokenView.as_view()), name="revoke-token"),
    re_path(r"^\.well-known/openid-configuration/?$",
            _only_when_enabled(oauth2_views.ConnectDiscoveryInfoView.as_view()), name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", _only_when_enabled(oauth2_views.JwksInfoView.as_view()), name="jwks-info"),
    path("userinfo/", _only_when_enabled(oauth2_views.UserInfoView.as_view()), name="user-info"),
]
