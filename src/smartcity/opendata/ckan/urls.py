"""CKAN's API paths, at the site root where CKAN clients look for them."""

from django.urls import path

from smartcity.opendata.ckan import views

app_name = "ckan"
urlpatterns = [
    path("api/3", views.api_root),
    path("api/3/action/<str:name>", views.action, name="action"),
    path("api/action/<str:name>", views.action),
]
