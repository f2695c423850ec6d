"""Pages at /moi-truong/ and the NGSI-LD view at /moi-truong/ngsi-ld/v1/ (also served at the standard /ngsi-ld/v1/,
see ``smartcity.urls``)."""

from __future__ import annotations

from django.urls import include, path, re_path

from smartcity.environment import views

# The resource paths of clause 6.2 (Table 6.2-1 writes the lists with a trailing slash; clients send either).
ngsi_ld_urlpatterns = [
    re_path(r"^entities/?$", views.ngsi_entities, name="ngsi_entities"),
    re_path(r"^entities/(?P<entity_id>[^/]+)$", views.ngsi_entity, name="ngsi_entity"),
    re_path(r"^types/?$", views.ngsi_types, name="ngsi_types"),
    path("context.jsonld", views.ngsi_context, name="ngsi_context"),
]

app_name = "environment"
urlpatterns = [
    path("", views.index, name="index"),
    path("tram/<slug:code>/", views.station, name="station"),
    path("tram/<slug:code>/du-lieu.csv", views.station_csv, name="station_csv"),
    path("canh-bao/", views.warnings_page, name="warnings"),
    path("dang-ky/", views.subscribe, name="subscribe"),
    path("dang-ky/xac-nhan/<str:token>/", views.confirm, name="confirm"),
    path("dang-ky/huy/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("ngsi-ld/v1/", include(ngsi_ld_urlpatterns)),
]
