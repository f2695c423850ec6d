"""The NGSI-LD resource paths (clause 6.2), included twice: under /moi-truong/ngsi-ld/v1/ (in the ``environment``
namespace, see ``environment.urls``) and at the standard API root /ngsi-ld/v1/ that clients assume (in the
``ngsi_ld`` namespace, see ``smartcity.urls``). No ``app_name``: the names stay those of the includer."""

from __future__ import annotations

from django.urls import path, re_path

from smartcity.environment.ngsi_ld import views

# Table 6.2-1 writes the lists with a trailing slash; clients send either.
urlpatterns = [
    re_path(r"^entities/?$", views.list_entities, name="ngsi_entities"),
    re_path(r"^entities/(?P<entity_id>[^/]+)$", views.retrieve_entity, name="ngsi_entity"),
    re_path(r"^types/?$", views.list_types, name="ngsi_types"),
    path("context.jsonld", views.context, name="ngsi_context"),
]
