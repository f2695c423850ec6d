from django.urls import path

from smartcity.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("ho-so-cua-toi/", views.profile, name="profile"),
    path("ho-so-cua-toi/tai-ve/", views.export_profile, name="export_profile"),
    path("ai-da-xem-du-lieu-cua-toi/", views.access_log, name="access_log"),
]
