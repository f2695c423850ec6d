"""Admission use cases: a family applies for its own child, the department records scores, runs the allocation,
publishes, and families appeal. Every write is one function, one transaction, checked and audited.

Who the parent's children are: the population registry has no parent–child link, only households
(``Citizen.household`` and ``relation_to_head``). A child of the signed-in citizen is a member of the citizen's
household whose relation to the head is a child's ("Con", "Con đẻ", "Con nuôi"), when the citizen is the head or
the head's spouse. The form offers exactly those children, prefilled from the registry; the API takes the child's
ID number and applies the same check, so nobody can apply for (or read the results of) another family's child.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.education import allocation
from smartcity.education.models import Appeal, Application, Choice, Grade, Quota, Round, School
from smartcity.lib import formats
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.lib.idnumber import clean_id_number
from smartcity.lib.principal import Principal, is_citizen, is_staff
from smartcity.lib.text import bounded, fold
from smartcity.notifications import services as notifications
from smartcity.population.models import Citizen

DEPARTMENT = "Sở Giáo dục và Đào tạo"
DEPARTMENT_ROLES = ("specialist", "leader", "agency_admin")
_PARENT_RELATIONS = {"chu ho", "vo", "chong"}


# --- who may do what ------------------------------------------------------------------------------------------

def children_of(user: Principal) -> list[Citizen]:
    """The signed-in citizen's children as the registry records them (see the module docstring)."""
    if not is_citizen(user) or user.person_id is None:
        return []
    parent = Citizen.objects.select_related("household").filter(pk=user.person_id).first()
    if parent is None or parent.household is None:
        return []
    is_head = parent.household.head_id == parent.pk or fold(parent.relation_to_head) in _PARENT_RELATIONS
    if not is_head:
        return []
    members = Citizen.objects.filter(household=parent.household).exclude(pk=parent.pk).select_related(
        "permanent_unit")
    return [c for c in members if fold(c.relation_to_head).startswith("con")]


def _department_scope(user: Principal) -> agencies.Scope:
    scope = agencies.scope_of(user, DEPARTMENT_ROLES + ("city_admin",))
    if not any(m.agency.name == DEPARTMENT or m.role == "city_admin" for m in scope.memberships):
        raise Forbidden(_("Chỉ cán bộ Sở Giáo dục và Đào tạo được thực hiện việc này"))
    return scope


def is_department(user: Principal) -> bool:
    try:
        _department_scope(user)
    except Forbidden:
        return False
    return True


def get_round(round_id: int) -> Round:
    found = Round.objects.filter(pk=round_id).first()
    if found is None:
        raise NotFound(_("Không có đợt tuyển sinh này"), field="round")
    return found


def open_rounds(now: dt.datetime | None = None) -> QuerySet[Round]:
    now = now or timezone.now()
    return Round.objects.filter(opens_at__lte=now, closes_at__gt=now, status=Round.Status.OPEN)


def applications_of(user: Principal) -> QuerySet[Application]:
    """A parent's applications (for any of their children, whoever in the household submitted them)."""
    ids = [c.pk for c in children_of(user)]
    return (Application.objects.filter(child_id__in=ids).select_related("round", "child", "school")
            .prefetch_related("choices__school").order_by("-round__school_year", "round__grade"))


def get_application_for(user: Principal, code: str) -> Application:
    """One application, for its family or the department; the same 404 for anybody else."""
    app = (Application.objects.select_related("round", "child", "school").prefetch_related("choices__school")
           .filter(code=code).first())
    allowed = app is not None and (app.child_id in {c.pk for c in children_of(user)} or is_department(user))
    if not allowed:
        raise NotFound(_("Không tìm thấy hồ sơ tuyển sinh"), field="code")
    assert app is not None
    audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type="education.application",
                 subject_id=app.pk, person_id=app.child_id, purpose="Xem hồ sơ tuyển sinh")
    return app


# --- applying -------------------------------------------------------------------------------------------------

def _birth_year_for(rnd: Round) -> int:
    """The usual birth year for the grade: a child enters grade 1 in the year they turn 6 (Circular 28/2020)."""
    return int(rnd.school_year[:4]) - (rnd.grade + 5)


def eligible_children(rnd: Round, children: list[Citizen]) -> list[Citizen]:
    """The children of the right age for the round's grade (what the form offers)."""
    return [c for c in children if c.date_of_birth.year == _birth_year_for(rnd)]


@transaction.atomic
def submit_application(*, user: Principal, round_id: int, child_id_number: str, choices: list[str],
                       now: dt.datetime | None = None) -> Application:
    """Apply (or change the choices) for one's own child while the round is open; all or nothing."""
    now = now or timezone.now()
    if not is_citizen(user):
        raise Forbidden(_("Chỉ phụ huynh đăng nhập bằng tài khoản công dân được nộp hồ sơ"))
    # The round is read, not locked: 100,000 families apply in a few days and one row lock would queue them all.
    # Each child's application row is what is locked; the allocation runs only after the window has closed.
    rnd = Round.objects.filter(pk=round_id).first()
    if rnd is None:
        raise NotFound(_("Không có đợt tuyển sinh này"), field="round")
    if rnd.status != Round.Status.OPEN or not (rnd.opens_at <= now < rnd.closes_at):
        raise Conflict(_("Đợt tuyển sinh không nhận hồ sơ lúc này: hồ sơ đã khóa"), field="round")
    number = clean_id_number(bounded(child_id_number, field="child", what="Số định danh"))
    child = next((c for c in children_of(user) if c.id_number == number), None)
    if child is None:
        raise NotFound(_("Học sinh này không có trong hộ của bạn theo cơ sở dữ liệu dân cư"), field="child")
    if child.date_of_birth.year != _birth_year_for(rnd):
        raise Invalid(_("Học sinh không đúng độ tuổi vào lớp %(grade)s năm học này") % {"grade": rnd.grade},
                      field="child")
    codes = [bounded(c, field="choices", limit=20, what="Mã trường") for c in choices if (c or "").strip()]
    if not codes:
        raise Invalid(_("Chọn ít nhất một trường"), field="choices")
    if len(codes) > rnd.max_choices:
        raise Invalid(_("Chỉ được đăng ký tối đa %(n)s nguyện vọng") % {"n": rnd.max_choices}, field="choices")
    if len(set(codes)) != len(codes):
        raise Invalid(_("Mỗi trường chỉ được chọn một lần"), field="choices")
    quotas = {q.school.code: q.school for q in Quota.objects.filter(round=rnd, school__code__in=codes)
              .select_related("school")}
    outside = [c for c in codes if c not in quotas]
    if outside:
        raise Invalid(_("Trường %(code)s không tuyển sinh trong đợt này") % {"code": outside[0]}, field="choices")
    if rnd.kind == Round.Kind.RESIDENCE:
        units = {child.permanent_unit_id, child.temporary_unit_id} - {None}
        for code in codes:
            if not quotas[code].serves.filter(pk__in=units).exists():
                raise Invalid(_("Trường %(code)s không tuyển sinh nơi cư trú của học sinh") % {"code": code},
                              field="choices")
    app = Application.objects.select_for_update().filter(round=rnd, child=child).first()
    created = app is None
    if app is None:
        try:
            with transaction.atomic():  # the other parent applying for the same child at the same moment
                app = Application.objects.create(
                    code=f"TS{rnd.school_year[2:4]}{rnd.grade:02d}-{secrets.token_hex(4)}", round=rnd, child=child,
                    parent=user, lottery=secrets.randbelow(10**9))  # type: ignore[misc]
        except IntegrityError:
            raise Conflict(_("Hồ sơ của học sinh này vừa được nộp: tải lại trang để xem"), field="child") from None
    else:
        app.choices.all().delete()
        app.parent = user  # type: ignore[assignment]
        app.save(update_fields=["parent", "updated_at"])
    Choice.objects.bulk_create([Choice(application=app, rank=r, school=quotas[c]) for r, c in enumerate(codes, 1)])
    audit.record(actor=agencies.actor_for(user), action=Action.CREATE if created else Action.UPDATE,
                 subject_type="education.application", subject_id=app.pk, person_id=child.pk,
                 detail={"choices": codes})
    return app


# --- scores and allocation (department) -----------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreRow:
    code: str  # the application's code
    scores: dict[str, str]  # subject code -> score as typed ("7.75")
    priority_points: str = "0"


def _points(text: str, *, field: str, top: Decimal) -> int:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(_("Điểm không hợp lệ: %(v)s") % {"v": text}, field=field) from None
    if not value.is_finite() or value < 0 or value > top:
        raise Invalid(_("Điểm %(v)s ngoài khoảng 0–%(top)s") % {"v": text, "top": formats.number(top, 2, trim=True)},
                      field=field)
    if (value * 4) % 1:
        raise Invalid(_("Điểm phải là bội của 0,25: %(v)s") % {"v": text}, field=field)
    return int(value * 100)


@transaction.atomic
def record_scores(*, actor: Principal, round_id: int, rows: Iterable[ScoreRow]) -> int:
    """The exam board's scores for a round: every row checked before any is stored (nothing partial)."""
    scope = _department_scope(actor)
    rnd = get_round(round_id)
    if rnd.status == Round.Status.PUBLISHED:
        raise Conflict(_("Kết quả đã công bố: không sửa điểm được nữa"), field="round")
    subjects = {s["code"]: Decimal(str(s["coefficient"])) for s in rnd.subjects}
    rows = list(rows)
    apps = {a.code: a for a in Application.objects.filter(round=rnd, code__in=[r.code for r in rows])}
    seen: set[str] = set()
    for n, row in enumerate(rows):
        if row.code not in apps:
            raise Invalid(_("Dòng %(n)s: không có hồ sơ %(code)s trong đợt này") % {"n": n + 1, "code": row.code},
                          field="rows")
        if row.code in seen:
            raise Invalid(_("Dòng %(n)s: hồ sơ %(code)s lặp lại") % {"n": n + 1, "code": row.code}, field="rows")
        seen.add(row.code)
        if set(row.scores) != set(subjects):
            raise Invalid(_("Dòng %(n)s: cần đủ điểm các môn %(s)s") % {"n": n + 1, "s": ", ".join(subjects)},
                          field="rows")
        app = apps[row.code]
        app.scores = {k: _points(v, field="rows", top=rnd.max_subject_score) for k, v in row.scores.items()}
        app.priority_points = _points(row.priority_points, field="rows", top=rnd.max_priority_points)
        app.composite = int(sum(Decimal(app.scores[k]) * c for k, c in subjects.items())) + app.priority_points
    Application.objects.bulk_update(apps.values(), ["scores", "priority_points", "composite"], batch_size=2000)
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.UPDATE, subject_type="education.round",
                 subject_id=rnd.pk, detail={"scores_recorded": len(rows)})
    return len(rows)


def _instance(rnd: Round) -> tuple[allocation.Instance, list[Application], list[Quota]]:
    quotas = list(Quota.objects.filter(round=rnd).select_related("school").order_by("school__code"))
    index = {q.school_id: i for i, q in enumerate(quotas)}
    apps = list(Application.objects.filter(round=rnd).prefetch_related("choices").order_by("pk"))
    if rnd.kind == Round.Kind.RESIDENCE:
        scores = [a.priority_points for a in apps]
    else:
        scores = [a.composite if a.composite is not None else -1 for a in apps]  # absent: ranks last, never placed
    prefs = np.full((len(apps), max(rnd.max_choices, 1)), -1, dtype=np.int64)
    for i, a in enumerate(apps):
        for c in a.choices.all():
            if c.rank <= rnd.max_choices and (rnd.kind == Round.Kind.RESIDENCE or a.composite is not None):
                prefs[i, c.rank - 1] = index[c.school_id]
    # Published tie-break: more priority points, then the smaller lottery number.
    tb_order = np.lexsort((np.array([a.lottery for a in apps], dtype=np.int64),
                           -np.array([a.priority_points for a in apps], dtype=np.int64)))
    tiebreak = np.empty(len(apps), dtype=np.int64)
    tiebreak[tb_order] = np.arange(len(apps))
    inst = allocation.Instance(scores=np.array(scores, dtype=np.int64).reshape(-1), tiebreak=tiebreak, prefs=prefs,
                               quotas=np.array([q.seats for q in quotas], dtype=np.int64))
    return inst, apps, quotas


def _run(rnd: Round, inst: allocation.Instance, rule: str) -> allocation.Result:
    if rule == Round.Rule.PREFERENCE_FIRST:
        return allocation.preference_first(inst, margin=int(rnd.margin * 100))
    return allocation.deferred_acceptance(inst)


@transaction.atomic
def run_allocation(*, actor: Principal, round_id: int, now: dt.datetime | None = None) -> dict[str, object]:
    """Allocate a closed round by its rule; also run the other rule and store, per school, how many applicants
    the two place differently. Re-running before publication replaces the previous run."""
    scope = _department_scope(actor)
    now = now or timezone.now()
    rnd = Round.objects.select_for_update().filter(pk=round_id).first()
    if rnd is None:
        raise NotFound(_("Không có đợt tuyển sinh này"), field="round")
    if rnd.status == Round.Status.PUBLISHED:
        raise Conflict(_("Kết quả đã công bố"), field="round")
    if now < rnd.closes_at:
        raise Conflict(_("Chưa hết hạn nhận hồ sơ: chưa xét tuyển được"), field="round")
    inst, apps, quotas = _instance(rnd)
    result = _run(rnd, inst, rnd.rule)
    other = _run(rnd, inst, Round.Rule.PREFERENCE_FIRST if rnd.rule == Round.Rule.DEFERRED_ACCEPTANCE
                 else Round.Rule.DEFERRED_ACCEPTANCE)
    differs = allocation.differences(result, other, len(quotas)).tolist()
    counts = np.bincount(result.school[result.school >= 0], minlength=len(quotas)).tolist()
    for j, q in enumerate(quotas):
        q.admitted, q.cutoff, q.differs = counts[j], result.cutoff[j], differs[j]
    Quota.objects.bulk_update(quotas, ["admitted", "cutoff", "differs"])
    for i, a in enumerate(apps):
        s = int(result.school[i])
        a.school_id = quotas[s].school_id if s >= 0 else None
        a.admitted_choice = int(result.choice[i]) + 1 if s >= 0 else None
        a.status = Application.Status.ADMITTED if s >= 0 else Application.Status.NOT_ADMITTED
        a.explanation = [{"choice": r.choice + 1, "school": quotas[r.school].school_id, "reason": r.reason,
                          "cutoff": r.cutoff, "score": r.score} for r in allocation.explain(inst, result, i)]
        if rnd.kind == Round.Kind.EXAM and a.composite is None:
            a.explanation = [{"reason": "no_scores"}]
    Application.objects.bulk_update(apps, ["school", "admitted_choice", "status", "explanation"], batch_size=2000)
    stats = allocation.statistics(inst, result) | {"rule": rnd.rule,
                                                   "differ_from_other_rule": int((result.school != other.school)
                                                                                 .sum())}
    rnd.statistics = stats
    rnd.status = Round.Status.ALLOCATED
    rnd.save(update_fields=["statistics", "status"])
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.STATE, subject_type="education.round",
                 subject_id=rnd.pk, detail={"allocated": stats["placed"]})
    return stats


@transaction.atomic
def publish_results(*, actor: Principal, round_id: int, appeal_days: int = 7,
                    now: dt.datetime | None = None) -> Round:
    """Publish an allocated round: families see their results and may appeal until the deadline; each family is
    notified after commit."""
    scope = _department_scope(actor)
    now = now or timezone.now()
    rnd = Round.objects.select_for_update().filter(pk=round_id).first()
    if rnd is None:
        raise NotFound(_("Không có đợt tuyển sinh này"), field="round")
    if rnd.status != Round.Status.ALLOCATED:
        raise Conflict(_("Chỉ công bố được đợt đã xét tuyển và chưa công bố"), field="round")
    if not 1 <= appeal_days <= 30:
        raise Invalid(_("Thời hạn phúc khảo từ 1 đến 30 ngày"), field="appeal_days")
    rnd.status, rnd.published_at = Round.Status.PUBLISHED, now
    rnd.appeal_deadline = now + dt.timedelta(days=appeal_days)
    rnd.save(update_fields=["status", "published_at", "appeal_deadline"])
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.STATE, subject_type="education.round",
                 subject_id=rnd.pk, detail={"published": True})
    transaction.on_commit(lambda: _notify_results(rnd.pk))
    return rnd


def _notify_results(round_id: int) -> None:
    rnd = Round.objects.get(pk=round_id)
    for app in Application.objects.filter(round=rnd).select_related("parent__person", "child").iterator():
        person = getattr(app.parent, "person", None)
        notifications.notify_person(
            person_id=getattr(person, "pk", None), email=getattr(person, "email", ""), phone=getattr(person, "phone", ""),
            subject=_("Kết quả tuyển sinh: %(name)s") % {"name": rnd.name},
            body=_("Đã có kết quả tuyển sinh của %(child)s (hồ sơ %(code)s). Xem tại /tuyen-sinh/.")
            % {"child": app.child.full_name, "code": app.code})


@transaction.atomic
def file_appeal(*, user: Principal, code: str, reason: str, now: dt.datetime | None = None) -> Appeal:
    now = now or timezone.now()
    app = get_application_for(user, code)
    if app.child_id not in {c.pk for c in children_of(user)}:
        raise Forbidden(_("Chỉ gia đình học sinh được gửi đơn phúc khảo"))
    rnd = app.round
    if rnd.status != Round.Status.PUBLISHED or rnd.appeal_deadline is None or now > rnd.appeal_deadline:
        raise Conflict(_("Ngoài thời hạn phúc khảo"), field="code")
    text = " ".join(bounded(reason, field="reason", limit=2000, what="Nội dung").split())
    if len(text) < 10:
        raise Invalid(_("Nêu rõ nội dung phúc khảo (ít nhất 10 ký tự)"), field="reason")
    appeal = Appeal.objects.create(application=app, reason=text)
    audit.record(actor=agencies.actor_for(user), action=Action.CREATE, subject_type="education.appeal",
                 subject_id=appeal.pk, person_id=app.child_id)
    return appeal


# --- reading results ------------------------------------------------------------------------------------------

def explanation_lines(app: Application) -> list[str]:
    """The application's result in words: why each higher choice did not admit the child."""
    if app.round.status != Round.Status.PUBLISHED:
        return []
    names = dict(School.objects.filter(pk__in=[e.get("school") for e in app.explanation]).values_list("pk", "name"))
    lines = []
    for e in app.explanation:
        reason = e.get("reason")
        if reason == "no_scores":
            lines.append(_("Chưa có điểm thi nên không được xét tuyển."))
            continue
        values = {"choice": e["choice"], "school": names.get(e["school"], ""),
                  "cutoff": formats.number(Decimal(e["cutoff"] or 0) / 100, 2),
                  "score": formats.number(Decimal(e["score"]) / 100, 2)}
        if reason == allocation.TIE_BREAK:
            text = _("Không trúng tuyển nguyện vọng %(choice)s (%(school)s): bằng điểm chuẩn %(cutoff)s, "
                     "xếp sau theo quy tắc khi bằng điểm.")
        elif reason == allocation.FILLED_BY_HIGHER_CHOICES:
            text = _("Không trúng tuyển nguyện vọng %(choice)s (%(school)s): trường đã đủ chỉ tiêu từ các "
                     "nguyện vọng trước.")
        elif reason == allocation.BELOW_MARGIN:
            text = _("Không trúng tuyển nguyện vọng %(choice)s (%(school)s): nguyện vọng sau cần %(cutoff)s điểm, "
                     "điểm của bạn %(score)s.")
        else:
            text = _("Không trúng tuyển nguyện vọng %(choice)s (%(school)s): điểm chuẩn %(cutoff)s, "
                     "điểm của bạn %(score)s.")
        lines.append(text % values)
    return lines


def admitted_list(*, user: Principal, round_id: int, school_code: str) -> tuple[School, QuerySet[Application]]:
    """A school's admitted applicants, for that school's staff and the department (audited)."""
    school = School.objects.filter(code=bounded(school_code, field="school", limit=20, what="Mã trường")).first()
    staff_of_school = school is not None and is_staff(user) and school.staff.filter(pk=user.pk).exists()
    if school is None or not (staff_of_school or is_department(user)):
        raise NotFound(_("Không tìm thấy trường"), field="school")
    rnd = get_round(round_id)
    audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type="education.school",
                 subject_id=school.pk, purpose="Danh sách trúng tuyển")
    return school, (Application.objects.filter(round=rnd, school=school).select_related("child")
                    .order_by("-composite", "code"))


def export_rows(*, actor: Principal, round_id: int) -> Iterable[dict[str, object]]:
    """Every application of a round with its result, for the department (audited as an export)."""
    scope = _department_scope(actor)
    rnd = get_round(round_id)
    audit.record(actor=agencies.actor_for(actor, scope), action=Action.EXPORT, subject_type="education.round",
                 subject_id=rnd.pk, purpose="Xuất kết quả tuyển sinh")
    qs = (Application.objects.filter(round=rnd).select_related("child", "school")
          .prefetch_related("choices__school").order_by("code"))
    for a in qs.iterator(chunk_size=2000):
        choices = [c.school.code for c in a.choices.all()]
        yield {"code": a.code, "child": a.child.full_name, "date_of_birth": formats.date(a.child.date_of_birth),
               "choices": " > ".join(choices),
               "composite": formats.number(Decimal(a.composite) / 100, 2) if a.composite is not None else "",
               "status": a.get_status_display(), "school": a.school.code if a.school else "",
               "admitted_choice": a.admitted_choice or ""}


# --- school records: the gradebook and what the family reads of it ---------------------------------------------

@transaction.atomic
def record_grade(*, actor: Principal, school_code: str, pupil_id_number: str, school_year: str, term: int,
                 subject: str, score: str) -> Grade:
    """A teacher or the school's office enters a mark for a pupil admitted to (or enrolled at) their school."""
    school = School.objects.filter(code=bounded(school_code, field="school", limit=20, what="Mã trường")).first()
    if school is None or not (is_staff(actor) and school.staff.filter(pk=actor.pk).exists()):
        raise Forbidden(_("Chỉ cán bộ của trường được nhập điểm"))
    number = clean_id_number(bounded(pupil_id_number, field="pupil", what="Số định danh"))
    pupil = Citizen.objects.filter(id_number=number).first()
    if pupil is None or not Application.objects.filter(child=pupil, school=school,
                                                       round__status=Round.Status.PUBLISHED).exists():
        raise NotFound(_("Học sinh không thuộc trường"), field="pupil")
    if term not in (1, 2):
        raise Invalid(_("Học kỳ là 1 hoặc 2"), field="term")
    subject = " ".join(bounded(subject, field="subject", limit=60, what="Môn").split())
    if not subject:
        raise Invalid(_("Nhập tên môn"), field="subject")
    year = bounded(school_year, field="school_year", limit=9, what="Năm học")
    if len(year) != 9 or not (year[:4].isdigit() and year[5:].isdigit()) or int(year[5:]) != int(year[:4]) + 1:
        raise Invalid(_("Năm học có dạng 2026-2027"), field="school_year")
    points = _points(score, field="score", top=Decimal(10))
    grade = Grade.objects.create(school=school, pupil=pupil, school_year=year, term=term, subject=subject,
                                 score=points, recorded_by=actor)  # type: ignore[misc]
    audit.record(actor=agencies.actor_for(actor), action=Action.CREATE, subject_type="education.grade",
                 subject_id=grade.pk, person_id=pupil.pk)
    return grade


def grades_of(*, user: Principal, child_id_number: str) -> tuple[Citizen, QuerySet[Grade]]:
    """A child's marks, for the child's own family only (anyone else: the same 404 as an unknown number)."""
    number = clean_id_number(bounded(child_id_number, field="child", what="Số định danh"))
    child = next((c for c in children_of(user) if c.id_number == number), None)
    if child is None:
        raise NotFound(_("Học sinh này không có trong hộ của bạn theo cơ sở dữ liệu dân cư"), field="child")
    audit.record(actor=agencies.actor_for(user), action=Action.READ, subject_type="education.grade",
                 person_id=child.pk, purpose="Phụ huynh xem sổ liên lạc")
    return child, Grade.objects.filter(pupil=child).select_related("school")
