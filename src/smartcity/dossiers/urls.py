from django.urls import path

from smartcity.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("ho-so/", views.my_dossiers, name="mine"),
    path("ho-so/nop/<str:key>/", views.submit, name="submit"),
    path("ho-so/<str:code>/", views.detail, name="detail"),
    path("ho-so/<str:code>/thao-tac/<str:operation>/", views.operate, name="operate"),
    path("ho-so/<str:code>/phe-duyet/", views.approve, name="approve"),
    path("ho-so/<str:code>/du-thao-ket-qua.pdf", views.draft_result, name="draft_result"),
    path("ho-so/<str:code>/tep/<int:file_id>/", views.attachment, name="attachment"),
    path("ho-so/<str:code>/danh-gia/", views.evaluate, name="evaluate"),
    path("ho-so/<str:code>/ket-qua.pdf", views.result, name="result"),
    path("ho-so/<str:code>/giay-to/<slug:kind>.pdf", views.document, name="document"),
    path("mot-cua/", views.queue, name="queue"),
    path("mot-cua/tiep-nhan/", views.desk_intake, name="desk"),
    path("mot-cua/thao-tac/", views.operate_in_bulk, name="bulk"),
    path("mot-cua/so-theo-doi.pdf", views.ledger, name="ledger"),
    path("tra-cuu/", views.track, name="track"),
    path("thong-ke/", views.statistics_page, name="statistics"),
    path("thong-ke/bo-chi-so/", views.scorecard_page, name="scorecard"),
]
