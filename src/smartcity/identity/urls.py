"""Sign-in pages, mounted at /account/."""

from __future__ import annotations

from django.urls import path

from smartcity.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("oidc/login/", views.oidc_login, name="oidc_login"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("totp/", views.totp_step, name="totp"),
    path("totp/setup/", views.totp_setup, name="totp_setup"),
    path("xac-thuc-lai/", views.reauthenticate, name="reauthenticate"),
    path("logout/", views.logout, name="logout"),
]
