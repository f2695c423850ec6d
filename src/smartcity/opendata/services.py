"""Open data use cases: the catalogue's writes (datasets, resources, uploads, live-table refresh, API keys,
database catalogue), dataset search with facets, and datastore reads. Views, the CKAN API, admin and jobs call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Role
from smartcity.audit import services as audit
from smartcity.lib.errors import Forbidden, Invalid, NotFound
from smartcity.lib.principal import Principal
from smartcity.lib.ratelimit import RateLimited
from smartcity.lib.storage import files_follow_transaction, save_file
from smartcity.lib.text import fold
from smartcity.opendata import parsing, sources
from smartcity.opendata.models import (
    ApiKey,
    ApiKeyUsage,
    DatabaseEntry,
    Dataset,
    DatasetQuerySet,
    Frequency,
    Group,
    Licence,
    Organization,
    Resource,
    Row,
    Tag,
)
from smartcity.places.models import Unit

BATCH = 5000


# ------------------------------------------------------------------------------------------------ catalogue writes


@transaction.atomic
def save_organization(*, name: str, title: str, agency: Agency | None = None, description: str = "") -> Organization:
    org, _ = Organization.objects.update_or_create(name=name, defaults=dict(title=title, agency=agency,
                                                                            description=description))
    return org


@transaction.atomic
def save_group(*, name: str, title: str, description: str = "") -> Group:
    group, _ = Group.objects.update_or_create(name=name, defaults=dict(title=title, description=description))
    return group


def _search_text(ds: Dataset, tags: Sequence[str]) -> str:
    return fold(" ".join([ds.name.replace("-", " "), ds.title, ds.notes, ds.organization.title, *tags]))


@transaction.atomic
def save_dataset(*, name: str, title: str, organization: Organization, notes: str = "",
                 licence: str = Licence.CC_BY, groups: Sequence[Group] = (), tags: Sequence[str] = (),
                 frequency: str = Frequency.IRREGULAR, temporal_start: dt.date | None = None,
                 temporal_end: dt.date | None = None, spatial: Unit | None = None, private: bool = False) -> Dataset:
    """Create or update the dataset called ``name``."""
    if temporal_start and temporal_end and temporal_end < temporal_start:
        raise Invalid("Thời gian kết thúc trước thời gian bắt đầu", field="temporal_end")
    ds, _ = Dataset.objects.update_or_create(name=name, defaults=dict(
        title=title, notes=notes, organization=organization, licence=licence, frequency=frequency,
        temporal_start=temporal_start, temporal_end=temporal_end, spatial=spatial, private=private))
    tag_objs = [Tag.objects.get_or_create(name=t.strip()[:100])[0] for t in tags if t.strip()]
    ds.tags.set(tag_objs)
    ds.groups.set(groups)
    ds.search_text = _search_text(ds, [t.name for t in tag_objs])
    ds.save(update_fields=["search_text"])
    return ds


def can_publish(user: Principal, dataset: Dataset) -> bool:
    """Staff of the publishing agency, or a city administrator."""
    if getattr(user, "is_superuser", False):
        return True
    scope = agencies.scope_of(user)
    return any(m.role == Role.CITY_ADMIN or (dataset.organization.agency_id and m.agency_id ==
                                             dataset.organization.agency_id) for m in scope.memberships)


def _store_rows(resource: Resource, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    Row.objects.filter(resource=resource).delete()
    n = 0
    batch: list[Row] = []
    for data in rows:
        n += 1
        text = fold(" ".join(str(v) for k, v in data.items() if k != "geometry" and v is not None))[:2000]
        batch.append(Row(resource=resource, n=n, data=data, search=text))
        if len(batch) >= BATCH:
            Row.objects.bulk_create(batch)
            batch = []
    Row.objects.bulk_create(batch)
    return n


def add_file_resource(*, user: Principal, dataset: Dataset, name: str, filename: str, data: bytes,
                      description: str = "") -> Resource:
    """Validate and parse an uploaded CSV/XLSX/GeoJSON, then store the file and its rows in one transaction:
    a refused file leaves nothing behind."""
    if not can_publish(user, dataset):
        raise Forbidden("Chỉ cán bộ của đơn vị công bố mới được thêm tài nguyên")
    if not (name or "").strip():
        raise Invalid("Cần tên tài nguyên", field="name")
    parsed = parsing.parse_upload(filename, data)
    with files_follow_transaction():  # a failure after the file is stored removes it (no orphan file)
        resource = Resource.objects.create(
            dataset=dataset, name=name.strip()[:300], description=description, kind=Resource.Kind.FILE,
            format=parsed.format, size=len(data), fields=parsed.fields, geo=parsed.geo,
            position=dataset.resources.count(), refreshed_at=timezone.now())
        resource.row_count = _store_rows(resource, parsed.rows)
        save_file(resource.file, f"{resource.uuid}{'.' + filename.rsplit('.', 1)[-1].lower()}", ContentFile(data))
        resource.save()
        Dataset.objects.filter(pk=dataset.pk).update(modified_at=timezone.now())
        audit.record(actor=agencies.actor_for(user), action=audit.Action.CREATE, subject_type="opendata.resource",
                     subject_id=str(resource.uuid), detail={"dataset": dataset.name, "rows": resource.row_count})
    return resource


@transaction.atomic
def add_live_resource(*, dataset: Dataset, source: str, name: str = "", description: str = "") -> Resource:
    """A resource whose table is the live ``source`` (refreshed by the job; the first snapshot now)."""
    if source not in sources.SOURCES:
        raise Invalid(f"Không có nguồn dữ liệu sống '{source}'", field="source")
    src = sources.get(source)
    resource, _ = Resource.objects.get_or_create(
        dataset=dataset, source=source, kind=Resource.Kind.LIVE,
        defaults=dict(name=name or src.title, description=description, format="CSV",
                      position=dataset.resources.count()))
    refresh_resource(resource=resource)
    return resource


@transaction.atomic
def refresh_resource(*, resource: Resource) -> int:
    """Replace the live resource's snapshot with its source's rows now."""
    src = sources.get(resource.source)
    resource.row_count = _store_rows(resource, src.rows())
    resource.fields = [{"id": f.id, "type": f.type} for f in src.fields]
    resource.geo = src.geo
    resource.refreshed_at = timezone.now()
    resource.save(update_fields=["row_count", "fields", "geo", "refreshed_at"])
    Dataset.objects.filter(pk=resource.dataset_id).update(modified_at=resource.refreshed_at)
    return resource.row_count


def refresh_live_tables() -> dict[str, int]:
    """Every live resource refreshed, each in its own transaction (one failing source does not hold the others)."""
    done = {}
    for resource in Resource.objects.filter(kind=Resource.Kind.LIVE).exclude(source="").select_related("dataset"):
        if resource.source in sources.SOURCES:
            done[f"{resource.dataset.name}/{resource.source}"] = refresh_resource(resource=resource)
    return done


@transaction.atomic
def save_database_entry(*, slug: str, name: str, owner: Agency, description: str = "", legal_basis: str = "",
                        fields: Sequence[dict[str, str]] = (), sharing: str = "shared",
                        services: Sequence[dict[str, str]] = (), datasets: Sequence[Dataset] = ()) -> DatabaseEntry:
    entry, _ = DatabaseEntry.objects.update_or_create(slug=slug, defaults=dict(
        name=name, owner=owner, description=description, legal_basis=legal_basis, fields=list(fields),
        sharing=sharing, services=list(services)))
    entry.datasets.set(datasets)
    return entry


# ------------------------------------------------------------------------------------------------ API keys


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_api_key(*, name: str, owner: Principal | None = None, daily_quota: int = 10_000) -> tuple[ApiKey, str]:
    """A new key; the key itself is returned once and only its digest kept."""
    key = "od_" + secrets.token_urlsafe(30)
    obj = ApiKey.objects.create(name=name, owner_id=getattr(owner, "pk", None), prefix=key[:8],
                                digest=_digest(key), daily_quota=daily_quota)
    return obj, key


def use_api_key(key: str, *, now: dt.datetime | None = None) -> ApiKey:
    """Count one request of ``key`` today (Việt Nam's day): ``Forbidden`` for an unknown or revoked key,
    ``RateLimited`` past its daily quota (Retry-After: until local midnight)."""
    obj = ApiKey.objects.filter(digest=_digest(key.strip()), revoked_at__isnull=True).first()
    if obj is None:
        raise Forbidden("Khóa API không hợp lệ hoặc đã bị thu hồi")
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        usage, _ = ApiKeyUsage.objects.get_or_create(key=obj, day=day)
        ApiKeyUsage.objects.filter(pk=usage.pk).update(count=F("count") + 1)
        usage.refresh_from_db(fields=["count"])
    if usage.count > obj.daily_quota:
        midnight = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
        raise RateLimited(f"Khóa API đã dùng hết hạn mức {obj.daily_quota} lượt trong ngày",
                          retry_after=int((midnight - now).total_seconds()))
    return obj


# ------------------------------------------------------------------------------------------------ search

FACETS = {  # CKAN facet name → our lookup for the value, and for its display name
    "organization": ("organization__name", "organization__title"),
    "groups": ("groups__name", "groups__title"),
    "tags": ("tags__name", "tags__name"),
    "res_format": ("resources__format", "resources__format"),
    "license_id": ("licence", "licence"),
}
FQ_FIELDS = {**{k: v[0] for k, v in FACETS.items()}, "name": "name", "frequency": "frequency", "id": "uuid"}
SORTS = {"score desc": ("-modified_at", "name"), "metadata_modified desc": ("-modified_at", "name"),
         "metadata_modified asc": ("modified_at", "name"), "metadata_created desc": ("-created_at", "name"),
         "name asc": ("name",), "name desc": ("-name",), "title_string asc": ("title", "name"),
         "title_string desc": ("-title", "name")}


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)


def search_datasets(*, q: str = "", fq: Sequence[tuple[str, str]] = (), rows: int = 10, start: int = 0,
                    sort: str = "score desc", facet_fields: Sequence[str] = (), facet_limit: int = 50
                    ) -> SearchResult:
    """Public datasets matching every word of ``q`` (folded, on title, notes, tags, publisher) and every
    ``fq`` term (``(field, value)``, already checked against ``FQ_FIELDS``)."""
    qs: DatasetQuerySet = Dataset.objects.public()
    for word in fold(q).split()[:20]:
        if word != "*":
            qs = qs.filter(search_text__contains=word)
    for name, value in fq:
        if name in ("groups", "tags", "res_format"):  # many-valued: a semi-join keeps each dataset once
            qs = qs.filter(pk__in=Dataset.objects.filter(**{FQ_FIELDS[name]: value}).values("pk"))
        else:
            qs = qs.filter(**{FQ_FIELDS[name]: value})
    # One scan of the catalogue for the matching ids, in order; the count, the page and the facets start from them
    # (on PostgreSQL as one array parameter, ``= ANY(%s)``, not thousands of IN parameters).
    ids = list(qs.order_by(*SORTS[sort]).values_list("pk", flat=True))
    wanted = ids[start:start + rows]
    by_id = {d.pk: d for d in Dataset.objects.filter(pk__in=wanted).with_relations()}
    page = [by_id[pk] for pk in wanted]
    facets = {name: _facet(name, ids, facet_limit) for name in facet_fields}
    count = len(ids)
    return SearchResult(count, page, facets)


def _uuid(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(ref))
    except ValueError:
        return None


def _among(qs: QuerySet[Any, Any], column: str, ids: list[int]) -> QuerySet[Any, Any]:
    """``qs`` narrowed to rows whose ``column`` (table.column) is one of ``ids``."""
    if connection.vendor == "postgresql":
        return qs.extra(where=[f"{column} = ANY(%s)"], params=[ids])  # noqa: S610 - our own column name
    return qs.filter(**{column.split(".")[1].removesuffix("_id") + "_id__in" if column.endswith("_id")
                        else "pk__in": ids})


def _facet(name: str, ids: list[int], limit: int) -> list[tuple[str, str, int]]:
    """(value, display name, datasets) of one facet over the datasets ``ids``, most frequent first; counted on
    the link tables (no join back to the datasets, no COUNT DISTINCT)."""
    rows: QuerySet[Any, Any]
    if name in ("organization", "license_id"):
        fields = ("organization__name", "organization__title") if name == "organization" else ("licence", "licence")
        rows = _among(Dataset.objects.order_by(), "opendata_dataset.id", ids).values_list(*fields).annotate(
            n=Count("pk"))
    elif name == "groups":
        rows = (_among(Dataset.groups.through.objects.order_by(), "opendata_dataset_groups.dataset_id", ids)
                .values_list("group__name", "group__title").annotate(n=Count("dataset_id")))
    elif name == "tags":
        rows = (_among(Dataset.tags.through.objects.order_by(), "opendata_dataset_tags.dataset_id", ids)
                .values_list("tag__name", "tag__name").annotate(n=Count("dataset_id")))
    else:  # res_format
        rows = (_among(Resource.objects.order_by(), "opendata_resource.dataset_id", ids)
                .values_list("format", "format").annotate(n=Count("dataset_id", distinct=True)))
    return sorted(((v, label, n) for v, label, n in rows), key=lambda r: (-r[2], r[0]))[:limit]


def get_dataset(ref: str) -> Dataset:
    """A public dataset by name or id; ``NotFound`` otherwise."""
    qs = Dataset.objects.public().with_relations()
    key = _uuid(ref)
    found = qs.filter(uuid=key).first() if key else qs.filter(name=ref).first()
    if found is None:
        raise NotFound("Không tìm thấy bộ dữ liệu")
    return found


def get_resource(ref: str) -> Resource:
    """A resource of a public dataset by id; ``NotFound`` otherwise."""
    key = _uuid(ref)
    found = (Resource.objects.select_related("dataset__organization").filter(uuid=key, dataset__private=False)
             .first() if key else None)
    if found is None:
        raise NotFound("Không tìm thấy tài nguyên")
    return found


# ------------------------------------------------------------------------------------------------ datastore


def field_types(resource: Resource) -> dict[str, str]:
    return {f["id"]: f["type"] for f in resource.fields}


def _typed_value(kind: str, value: Any, name: str) -> Any:
    if kind in ("int", "numeric") and not isinstance(value, int | float):
        try:
            return int(value) if kind == "int" else float(value)
        except (TypeError, ValueError):
            raise Invalid(f"Giá trị lọc của {name} phải là số", field=f"filters.{name}") from None
    return value


def datastore_rows(resource: Resource, *, filters: dict[str, Any] | None = None, q: str = "",
                   sort: Sequence[tuple[str, bool]] = ()) -> QuerySet[Row]:
    """The resource's rows matching ``filters`` (field → value or list of values; exact) and ``q`` (every folded
    word), ordered by ``sort`` (field, descending) then row order."""
    types = field_types(resource)
    qs = Row.objects.filter(resource=resource)
    for name, value in (filters or {}).items():
        if name not in types:
            raise Invalid(f"Không có trường {name}", field=f"filters.{name}")
        values = value if isinstance(value, list) else [value]
        if len(values) > 100:
            raise Invalid("Nhiều quá 100 giá trị lọc", field=f"filters.{name}")
        cond = Q()
        for v in values:
            cond |= Q(**{f"data__{name}": _typed_value(types[name], v, name)})
        qs = qs.filter(cond)
    for word in fold(q).split()[:20]:
        qs = qs.filter(search__contains=word)
    order = []
    for name, desc in sort:
        if name not in types and name != "_id":
            raise Invalid(f"Không thể sắp xếp theo {name}", field="sort")
        key = "n" if name == "_id" else f"data__{name}"
        order.append(F(key).desc(nulls_last=True) if desc else F(key).asc(nulls_last=True))
    return qs.order_by(*order, "n")
