"""Our catalogue in CKAN's dictionaries (CKAN 2.10 ``package_show`` / ``organization_show`` / ``resource_show``),
so CKAN clients and harvesters read it unchanged."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from smartcity.opendata.models import Dataset, Group, Organization, Resource


def _time(moment: Any) -> str | None:
    # CKAN writes naive UTC times with microseconds
    return moment.astimezone(tz=None).replace(tzinfo=None).isoformat() if moment else None


def organization(org: Organization, *, count: int | None = None) -> dict[str, Any]:
    out = {"id": str(org.uuid), "name": org.name, "title": org.title, "display_name": org.title,
           "description": org.description, "type": "organization", "is_organization": True, "state": "active",
           "approval_status": "approved", "image_url": "", "created": _time(org.created_at)}
    if count is not None:
        out["package_count"] = count
    return out


def group(g: Group, *, count: int | None = None) -> dict[str, Any]:
    out = {"id": str(g.uuid), "name": g.name, "title": g.title, "display_name": g.title,
           "description": g.description, "type": "group", "is_organization": False, "state": "active",
           "approval_status": "approved", "image_url": ""}
    if count is not None:
        out["package_count"] = count
    return out


def download_url(base: str, resource: Resource, fmt: str | None = None) -> str:
    fmt = fmt or ("geojson" if resource.format == "GeoJSON" else "csv")
    return base + reverse("opendata:download", args=[resource.uuid, fmt])


def resource(base: str, r: Resource, ds: Dataset) -> dict[str, Any]:
    return {"id": str(r.uuid), "package_id": str(ds.uuid), "name": r.name, "description": r.description,
            "format": r.format, "url": download_url(base, r), "url_type": "datastore" if r.kind == "live" else
            "upload", "datastore_active": True, "mimetype": "text/csv" if r.format == "CSV" else None,
            "size": r.size or None, "position": r.position, "state": "active", "created": _time(r.created_at),
            "last_modified": _time(r.refreshed_at), "live_source": r.source or None, "row_count": r.row_count}


def package(base: str, ds: Dataset) -> dict[str, Any]:
    tags = sorted(t.name for t in ds.tags.all())
    resources = list(ds.resources.all())
    extras = [{"key": "frequency", "value": ds.frequency}]
    if ds.temporal_start:
        extras.append({"key": "temporal_start", "value": ds.temporal_start.isoformat()})
    if ds.temporal_end:
        extras.append({"key": "temporal_end", "value": ds.temporal_end.isoformat()})
    if ds.spatial:
        extras.append({"key": "spatial_text", "value": ds.spatial.name})
    return {
        "id": str(ds.uuid), "name": ds.name, "title": ds.title, "notes": ds.notes, "type": "dataset",
        "state": "active", "private": ds.private, "license_id": ds.licence, "license_title": ds.get_licence_display(),
        "owner_org": str(ds.organization.uuid), "organization": organization(ds.organization),
        "author": ds.organization.title, "maintainer": ds.organization.title,
        "metadata_created": _time(ds.created_at), "metadata_modified": _time(ds.modified_at),
        "url": base + reverse("opendata:dataset", args=[ds.name]),
        "groups": [group(g) for g in ds.groups.all()],
        "tags": [{"name": t, "display_name": t, "state": "active"} for t in tags],
        "num_tags": len(tags), "resources": [resource(base, r, ds) for r in resources],
        "num_resources": len(resources), "extras": extras, "frequency": ds.frequency,
        "temporal_start": ds.temporal_start.isoformat() if ds.temporal_start else None,
        "temporal_end": ds.temporal_end.isoformat() if ds.temporal_end else None,
        "spatial_text": ds.spatial.name if ds.spatial else None,
    }
