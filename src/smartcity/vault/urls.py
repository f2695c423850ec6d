from django.urls import path

from smartcity.vault import views

app_name = "vault"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:document_id>/tai-ve/", views.download, name="download"),
    path("<int:document_id>/chia-se/", views.share, name="share"),
    path("lien-ket/<int:link_id>/thu-hoi/", views.revoke, name="revoke"),
    path("chia-se/<str:token>/", views.shared, name="shared"),
]
