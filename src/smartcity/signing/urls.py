from __future__ import annotations

from django.urls import path

from smartcity.signing import views

app_name = "signing"
urlpatterns = [
    path("xac-minh/", views.verify_page, name="verify"),
    path("crl/<str:serial>.crl", views.crl, name="crl"),
    path("ca/<str:serial>.crt", views.ca_certificate, name="ca"),
    path("tsa/", views.timestamp, name="tsa"),
]
