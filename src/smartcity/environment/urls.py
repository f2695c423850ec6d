"""Pages at /moi-truong/ and the NGSI-LD view at /moi-truong/ngsi-ld/v1/."""

from __future__ import annotations

from django.urls import path, re_path

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
    path("ngsi-ld/v1/entities", views.ngsi_entities, name="ngsi_entities"),
    re_path(r"^ngsi-ld/v1/entities/(?P<entity_id>[^/]+)$", views.ngsi_entity, name="ngsi_entity"),
    path("ngsi-ld/v1/types", views.ngsi_types, name="ngsi_types"),
    path("ngsi-ld/v1/context.jsonld", views.ngsi_context, name="ngsi_context"),
]
