"""URLs of the development identity provider, mounted at /idp/ when DEV_IDP_ENABLED.

Only what an OpenID Connect client needs. django-oauth-toolkit's application-management pages and dynamic client
registration are left out on purpose: the portal's registration is made by ``services.ensure_demo_client``.
The namespace is django-oauth-toolkit's own, because its views (discovery among them) reverse these names.
"""

from __future__ import annotations

from django.urls import path, re_path
from oauth2_provider import views as oauth2_views

from smartcity.identity import idp

app_name = "oauth2_provider"
urlpatterns = [
    path("login/", idp.login, name="login"),
    path("authorize/", idp.AuthorizeView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(r"^\.well-known/openid-configuration/?$", oauth2_views.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", oauth2_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", oauth2_views.UserInfoView.as_view(), name="user-info"),
]
