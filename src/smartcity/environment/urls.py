"""Pages at /moi-truong/ and the NGSI-LD view at /moi-truong/ngsi-ld/v1/ (``ngsi_ld.urls``, also served at the
standard /ngsi-ld/v1/, see ``smartcity.urls``)."""

from __future__ import annotations

from django.urls import include, path

from smartcity.environment import views

app_name = "environment"
urlpatterns = [
    path("", views.index, name="index"),
    path("tram/<slug:code>/", views.station, name="station"),
    path("tram/<slug:code>/du-lieu.csv", views.station_csv, name="station_csv"),
    path("canh-bao/", views.warnings_page, name="warnings"),
    path("dang-ky/", views.subscribe, name="subscribe"),
    path("dang-ky/xac-nhan/<str:token>/", views.confirm, name="confirm"),
    path("dang-ky/huy/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("ngsi-ld/v1/", include("smartcity.environment.ngsi_ld.urls")),
]
