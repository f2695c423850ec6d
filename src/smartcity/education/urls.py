from django.urls import path

from smartcity.education import views

app_name = "education"

urlpatterns = [
    path("", views.index, name="index"),
    path("nop/", views.apply, name="apply"),
    path("so-lien-lac/", views.contact_book, name="contact_book"),
    path("phuc-khao/<str:code>/", views.appeal, name="appeal"),
    path("dot/<int:round_id>/", views.round_detail, name="round"),
    path("dot/<int:round_id>/xet-tuyen/", views.allocate, name="allocate"),
    path("dot/<int:round_id>/cong-bo/", views.publish, name="publish"),
    path("dot/<int:round_id>/xuat.csv", views.export, name="export"),
    path("dot/<int:round_id>/truong/<str:school_code>/", views.admitted, name="admitted"),
]
