"""Mounted at the site root: the authorization server (/interop/oauth/…, RFC 8414 metadata at the well-known
path) and the citizen's consent page."""

from django.urls import path

from smartcity.interop import views

app_name = "interop"
urlpatterns = [
    path(".well-known/oauth-authorization-server", views.metadata, name="metadata"),
    path("interop/oauth/token", views.token, name="token"),
    path("interop/oauth/revoke", views.revoke, name="revoke"),
    path("dong-y-chia-se/", views.consents, name="consents"),
    path("dong-y-chia-se/<slug:service>/", views.change_consent, name="change_consent"),
]
