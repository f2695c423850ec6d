"""Use cases of the procedure catalogue: publish versions, load the demo catalogue, search, read.

Search folds diacritics on both sides (``lib.text.fold``), so "dang ky khai sinh" finds "Đăng ký khai sinh".
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from pydantic import ValidationError

from smartcity.agencies.models import Agency
from smartcity.lib.errors import Invalid, NotFound
from smartcity.lib.text import bounded, fold
from smartcity.procedures.models import Field, OnlineLevel, Procedure, ProcedureVersion
from smartcity.procedures.schemas import VersionSpec

CATALOGUE = Path(__file__).parent / "data" / "catalogue.json"


def _spec(data: dict[str, object]) -> VersionSpec:
    try:
        return VersionSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise Invalid(f"Phiên bản thủ tục không hợp lệ: {first['msg']}", field=field) from None


@transaction.atomic
def publish_version(*, procedure: Procedure, data: dict[str, object]) -> ProcedureVersion:
    """Add a version effective from ``data['effective_from']``; the version in force until then ends that day.

    Versions are never edited: dossiers keep pointing at the one they were submitted under.
    """
    spec = _spec(data)
    previous = procedure.versions.select_for_update().order_by("-number").first()
    if previous is not None:
        if spec.effective_from <= previous.effective_from:
            raise Invalid("Phiên bản mới phải có hiệu lực sau phiên bản hiện hành", field="effective_from")
        previous.effective_until = spec.effective_from
        previous.save(update_fields=["effective_until"])
    return ProcedureVersion.objects.create(
        procedure=procedure,
        number=(previous.number + 1) if previous else 1,
        effective_from=spec.effective_from,
        legal_basis=spec.legal_basis,
        documents=[d.model_dump() for d in spec.documents],
        fees=[f.model_dump() for f in spec.fees],
        processing_amount=spec.processing_time.amount,
        processing_unit=spec.processing_time.unit,
        processing_note=spec.processing_time.note,
        cut_off=dt.time(spec.cut_off_hour) if spec.cut_off_hour is not None else None,
        form=[f.model_dump(exclude_none=False) for f in spec.form_fields],
        workflow=[s.model_dump() for s in spec.workflow],
        notes=spec.notes,
        sources=spec.sources,
    )


def _search_text(procedure: Procedure) -> str:
    return " ".join(filter(None, [fold(procedure.name), procedure.code or "", fold(procedure.field.name),
                                  fold(procedure.name_en)]))


_ENGLISH = {"name_en": "name_en", "agency_text_en": "agency_en", "result_en": "result_en"}


def _fill_english(procedure: Procedure, entry: dict[str, object]) -> bool:
    """Give ``procedure`` the English text of ``entry`` where it has none yet (never overwriting the city's own);
    True if anything changed."""
    changed = False
    for attribute, key in _ENGLISH.items():
        if not getattr(procedure, attribute) and entry.get(key):
            setattr(procedure, attribute, str(entry[key]))
            changed = True
    if not procedure.field.name_en and entry.get("field_en"):
        procedure.field.name_en = str(entry["field_en"])
        procedure.field.save(update_fields=["name_en"])
    return changed


@transaction.atomic
def load_catalogue(path: Path = CATALOGUE, *, effective_from: dt.date = dt.date(2025, 7, 1)) -> int:
    """Load the demo catalogue (a JSON list, see data/catalogue.json). Idempotent: a procedure already loaded
    (same code, or same name when it has none) is left as it is, but for English text it did not have yet (a
    catalogue loaded before the English names were written gets them)."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    created = 0
    for entry in entries:
        lookup = {"code": entry["code"]} if entry.get("code") else {"code": None, "name": entry["name"]}
        existing = Procedure.objects.filter(**lookup).select_related("field").first()
        if existing is not None:
            if _fill_english(existing, entry):
                existing.search_text = _search_text(existing)
                existing.save(update_fields=[*_ENGLISH, "search_text"])
            continue
        field, _ = Field.objects.get_or_create(name=entry["field"])
        department = None
        if entry.get("department"):
            department = Agency.objects.filter(name=entry["department"], kind=Agency.Kind.DEPARTMENT).first()
        procedure = Procedure(
            code=entry.get("code"), name=entry["name"], field=field, levels=entry["levels"],
            agency_text=entry["agency"], department=department, online_level=entry["online_level"],
            result=entry["result"],
        )
        _fill_english(procedure, entry)
        procedure.search_text = _search_text(procedure)
        procedure.save()
        publish_version(procedure=procedure, data={**entry, "effective_from": effective_from})
        created += 1
    return created


def search(*, q: str = "", field: str | None = None, agency: str | None = None, online_level: str | None = None,
           level: str | None = None):
    """Published procedures matching every word of ``q`` (diacritics optional) and the filters."""
    procedures = Procedure.objects.published().select_related("field")
    phrase = fold(bounded(q, field="q"))
    for word in phrase.split():
        procedures = procedures.filter(search_text__contains=word)
    # Names holding the words as typed, in that order, come first ("chung thuc" before "chứng nhận … thực phẩm").
    procedures = procedures.annotate(
        rank=Case(When(search_text__contains=phrase, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("rank", "name")
    if field:
        by_id = re.fullmatch(r"[0-9]{1,9}", field)
        procedures = procedures.filter(field_id=int(field)) if by_id else procedures.filter(field__name=field)
    if agency:
        procedures = procedures.filter(Q(department__code=agency) | Q(agency_text__icontains=agency))
    if online_level:
        if online_level not in OnlineLevel.values:
            raise Invalid(f"online_level phải là một trong {OnlineLevel.values}", field="online_level")
        procedures = procedures.filter(online_level=online_level)
    if level:
        if level not in ("commune", "province"):
            raise Invalid("level phải là commune hoặc province", field="level")
        procedures = procedures.filter(levels__icontains=level)
    return procedures


def get_procedure(key: str | int) -> Procedure:
    """A published procedure by national code (``1.001193``) or id."""
    procedures = Procedure.objects.published().select_related("field", "department")
    text = str(key)
    found = procedures.filter(code=text).first() if "." in text else None
    if found is None and re.fullmatch(r"[0-9]{1,9}", text):
        found = procedures.filter(pk=int(text)).first()
    if found is None:
        raise NotFound(f"Không có thủ tục {key}", field="procedure")
    return found


def version_in_force(procedure: Procedure, on: dt.date | None = None) -> ProcedureVersion | None:
    return procedure.versions.in_force(on or timezone.localdate()).order_by("-number").first()


@transaction.atomic
def merge_national_catalogue(entries: list[dict[str, object]]) -> dict[str, int]:
    """Merge procedures pulled from the national catalogue (``interop`` connector; entries already validated:
    code, name, field, agency, online_level, result, levels). A known code gets the national name, agency text,
    result and online level; a new code is created unpublished (``is_active`` False): it has no form version yet,
    and the city publishes one before citizens can submit. Returns counts created/updated/unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in entries:
        field, _ = Field.objects.get_or_create(name=str(entry["field"])[:120])
        wanted = {"name": str(entry["name"])[:400], "agency_text": str(entry["agency"])[:300],
                  "result": str(entry["result"])[:400], "online_level": str(entry["online_level"])}
        procedure = Procedure.objects.filter(code=entry["code"]).select_related("field").first()
        if procedure is None:
            procedure = Procedure(code=str(entry["code"]), field=field, levels=list(entry["levels"]),  # type: ignore[call-overload]
                                  is_active=False, **wanted)
            counts["created"] += 1
        elif all(getattr(procedure, k) == v for k, v in wanted.items()):
            counts["unchanged"] += 1
            continue
        else:
            for key, value in wanted.items():
                setattr(procedure, key, value)
            counts["updated"] += 1
        procedure.search_text = _search_text(procedure)
        procedure.save()
    return counts
