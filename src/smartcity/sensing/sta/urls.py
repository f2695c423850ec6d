"""The SensorThings API, mounted at /sta/ by the project: /sta/v1.1 and everything under it."""

from __future__ import annotations

from django.urls import path, re_path

from smartcity.sensing.sta import views

app_name = "sensing"
urlpatterns = [
    path("v1.1", views.sta, name="root"),
    re_path(r"^v1\.1/(?P<path>.*)$", views.sta, name="sta"),
]
