"""Use cases of administrative units: load them from the ``vietnamadminunits`` data, look them up, parse addresses;
import the city's ward boundaries (``import_boundaries``) and serve them (``boundaries_geojson``); and the map
component every page with a map uses (``build_map``, ``MapPoint``, ``MapArea``: ``smartcity.places.maps``).

The data comes from the package's own SQLite file and old→new mapping, read offline (its address converter may geocode
over the network, so we do not call it).

Address parsing matches against a keyword index of the units table held in each process. The index carries the
table's version (row count and largest id) and is rebuilt when that changes, so units loaded by ``smartcity places
load`` in another process while the server runs are seen on the next parse without a restart (``load_units`` also
drops this process's index). A refresh that only renames existing units changes no version: restart, or call
``forget_unit_index``, to see those.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import vietnamadminunits
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from smartcity.lib.errors import Invalid, NotFound
from smartcity.lib.text import bounded, fold, fold_key
from smartcity.places.boundaries import parse_feature_collection
from smartcity.places.models import REFORM_DATE, Boundary, Level, Structure, Succession, Unit

DATA_DIR = Path(vietnamadminunits.__file__).parent / "data"

# --------------------------------------------------------------------------------------------------- loading


MAX_ADDRESS_CHARS = 300  # the longest address a form takes; a longer text is no address, only work for the parser


@dataclass
class LoadResult:
    provinces: int = 0
    districts: int = 0
    communes: int = 0
    successions: int = 0


def _rows(table: str) -> list[dict[str, object]]:
    with sqlite3.connect(f"file:{DATA_DIR / 'dataset.db'}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM [{table}]")]  # noqa: S608 - fixed table names


@lru_cache(maxsize=1)
def _reference_province_codes() -> frozenset[str]:
    codes: set[str] = set()
    with sqlite3.connect(f"file:{DATA_DIR / 'dataset.db'}?mode=ro", uri=True) as conn:
        for table in ("admin_units", "admin_units_legacy"):
            codes.update(str(c) for (c,) in conn.execute(f"SELECT DISTINCT provinceCode FROM [{table}]"))  # noqa: S608
    return frozenset(c.zfill(2) for c in codes if c and c != "None")


def province_codes() -> set[str]:
    """Every province code of the reference data, before and after the 2025 reform, loaded in the database or
    not (an ID number's first digits name the province where the birth was registered)."""
    return set(_reference_province_codes())


def _keywords(*values: object) -> list[str]:
    words: list[str] = []
    for value in values:
        if not value:
            continue
        items = json.loads(value) if isinstance(value, str) and value.startswith("[") else [value]
        for item in items:
            key = fold_key(str(item))
            if key and key not in words:
                words.append(key)
    return words


def _bounds(text: object) -> list[float] | None:
    # "20.995099,105.797482 – 21.05038,105.876446" → [south, west, north, east]
    numbers = re.findall(r"-?\d+(?:\.\d+)?", str(text or ""))
    if len(numbers) != 4:
        return None
    s, w, n, e = (float(x) for x in numbers)
    return [s, w, n, e]


def _province_fields(r: dict[str, object], *, legacy: bool) -> dict[str, object]:
    name = str(r["province"])
    return dict(
        name=name, short_name=r["provinceShort"], unit_type="Tỉnh" if name.startswith("Tỉnh") else "Thành phố",
        parent=None, province_code=str(r["provinceCode"]), latitude=r["provinceLat"], longitude=r["provinceLon"],
        bounds=_bounds(r["provinceBounds"]) if legacy else None, area_km2=None,
        valid_from=None if legacy else REFORM_DATE, valid_until=REFORM_DATE if legacy else None,
        keywords=_keywords(r["provinceKey"], r["provinceShortKey"], r["provinceKeywords"]),
    )


def load_units(
    *, province_codes: Iterable[str] | None = None, progress: Callable[[int], None] | None = None
) -> LoadResult:
    """Load (or refresh) every province, and the districts and communes of the given provinces (all by default).

    Idempotent: units are matched on (structure, level, code) and updated in place. One transaction.
    """
    wanted = {c.zfill(2) for c in province_codes} if province_codes else None
    tick = progress or (lambda n: None)
    result = LoadResult()
    with transaction.atomic():
        existing = {(u.structure, u.level, u.code): u for u in Unit.objects.all()}

        def upsert(structure: str, level: str, code: str, **fields: object) -> Unit:
            unit = existing.get((structure, level, code))
            if unit is None:
                unit = Unit(structure=structure, level=level, code=code)
                existing[(structure, level, code)] = unit
            for name, value in fields.items():
                setattr(unit, name, value)
            return unit

        def save(units: list[Unit]) -> None:
            new = [u for u in units if u.pk is None]
            old = [u for u in units if u.pk is not None]
            Unit.objects.bulk_create(new, batch_size=1000)
            if old:
                Unit.objects.bulk_update(
                    old,
                    ["name", "short_name", "unit_type", "parent", "province_code", "latitude", "longitude",
                     "bounds", "area_km2", "valid_from", "valid_until", "keywords"],
                    batch_size=500,
                )
            tick(len(units))

        # The 2025 structure: provinces → communes.
        rows_new = _rows("admin_units")
        provinces: dict[str, Unit] = {}
        for r in rows_new:
            code = str(r["provinceCode"])
            if code not in provinces:
                provinces[code] = upsert(Structure.Y2025, Level.PROVINCE, code, **_province_fields(r, legacy=False))
        save(list(provinces.values()))
        result.provinces += len(provinces)
        communes = [
            upsert(
                Structure.Y2025, Level.COMMUNE, str(r["wardCode"]),
                name=r["ward"], short_name=r["wardShort"], unit_type=r["wardType"],
                parent=provinces[str(r["provinceCode"])], province_code=str(r["provinceCode"]),
                latitude=r["wardLat"], longitude=r["wardLon"], bounds=None, area_km2=r["wardAreaKm2"],
                valid_from=REFORM_DATE, valid_until=None,
                keywords=_keywords(r["wardKey"], r["wardShortKey"], r["wardKeywords"]),
            )
            for r in rows_new
            if wanted is None or r["provinceCode"] in wanted
        ]
        save(communes)
        result.communes += len(communes)

        # The legacy structure: provinces → districts → communes, valid until the reform.
        rows_old = _rows("admin_units_legacy")
        old_provinces: dict[str, Unit] = {}
        for r in rows_old:
            code = str(r["provinceCode"])
            if code not in old_provinces:
                old_provinces[code] = upsert(Structure.LEGACY, Level.PROVINCE, code, **_province_fields(r, legacy=True))
        save(list(old_provinces.values()))
        result.provinces += len(old_provinces)
        rows_old = [r for r in rows_old if wanted is None or r["provinceCode"] in wanted]
        districts: dict[str, Unit] = {}
        for r in rows_old:
            code = str(r["districtCode"])
            if code not in districts:
                districts[code] = upsert(
                    Structure.LEGACY, Level.DISTRICT, code,
                    name=r["district"], short_name=r["districtShort"], unit_type=r["districtType"],
                    parent=old_provinces[str(r["provinceCode"])], province_code=str(r["provinceCode"]),
                    latitude=r["districtLat"], longitude=r["districtLon"], bounds=_bounds(r["districtBounds"]),
                    area_km2=None, valid_from=None, valid_until=REFORM_DATE,
                    keywords=_keywords(r["districtKey"], r["districtShortKey"], r["districtKeywords"]),
                )
        save(list(districts.values()))
        result.districts += len(districts)
        old_communes = [
            upsert(
                Structure.LEGACY, Level.COMMUNE, str(r["wardCode"]),
                name=r["ward"], short_name=r["wardShort"], unit_type=r["wardType"],
                parent=districts[str(r["districtCode"])], province_code=str(r["provinceCode"]),
                latitude=r["wardLat"], longitude=r["wardLon"], bounds=_bounds(r["wardBounds"]), area_km2=None,
                valid_from=None, valid_until=REFORM_DATE,
                keywords=_keywords(r["wardKey"], r["wardShortKey"], r["wardKeywords"]),
            )
            for r in rows_old
            if r["wardCode"]
        ]
        save(old_communes)
        result.communes += len(old_communes)
        result.successions = _load_successions(rows_new, rows_old)
    forget_unit_index()
    return result


def _load_successions(rows_new: list[dict[str, object]], rows_old: list[dict[str, object]]) -> int:
    """Old→new commune mapping from the package's converter table (keys are folded names)."""
    mapping = json.loads((DATA_DIR / "converter_2025.json").read_text())
    new_by_key: dict[tuple[str, str], str] = {}
    for r in rows_new:
        new_by_key.setdefault((str(r["provinceKey"]), str(r["wardKey"])), str(r["wardCode"]))
    old_by_key = {
        f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey']}": str(r["wardCode"]) for r in rows_old if r["wardCode"]
    }
    pairs: dict[tuple[str, str], bool] = {}
    for province_key, wards in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in wards.items():
            new_code = new_by_key.get((province_key, fold_key(new_key)))
            for old_key in old_keys:
                if new_code and old_key in old_by_key:
                    pairs[(old_by_key[old_key], new_code)] = True
    for province_key, olds in mapping["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, news in olds.items():
            for new in news:
                new_code = new_by_key.get((province_key, fold_key(new["newWardKey"])))
                if new_code and old_key in old_by_key:
                    pairs[(old_by_key[old_key], new_code)] = bool(new["isDefaultNewWard"])
    units = Unit.objects.filter(level=Level.COMMUNE)
    old_ids = dict(units.filter(structure=Structure.LEGACY).values_list("code", "id"))
    new_ids = dict(units.filter(structure=Structure.Y2025).values_list("code", "id"))
    rows = [
        Succession(old_id=old_ids[o], new_id=new_ids[n], is_default=d)
        for (o, n), d in pairs.items()
        if o in old_ids and n in new_ids
    ]
    Succession.objects.filter(old_id__in=[r.old_id for r in rows]).delete()
    Succession.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --------------------------------------------------------------------------------------------------- look-ups


def get_unit(key: str) -> Unit:
    """The unit named by its key ``structure:level:code``, or by a bare code of a current (2025) commune/province."""
    parts = bounded(key, field="unit", limit=40, what="Mã đơn vị hành chính").split(":")
    try:
        if len(parts) == 3:
            return Unit.objects.select_related("parent__parent").get(structure=parts[0], level=parts[1], code=parts[2])
        if len(parts) == 1 and re.fullmatch(r"[0-9]{1,8}", parts[0]):
            level = Level.PROVINCE if len(parts[0]) <= 2 else Level.COMMUNE
            return Unit.objects.select_related("parent").get(structure=Structure.Y2025, level=level, code=parts[0])
    except Unit.DoesNotExist:
        raise NotFound(f"Không có đơn vị hành chính {key!r}", field="unit") from None
    raise Invalid("Mã đơn vị hành chính phải có dạng cấu_trúc:cấp:mã, ví dụ 2025:commune:00004", field="unit")


def current_successor(unit: Unit) -> Unit:
    """The 2025 commune that took over a legacy commune (its default successor); a 2025 unit is its own."""
    if unit.structure == Structure.Y2025:
        return unit
    if unit.level != Level.COMMUNE:
        raise Invalid("Chỉ đơn vị cấp xã có đơn vị kế thừa", field="unit")
    succession = unit.successors.select_related("new__parent").order_by("-is_default", "new__code").first()
    if succession is None:
        raise NotFound(f"Không tìm thấy đơn vị kế thừa của {unit.name}", field="unit")
    return succession.new


# ------------------------------------------------------------------------------------------- address parsing

# Unit-type words written before a name, folded, longest first ("thi tran" before "thi").
_TYPE_WORDS = sorted(
    ["thanh pho", "tp", "tinh", "quan", "q", "huyen", "h", "thi xa", "tx", "phuong", "p", "xa", "x", "thi tran",
     "tt", "dac khu"],
    key=len, reverse=True,
)
_ABBREVIATED_NUMBER = re.compile(r"^(p|q|f)\s*(\d+)$")


@dataclass(frozen=True)
class _Index:
    """Keyword → unit ids, per structure and level, built once per process from the units table."""

    provinces: dict[str, dict[str, list[int]]]  # structure → keyword → ids
    children: dict[int, dict[str, list[int]]]  # parent id → keyword → child ids
    province_ids: dict[tuple[str, str], int]  # (structure, code) → id of the province


_cached_index: tuple[tuple[int, int | None], _Index] | None = None


def _units_version() -> tuple[int, int | None]:
    """One aggregate over the units table: it changes whenever units are added or removed, by any process."""
    seen = Unit.objects.aggregate(count=Count("id"), last=Max("id"))
    return seen["count"], seen["last"]


def forget_unit_index() -> None:
    """Drop this process's address index; the next parse rebuilds it from the units table."""
    global _cached_index
    _cached_index = None


def unit_index() -> _Index:
    """The address index, rebuilt when the units table's version differs from the one it was built from."""
    global _cached_index
    version = _units_version()
    cached = _cached_index
    if cached is not None and cached[0] == version:
        return cached[1]
    index = _build_index()
    _cached_index = (version, index)
    return index


def _build_index() -> _Index:
    provinces: dict[str, dict[str, list[int]]] = {Structure.LEGACY: {}, Structure.Y2025: {}}
    children: dict[int, dict[str, list[int]]] = {}
    province_ids: dict[tuple[str, str], int] = {}
    for uid, structure, level, code, parent_id, keywords in Unit.objects.values_list(
        "id", "structure", "level", "code", "parent_id", "keywords"
    ):
        if level == Level.PROVINCE:
            province_ids[(structure, code)] = uid
        target = provinces[structure] if parent_id is None else children.setdefault(parent_id, {})
        for word in keywords:
            target.setdefault(word, []).append(uid)
    return _Index(provinces, children, province_ids)


def _candidates(part: str) -> list[str]:
    """Folded keys a part of an address may match: as written, and without its unit-type word."""
    folded = fold(part)
    keys = [folded.replace(" ", "")]
    for word in _TYPE_WORDS:
        if folded.startswith(word + " "):
            keys.append(folded[len(word) + 1 :].replace(" ", ""))
            break
    number = _ABBREVIATED_NUMBER.match(folded)
    if number:
        prefix = {"p": "phuong", "f": "phuong", "q": "quan"}[number.group(1)]
        keys.append(f"{prefix}{int(number.group(2))}")
    return keys


def _match(part: str, table: dict[str, list[int]]) -> int | None:
    for key in _candidates(part):
        ids = table.get(key)
        if ids and len(ids) == 1:
            return ids[0]
    return None


@dataclass(frozen=True)
class ParsedAddress:
    street: str
    unit: Unit  # the unit the address names, in its own structure
    current_unit: Unit  # the 2025 commune (or province) it belongs to now (for a split one: its default successor)
    successors: tuple[Unit, ...] = ()  # every 2025 commune that took part of a legacy commune (default first)
    ambiguous: bool = False  # a legacy commune split between several: the address alone does not say which


def parse_address(text: str, *, default_province: str | None = None) -> ParsedAddress:
    """Resolve a free-text Vietnamese address to a unit, with or without diacritics, in either structure.

    "12 Hàng Bài, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội" resolves to the legacy ward Hàng Bài and, through the old→new
    mapping, to today's ward Hoàn Kiếm; "so 5, phuong ba dinh, ha noi" resolves to the 2025 ward Ba Đình. Parts are
    separated by commas and read from the end (province, then district before 2025, then commune). An address that
    names no province is read in ``default_province``, the city's own (``CITY_PROVINCE_CODE``) unless given.

    A legacy commune split between several 2025 communes comes back with all of them in ``successors`` and
    ``ambiguous`` set: which one takes a given street is not in the ``vietnamadminunits`` data (it has each new
    commune's centre and area, no street split; its own converter geocodes the street over the network, which we do
    not do), so ``current_unit`` is the package's default successor and the caller asks the person or an officer.
    Raises ``Invalid`` naming the field ``address`` when no unit can be found.
    """
    if default_province is None:
        default_province = settings.CITY_PROVINCE_CODE
    text = bounded(text, field="address", limit=MAX_ADDRESS_CHARS, what="Địa chỉ")
    parts = [p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()]
    if not parts:
        raise Invalid("Địa chỉ trống", field="address")
    index = unit_index()
    # Try both structures; prefer the one that explains more of the address, the 2025 one on a tie.
    best: tuple[tuple[int, int], int, int] | None = None  # ((parts matched, -rank), unit id, first matched part)
    for rank, structure in enumerate((Structure.Y2025, Structure.LEGACY)):
        for matched, unit_id, first in _resolve(parts, index, structure, default_province):
            if best is None or (matched, -rank) > best[0]:
                best = ((matched, -rank), unit_id, first)
    if best is None:
        raise Invalid("Không xác định được đơn vị hành chính trong địa chỉ", field="address")
    _, unit_id, best_first = best
    unit = Unit.objects.select_related("parent__parent").get(pk=unit_id)
    street = ", ".join(parts[:best_first])
    if unit.level != Level.COMMUNE or unit.structure == Structure.Y2025:
        return ParsedAddress(street=street, unit=unit, current_unit=unit, successors=(unit,))
    successors = tuple(s.new for s in unit.successors.select_related("new__parent").order_by("-is_default", "new__code"))
    if not successors:
        raise NotFound(f"Không tìm thấy đơn vị kế thừa của {unit.name}", field="unit")
    return ParsedAddress(street=street, unit=unit, current_unit=successors[0], successors=successors,
                         ambiguous=len(successors) > 1)


def _resolve(
    parts: list[str], index: _Index, structure: str, default_province: str | None
) -> Iterable[tuple[int, int, int]]:
    """Yield (parts matched, deepest unit id, position of the first matched part), reading from the end."""
    pos = len(parts) - 1
    province_id = _match(parts[pos], index.provinces[structure]) if pos >= 0 else None
    matched = 0
    if province_id is not None:
        matched, pos = 1, pos - 1
    elif default_province:
        province_id = index.province_ids.get((structure, default_province))
    if province_id is None:
        return
    levels = [Level.DISTRICT, Level.COMMUNE] if structure == Structure.LEGACY else [Level.COMMUNE]
    current, first = province_id, pos + 1
    for _level in levels:
        if pos < 0:
            break
        child = _match(parts[pos], index.children.get(current, {}))
        if child is None:
            break
        current, matched, first, pos = child, matched + 1, pos, pos - 1
    if current != province_id:
        yield matched, current, first


# --------------------------------------------------------------------------------------------------- boundaries


@dataclass
class BoundaryImport:
    """What ``import_boundaries`` did: features read, boundaries created / changed / already so, and the features
    it could not place, as (feature number in the file, what the feature said, why)."""

    features: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)


def _code(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}"
    text = str(value or "").strip()
    return text.zfill(5) if text.isdigit() else text


def import_boundaries(*, data: bytes, source: str = "", province_code: str | None = None,
                      code_property: str | None = None, name_property: str | None = None,
                      now: dt.datetime | None = None) -> BoundaryImport:
    """Store the ward boundaries of the GeoJSON FeatureCollection ``data`` on the province's current (2025) communes
    and wards, in one transaction: all of them or, when the file is refused (``Invalid``), none.

    A feature is placed by its GSO code (property ``code_property``, default ``SMARTCITY_MAP_BOUNDARY_CODE_PROPERTY``,
    then ``code``), else by its name (``name_property``, default ``SMARTCITY_MAP_BOUNDARY_NAME_PROPERTY``, then
    ``name``: "Phường Ba Đình" or "Ba Đình", diacritics and case ignored, a name two units share places nothing).
    Features it cannot place, or that place a unit a feature before them already did, are reported, not stored.
    Idempotent: importing the same file again changes nothing; units the file does not name keep their boundary."""
    province_code = province_code or settings.CITY_PROVINCE_CODE
    code_properties = list(dict.fromkeys([code_property or settings.MAP_BOUNDARY_CODE_PROPERTY, "code"]))
    name_properties = list(dict.fromkeys([name_property or settings.MAP_BOUNDARY_NAME_PROPERTY, "name"]))
    features = parse_feature_collection(data, max_bytes=settings.MAP_BOUNDARY_MAX_MB * 1024 * 1024)
    units = list(Unit.objects.current().communes().filter(province_code=province_code))
    if not units:
        raise Invalid(f"Chưa nạp đơn vị hành chính của tỉnh {province_code}: chạy "
                      f"`smartcity places load --province {province_code}` trước", field="province")
    by_code = {u.code: u for u in units}
    by_name: dict[str, list[Unit]] = {}
    for u in units:
        for key in {fold_key(u.name), fold_key(u.short_name)}:
            by_name.setdefault(key, []).append(u)
    result = BoundaryImport(features=len(features))
    now = now or timezone.now()
    placed: set[int] = set()
    with transaction.atomic():
        existing = {b.unit_id: b for b in Boundary.objects.filter(unit__in=units)}
        for feature in features:
            props = feature.properties
            code = next((_code(props[p]) for p in code_properties if props.get(p) not in (None, "")), "")
            name = next((str(props[p]) for p in name_properties if props.get(p) not in (None, "")), "")
            said = ", ".join(filter(None, [code, name])) or "—"
            unit = by_code.get(code) if code else None
            if unit is None and name:
                candidates = by_name.get(fold_key(name), [])
                if len(candidates) > 1:
                    result.unmatched.append((feature.index, said, "tên trùng nhiều đơn vị"))
                    continue
                unit = candidates[0] if candidates else None
            if unit is None:
                result.unmatched.append((feature.index, said, "không có phường, xã này trong tỉnh"))
                continue
            if unit.pk in placed:
                result.unmatched.append((feature.index, said, f"{unit.name} đã có ranh giới ở đối tượng trước"))
                continue
            placed.add(unit.pk)
            text = json.dumps(feature.geometry, separators=(",", ":"))
            boundary = existing.get(unit.pk)
            if boundary is None:
                Boundary.objects.create(unit=unit, geometry=text, positions=feature.positions, source=source[:255],
                                        imported_at=now)
                result.created += 1
            elif boundary.geometry == text:
                result.unchanged += 1
            else:
                boundary.geometry, boundary.positions = text, feature.positions
                boundary.source, boundary.imported_at = source[:255], now
                boundary.save(update_fields=["geometry", "positions", "source", "imported_at"])
                result.updated += 1
    return result


def boundaries_geojson(province_code: str | None = None) -> str:
    """The province's current commune boundaries as one GeoJSON FeatureCollection text, each feature with the unit's
    key as ``id`` and its ``name``: assembled from the stored texts, never parsed again."""
    rows = (Boundary.objects.filter(unit__structure=Structure.Y2025,
                                    unit__province_code=province_code or settings.CITY_PROVINCE_CODE)
            .order_by("unit__code").values_list("unit__structure", "unit__level", "unit__code", "unit__name",
                                                "geometry"))
    features = []
    for structure, level, code, name, geometry in rows:
        head = json.dumps({"type": "Feature", "id": f"{structure}:{level}:{code}", "properties": {"name": name}},
                          ensure_ascii=False, separators=(",", ":"))
        features.append(f'{head[:-1]},"geometry":{geometry}}}')  # the stored text goes in as it is
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


# The map component (``smartcity.places.maps``) is part of this app's public API: other apps use it from here.
from smartcity.places.maps import Map as Map  # noqa: E402
from smartcity.places.maps import MapArea as MapArea  # noqa: E402
from smartcity.places.maps import MapPoint as MapPoint  # noqa: E402
from smartcity.places.maps import build_map as build_map  # noqa: E402
from smartcity.places.maps import has_boundaries as has_boundaries  # noqa: E402
from smartcity.places.maps import interactive_map as interactive_map  # noqa: E402
