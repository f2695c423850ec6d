"""Top-level URLs: the portal, the API, the back office and the development identity provider."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from smartcity.api import api
from smartcity.environment.ngsi_ld.urls import urlpatterns as ngsi_ld_urlpatterns
from smartcity.portal.api_docs import api_docs

admin.site.site_header = "Quản trị Nền tảng đô thị thông minh"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Hệ thống quản trị"

urlpatterns = [
    path("api/v1/docs", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/", include("smartcity.identity.urls")),
    path("thu-tuc/", include("smartcity.procedures.urls")),
    path("chu-ky-so/", include("smartcity.signing.urls")),
    path("thanh-toan/", include("smartcity.payments.urls")),
    path("kho-du-lieu/", include("smartcity.vault.urls")),
    path("sta/", include("smartcity.sensing.sta.urls")),
    path("moi-truong/", include("smartcity.environment.urls")),
    path("ban-do/", include("smartcity.places.urls")),
    path("tuyen-sinh/", include("smartcity.education.urls")),
    # NGSI-LD clients assume the standard API root /ngsi-ld/v1 at the host (clause 6.2); same views as above
    path("ngsi-ld/v1/", include((ngsi_ld_urlpatterns, "ngsi_ld"))),
    path("", include("smartcity.interop.urls")),
    path("ioc/", include("smartcity.ioc.urls")),
    path("", include("smartcity.feedback.urls")),
    path("", include("smartcity.opendata.urls")),  # /du-lieu-mo/, CKAN /api/3/action/, DCAT /catalog.ttl
    path("", include("smartcity.dossiers.urls")),
    path("", include("smartcity.portal.urls")),
]

if settings.DEV_IDP_ENABLED:
    urlpatterns.insert(0, path("idp/", include("smartcity.identity.idp_urls")))

# The portal's error pages (smartcity.portal.errors; with DEBUG on, its middleware shows them too)
handler400 = "smartcity.portal.errors.bad_request"
handler403 = "smartcity.portal.errors.permission_denied"
handler404 = "smartcity.portal.errors.page_not_found"
handler500 = "smartcity.portal.errors.server_error"
