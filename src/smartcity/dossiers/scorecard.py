"""The service scorecard of Decision 766/QĐ-TTg (2022), computed per agency and for the city from our own data.

The decision scores how well an agency serves people in real time on 100 points, in the six groups the national
portal shows: transparency 18, progress 20, online services 12, online payment 10, digitisation 22, satisfaction 18.
Each indicator is a rate (numerator ÷ denominator); where the decision sets a target, the rate earns full points at
the target and proportionally less below it (``points × rate ÷ target``), otherwise ``points × rate``.

Sources and honesty: the groups, formulas, points and targets below follow the national portal's published
description of how it computes Decision 766 (see docs/scorecard.md for what was confirmed and what was inferred).
An indicator whose facts this platform does not hold yet (publication deadlines of the procedure decisions,
synchronisation with the national portal) is shown as "not measured" and left out of
both the score and the maximum, so the total reads "x of the y points we can measure", never a silent zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from smartcity.agencies.models import Agency
from smartcity.agencies.services import is_competent
from smartcity.dossiers import statistics as stats
from smartcity.dossiers.lifecycle import CERTIFIED_COPY
from smartcity.dossiers.models import Dossier, DossierFile
from smartcity.lib import indicators
from smartcity.procedures.models import OnlineLevel, Procedure, ProcedureVersion

GROUPS = {
    "transparency": ("Công khai, minh bạch", 18),
    "progress": ("Tiến độ giải quyết", 20),
    "online": ("Dịch vụ công trực tuyến", 12),
    "payment": ("Thanh toán trực tuyến", 10),
    "digitisation": ("Số hóa hồ sơ", 22),
    "satisfaction": ("Mức độ hài lòng", 18),
}

Counts = dict[str, Any]
Ratio = tuple[int, int]


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: str
    formula: str
    points: float
    target: float | None = None  # the rate that earns full points
    measure: Callable[[Counts], Ratio | None] | None = None  # None: this platform does not hold the facts yet
    not_measured: str = ""

    def score(self, rate: float) -> float:
        if self.target:
            return round(self.points * min(rate / self.target, 1.0), 2)
        return round(self.points * rate, 2)


def _ratio(numerator: str, denominator: str) -> Callable[[Counts], Ratio | None]:
    def measure(counts: Counts) -> Ratio | None:
        return (counts[numerator], counts[denominator]) if counts[denominator] else None
    return measure


def _on_time(counts: Counts) -> Ratio | None:
    handled = counts["processed"] + counts["in_progress_on_time"] + counts["in_progress_late"]
    good = counts["processed_early"] + counts["processed_on_time"] + counts["in_progress_on_time"]
    return (good, handled) if handled else None


def _not_late_nor_disliked(counts: Counts) -> Ratio | None:
    handled = counts["processed"] + counts["in_progress_on_time"] + counts["in_progress_late"]
    if not handled:
        return None
    bad = counts["processed_late"] + counts["in_progress_late"] + counts["dissatisfied"]
    return (max(handled - bad, 0), handled)


def _feedback_on_time(counts: Counts) -> Ratio | None:
    received = counts.get("feedback_received", 0)
    return (counts["feedback_on_time"], received) if received else None


def _feedback_not_bad(counts: Counts) -> Ratio | None:
    received = counts.get("feedback_received", 0)
    return (max(received - counts["feedback_bad"], 0), received) if received else None


_NOT_PUBLISHED = "Nền tảng chưa lưu quyết định công bố thủ tục và thời hạn công khai"
INDICATORS: list[Indicator] = [
    Indicator("1.1", "transparency", "Thủ tục hành chính được công bố đúng hạn",
              "TTHC công bố đúng hạn ÷ TTHC công bố trong kỳ", 6, not_measured=_NOT_PUBLISHED),
    Indicator("1.2", "transparency", "Thủ tục được cập nhật, công khai đúng hạn trên Cơ sở dữ liệu quốc gia",
              "TTHC công khai đúng hạn ÷ TTHC phải công khai", 4, not_measured=_NOT_PUBLISHED),
    Indicator("1.3", "transparency", "Thủ tục công khai đầy đủ các bộ phận cấu thành",
              "TTHC có đủ căn cứ pháp lý, thành phần hồ sơ, thời hạn, phí, cơ quan, kết quả, biểu mẫu ÷ TTHC "
              "đã công khai", 2, measure=_ratio("complete_procedures", "procedures")),
    Indicator("1.4", "transparency", "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia",
              "Hồ sơ đồng bộ ÷ hồ sơ tiếp nhận", 6, measure=_ratio("synced_to_portal", "received"),
              not_measured="Chưa kết nối đồng bộ hồ sơ với Cổng Dịch vụ công quốc gia"),
    Indicator("2.1", "progress", "Hồ sơ được giải quyết đúng hạn, đang giải quyết trong hạn",
              "(Đã giải quyết trước hạn và đúng hạn + đang giải quyết trong hạn) ÷ hồ sơ đã và đang giải quyết "
              "trong kỳ", 20, measure=_on_time),
    Indicator("3.1", "online", "Thủ tục cung cấp dịch vụ công trực tuyến (một phần hoặc toàn trình)",
              "TTHC có dịch vụ công trực tuyến ÷ TTHC thuộc thẩm quyền; đủ điểm khi ≥ 80%", 6, target=0.8,
              measure=_ratio("online_procedures", "procedures")),
    Indicator("3.3", "online", "Hồ sơ nộp trực tuyến",
              "Hồ sơ tiếp nhận trực tuyến ÷ hồ sơ tiếp nhận; đủ điểm khi ≥ 50%", 6, target=0.5,
              measure=_ratio("received_online", "received")),
    Indicator("3.5", "payment", "Thủ tục có phí, lệ phí cho phép thanh toán trực tuyến",
              "TTHC có phí cho phép thanh toán trực tuyến ÷ TTHC có phí; đủ điểm khi ≥ 80%", 2, target=0.8,
              measure=_ratio("payable_procedures", "fee_procedures")),
    Indicator("3.5b", "payment", "Thủ tục có giao dịch thanh toán trực tuyến",
              "TTHC có ít nhất một giao dịch thanh toán trực tuyến trong kỳ ÷ TTHC có phí", 2,
              measure=_ratio("procedures_paid_online", "fee_procedures")),
    Indicator("3.6", "payment", "Hồ sơ thanh toán trực tuyến",
              "Hồ sơ đã thanh toán trực tuyến ÷ hồ sơ có nghĩa vụ tài chính", 6,
              measure=_ratio("dossiers_paid_online", "dossiers_with_fees")),
    Indicator("4.1", "digitisation", "Hồ sơ có kết quả điện tử",
              "Hồ sơ có kết quả điện tử ký số ÷ hồ sơ đã giải quyết", 6,
              measure=_ratio("electronic_results", "processed")),
    Indicator("4.2", "digitisation", "Hồ sơ được số hóa thành phần và kết quả",
              "Hồ sơ có thành phần điện tử và kết quả điện tử ÷ hồ sơ đã giải quyết; đủ điểm khi ≥ 80%", 4,
              target=0.8, measure=_ratio("digitised", "processed")),
    Indicator("4.2b", "digitisation", "Chứng thực bản sao điện tử từ bản chính",
              "Bản sao điện tử được chứng thực (ký số) ÷ hồ sơ chứng thực bản sao đã giải quyết", 2,
              measure=_ratio("certified_copies", "copy_requests")),
    Indicator("4.3", "digitisation", "Hồ sơ tái sử dụng dữ liệu đã số hóa",
              "Hồ sơ dùng lại giấy tờ trong kho dữ liệu ÷ hồ sơ tiếp nhận; đủ điểm khi ≥ 80%", 2, target=0.8,
              measure=_ratio("reused", "received")),
    Indicator("4.4", "digitisation", "Hồ sơ kết nối với kho dữ liệu cá nhân",
              "Hồ sơ có kết quả lưu vào kho dữ liệu của người dân ÷ hồ sơ đã giải quyết", 4,
              measure=_ratio("stored_results", "processed")),
    Indicator("4.5", "digitisation", "Hồ sơ sử dụng Cơ sở dữ liệu quốc gia về dân cư",
              "Hồ sơ có người nộp xác thực từ CSDL dân cư ÷ hồ sơ tiếp nhận", 2,
              measure=_ratio("received_from_registry", "received")),
    Indicator("4.5b", "digitisation", "Thủ tục kết nối Cơ sở dữ liệu dân cư",
              "TTHC có biểu mẫu điền sẵn từ CSDL dân cư ÷ TTHC thuộc thẩm quyền", 2,
              measure=_ratio("registry_procedures", "procedures")),
    Indicator("5.2", "satisfaction", "Phản ánh, kiến nghị được xử lý đúng hạn",
              "PAKN xử lý đúng hạn ÷ PAKN tiếp nhận", 6, measure=_feedback_on_time),
    Indicator("5.3", "satisfaction", "Phản ánh, kiến nghị được người dân hài lòng",
              "(PAKN − PAKN không hài lòng, quá hạn) ÷ PAKN", 6, measure=_feedback_not_bad),
    Indicator("5.4", "satisfaction", "Hồ sơ không quá hạn và không bị đánh giá không hài lòng",
              "100% − (tỷ lệ hồ sơ quá hạn + tỷ lệ hồ sơ bị đánh giá không hài lòng); đủ điểm khi ≥ 90%", 6,
              target=0.9, measure=_not_late_nor_disliked),
]


# ------------------------------------------------------------------------------------------------ facts


def _complete(procedure: Procedure) -> bool:
    version = procedure.current_version
    return bool(version and version.legal_basis and version.documents and version.processing_unit
                and procedure.result and procedure.agency_text and version.form and version.total_fee is not None)


def _in_competence(procedure: Procedure, agency: Agency | None) -> bool:
    """Whether ``agency`` answers for ``procedure`` (the city's scorecard, ``agency`` None, answers for all)."""
    return agency is None or is_competent(agency, levels=procedure.levels, department_id=procedure.department_id)


def _procedure_facts(agency: Agency | None, catalogue: list[Procedure], paid_codes: set[str]) -> Counts:
    mine = [p for p in catalogue if _in_competence(p, agency)]
    online = [p for p in mine if p.online_level != OnlineLevel.NONE]
    with_fees = [p for p in mine if p.current_version and (p.current_version.total_fee or 0) > 0]
    return {
        "procedures": len(mine),
        "complete_procedures": sum(_complete(p) for p in mine),
        "online_procedures": len(online),
        "fee_procedures": len(with_fees),
        # every fee of a procedure offered online can be paid through the platform's gateway
        "payable_procedures": sum(p.online_level != OnlineLevel.NONE for p in with_fees),
        "procedures_paid_online": sum(p.code in paid_codes for p in with_fees),
        "registry_procedures": sum(any(f.get("prefill") for f in p.current_version.form) for p in online
                                   if p.current_version),
    }


def _catalogue() -> list[Procedure]:
    """The active procedures, each with its version in force, in two queries."""
    current: dict[int, ProcedureVersion] = {}
    for version in ProcedureVersion.objects.in_force(timezone.localdate()).order_by("procedure_id", "number"):
        current[version.procedure_id] = version  # the highest number wins, as in procedures.version_in_force
    procedures = list(Procedure.objects.filter(is_active=True))
    for procedure in procedures:
        procedure.current_version = current.get(procedure.pk)
    return procedures


def _dossier_facts(start: dt.datetime, end: dt.datetime, group: str) -> dict[str, Counts]:
    """Per agency (or for the city): the figures of the on-time statistics plus the digitisation and payment
    counts, in two grouped queries."""
    rows = {row["key"]: row for row in stats.compute(start, end, group=group)}
    key = stats.GROUPS[group][0]
    received = Q(received_at__gte=start, received_at__lt=end)
    finished = Q(finished_at__gte=start, finished_at__lt=end)
    extra = (
        Dossier.objects.filter(received | finished)
        .annotate(has_files=Exists(DossierFile.objects.filter(dossier=OuterRef("pk"))))
        .values(key).annotate(
            electronic_results=Count("id", filter=finished & Q(result_signed=True)),
            digitised=Count("id", filter=finished & Q(result_signed=True, has_files=True)),
            stored_results=Count("id", filter=finished & Q(result_stored=True)),
            reused=Count("id", filter=received & Q(reused_documents__gt=0)),
            received_from_registry=Count("id", filter=received & Q(applicant__isnull=False)),
            dossiers_with_fees=Count("id", filter=received & Q(fee_due__gt=0)),
            dossiers_paid_online=Count("id", filter=received & Q(fee_due__gt=0, paid_online=True)),
            copy_requests=Count("id", filter=finished & Q(procedure__code=CERTIFIED_COPY)),
            certified_copies=Count("id", filter=finished & Q(procedure__code=CERTIFIED_COPY, result_signed=True)),
        )
    )
    for row in rows.values():  # an agency with only carried-over dossiers has none of these in the period
        row.update(dict.fromkeys(_EXTRA, 0))
    for item in extra:
        row = rows.get(item.pop(key))
        if row is not None:
            row.update(item)
    for row in rows.values():
        row["dissatisfied"] = row["evaluated"] - row["satisfied"]
    synced = _national_sync(start, end, key)
    for group_key, row in rows.items():
        if synced is None:
            row["unmeasured"] = {"1.4"}
        else:
            row["synced_to_portal"] = synced.get(group_key, 0)
    return rows


def _national_sync(start: dt.datetime, end: dt.datetime, key: str) -> dict[str, int] | None:
    """Dossiers received in [start, end) that the national portal has, per group key, from the connector that
    SCORECARD_NATIONAL_SYNC names (``interop``'s, which sits above dossiers: named by its dotted path, never
    imported). None — no connector, or it is not connected — leaves indicator 1.4 "not measured"."""
    if not settings.SCORECARD_NATIONAL_SYNC:
        return None
    return import_string(settings.SCORECARD_NATIONAL_SYNC)(start=start, end=end, key=key)


_EXTRA = ("electronic_results", "digitised", "stored_results", "reused", "received_from_registry",
          "dossiers_with_fees", "dossiers_paid_online", "copy_requests", "certified_copies")


def _paid_procedure_codes(start: dt.datetime, end: dt.datetime, group: str) -> dict[str, set[str]]:
    key = stats.GROUPS[group][0]
    paid: dict[str, set[str]] = {}
    for group_key, code in (Dossier.objects.filter(paid_online=True, received_at__gte=start, received_at__lt=end)
                            .values_list(key, "procedure__code").distinct()):
        paid.setdefault(group_key, set()).add(code)
    return paid


# ------------------------------------------------------------------------------------------------ scoring


def published(start: dt.datetime, end: dt.datetime, *, group: str = "agency", fresh: bool = False
              ) -> list[dict[str, Any]]:
    """``compute`` for the public page and API, computed at most once every ``STATISTICS_CACHE_SECONDS``."""
    return stats.cached("scorecard", start, end, group, lambda: compute(start, end, group=group), fresh=fresh)


def compute(start: dt.datetime, end: dt.datetime, *, group: str = "agency") -> list[dict[str, Any]]:
    """One scorecard per agency with dossiers in [start, end) (``group="agency"``) or one for the city."""
    if group not in ("agency", "city"):
        raise ValueError(group)
    catalogue = _catalogue()
    facts = _dossier_facts(start, end, group)
    paid = _paid_procedure_codes(start, end, group)
    agencies = {a.code: a for a in Agency.objects.filter(code__in=list(facts))} if group == "agency" else {}
    cards = []
    # Citizen feedback (indicators 5.2, 5.3) comes from the feedback app, a sibling this module may not import:
    # through the provider it registers at start (smartcity.lib.indicators); without one they stay unmeasured.
    feedback = indicators.provider("feedback")
    feedback_facts = feedback(start, end, group) if feedback is not None else {}
    for key, counts in facts.items():
        counts.update(_procedure_facts(agencies.get(key), catalogue, paid.get(key, set())))
        counts.update(feedback_facts.get(key, {}))
        cards.append(score(key, counts["name"], counts))
    return cards


def score(key: str, name: str, counts: Counts) -> dict[str, Any]:
    indicators, groups = [], {g: {"name": label, "max": top, "score": 0.0, "measured_max": 0.0}
                              for g, (label, top) in GROUPS.items()}
    for indicator in INDICATORS:
        unmeasured = indicator.measure is None or indicator.code in counts.get("unmeasured", ())
        ratio = indicator.measure(counts) if indicator.measure and not unmeasured else None
        item = {"code": indicator.code, "group": indicator.group, "name": indicator.name,
                "formula": indicator.formula, "points": indicator.points, "target": indicator.target,
                "numerator": None, "denominator": None, "rate": None, "score": None,
                "not_measured": indicator.not_measured if unmeasured else ""}
        if ratio is not None:
            numerator, denominator = ratio
            rate = numerator / denominator
            item.update(numerator=numerator, denominator=denominator, rate=round(rate, 4),
                        score=indicator.score(rate))
            groups[indicator.group]["score"] += item["score"]
            groups[indicator.group]["measured_max"] += indicator.points
        elif not unmeasured:
            item["not_measured"] = "Không có hồ sơ hoặc thủ tục để tính trong kỳ"
        indicators.append(item)
    total = round(sum(g["score"] for g in groups.values()), 2)
    measured = sum(g["measured_max"] for g in groups.values())
    for g in groups.values():
        g["score"] = round(g["score"], 2)
    return {"key": key, "name": name, "indicators": indicators, "groups": groups, "total": total,
            "measured_max": measured, "of_100": round(100 * total / measured, 1) if measured else None}
