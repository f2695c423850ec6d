from __future__ import annotations

from django.urls import re_path

from smartcity.places import views

app_name = "places"

urlpatterns = [
    re_path(r"^ranh-gioi/(?P<province>[0-9]{2})\.geojson$", views.boundaries, name="boundaries"),
]
