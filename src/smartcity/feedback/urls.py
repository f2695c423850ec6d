from django.urls import path, re_path

from smartcity.feedback import views
from smartcity.feedback.open311 import views as open311

app_name = "feedback"
FMT = r"\.(?P<fmt>[a-z]{1,5})"
urlpatterns = [
    path("phan-anh/", views.report_list, name="list"),
    path("phan-anh/gui/", views.submit, name="submit"),
    path("phan-anh/xu-ly/", views.queue, name="queue"),
    path("phan-anh/anh/<int:photo_id>.jpg", views.photo, name="photo"),
    path("phan-anh/<int:report_id>/", views.detail, name="detail"),
    path("phan-anh/<int:report_id>/thao-tac/<slug:operation>/", views.operate, name="operate"),
    path("phan-anh/<int:report_id>/nguoi-gui/<slug:operation>/", views.reporter_action, name="reporter_action"),
    path("open311/v2/", open311.discovery, name="open311_root"),
    re_path(r"^open311/v2/discovery" + FMT + "$", open311.discovery, name="open311_discovery"),
    re_path(r"^open311/v2/services" + FMT + "$", open311.service_list, name="open311_services"),
    re_path(r"^open311/v2/services/(?P<code>[^/.]{1,60})" + FMT + "$", open311.service_definition,
            name="open311_service"),
    re_path(r"^open311/v2/requests" + FMT + "$", open311.requests, name="open311_requests"),
    re_path(r"^open311/v2/requests/(?P<request_id>[^/.]{1,20})" + FMT + "$", open311.request_detail,
            name="open311_request"),
]
