"""The portal under /du-lieu-mo/, and the standard paths harvesters expect at the site root: CKAN's
/api/3/action/… (opendata.ckan) and ckanext-dcat's /catalog.ttl, /dataset/<name>.jsonld …"""

from django.urls import include, path, re_path

from smartcity.opendata import views
from smartcity.opendata.ckan import urls as ckan_urls

app_name = "opendata"
portal = [
    path("", views.index, name="index"),
    path("co-so-du-lieu/", views.databases, name="databases"),
    path("co-so-du-lieu/<slug:slug>/", views.database, name="database"),
    re_path(r"^tai-nguyen/(?P<uuid>[0-9a-f-]{36})/tai-ve\.(?P<fmt>[a-z]{3,7})$", views.download, name="download"),
    path("<slug:name>/", views.dataset, name="dataset"),
    path("<slug:name>/tai-len/", views.upload, name="upload"),
]
urlpatterns = [
    path("du-lieu-mo/", include(portal)),
    re_path(r"^catalog\.(?P<fmt>ttl|xml|rdf|jsonld)$", views.catalog, name="dcat_catalog"),
    re_path(r"^dataset/(?P<name>[-a-zA-Z0-9_]+)\.(?P<fmt>ttl|xml|rdf|jsonld)$", views.dataset_rdf,
            name="dcat_dataset"),
    path("", include((ckan_urls.urlpatterns, "ckan"))),
]
