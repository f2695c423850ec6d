from __future__ import annotations

from django.urls import path

from smartcity.ioc import views

app_name = "ioc"

urlpatterns = [
    path("", views.screen, name="screen"),
    path("su-kien/", views.stream, name="stream"),
    path("chi-so/<slug:key>/", views.drill, name="drill"),
    path("xu-huong/", views.trends, name="trends"),
    path("su-co/", views.incident_list, name="incidents"),
    path("su-co/<int:pk>/", views.incident, name="incident"),
    path("su-co/<int:pk>/buoc/<int:position>/", views.complete_step, name="complete_step"),
    path("su-co/<int:pk>/dien-bien/", views.add_note, name="add_note"),
    path("su-co/<int:pk>/dong/", views.close, name="close"),
]
