from django.urls import path

from smartcity.procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<str:key>/", views.procedure_detail, name="detail"),
]
