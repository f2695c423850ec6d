"""The admission demo: Hà Nội high schools, a published grade-10 round (2026–2027) with 240 applicants and its
cut-offs, and the open 2027–2028 round An's son can apply to; a department specialist and a school's staff member.

An's household: An (head), his daughter Nguyễn Thị Mai (born 2011: in the published round, with the
explanation of any choice she missed) and his son Nguyễn Văn Khôi (born 2012: the open round's form offers him).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from smartcity.agencies import services as agencies
from smartcity.demo.accounts import STAFF_PASSWORD, TOTP_SECRETS
from smartcity.demo.people import hanoi_commune
from smartcity.education import services as education
from smartcity.education.models import Application, Choice, Quota, Round, School
from smartcity.identity import services as identity
from smartcity.identity.models import User
from smartcity.population.models import Citizen, Household

SCHOOLS = (  # code, name, ward, seats in the demo round
    ("THPT-PDP", "THPT Phan Đình Phùng", "Phường Ba Đình", 40),
    ("THPT-PHT", "THPT Phạm Hồng Thái", "Phường Ba Đình", 45),
    ("THPT-NTH", "THPT Nguyễn Trãi - Ba Đình", "Phường Ba Đình", 45),
    ("THPT-VD", "THPT Việt Đức", "Phường Hoàn Kiếm", 35),
    ("THPT-TP", "THPT Trần Phú - Hoàn Kiếm", "Phường Hoàn Kiếm", 45),
)
SUBJECTS = [{"code": "toan", "name": "Toán", "coefficient": 2}, {"code": "van", "name": "Ngữ văn", "coefficient": 2},
            {"code": "anh", "name": "Tiếng Anh", "coefficient": 1}]
APPLICANTS = 240


def _staff(username: str, full_name: str) -> User:
    last, first = full_name.rsplit(" ", 1)
    user, created = User.objects.get_or_create(
        username=username, defaults=dict(kind=User.Kind.STAFF, is_staff=True, first_name=first, last_name=last))
    if created:
        user.set_password(STAFF_PASSWORD)
        user.save(update_fields=["password"])
    if username in TOTP_SECRETS:
        identity.set_staff_totp(user, TOTP_SECRETS[username])
    return user


def _household(an: Citizen) -> tuple[Citizen, Citizen]:
    household = an.household or Household.objects.create(code="HN-BD-DEMO-01", unit=an.permanent_unit, head=an)
    an.household, an.relation_to_head = household, "Chủ hộ"
    an.save(update_fields=["household", "relation_to_head"])
    kids = []
    for number, name, dob, sex in (("001311004567", "Nguyễn Thị Mai", dt.date(2011, 8, 14), "F"),
                                   ("001212007654", "Nguyễn Văn Khôi", dt.date(2012, 2, 3), "M")):
        kid, _ = Citizen.objects.update_or_create(
            id_number=number, defaults=dict(full_name=name, date_of_birth=dob, sex=sex, household=household,
                                            relation_to_head="Con", permanent_unit=an.permanent_unit,
                                            permanent_address=an.permanent_address))
        kids.append(kid)
    return kids[0], kids[1]


def load_admission(out: Callable[[str], object] = print) -> None:
    """Idempotent: does nothing once the published round exists."""
    if Round.objects.filter(school_year="2026-2027", grade=10).exists():
        return
    now = timezone.now()
    rng = random.Random(2026)
    with transaction.atomic():
        specialist = _staff("specialist.sgd", "Đặng Thu Hà")
        agencies.add_membership(user=specialist, agency=agencies.department(education.DEPARTMENT),
                                role="specialist", title="Chuyên viên phòng Quản lý thi")
        schools = []
        for code, name, ward, _seats in SCHOOLS:
            unit = hanoi_commune(ward)
            school, _ = School.objects.get_or_create(code=code, defaults=dict(name=name, unit=unit))
            school.serves.add(unit)
            schools.append(school)
        schools[0].staff.add(_staff("giaovu.pdp", "Bùi Văn Nam"))
        an = Citizen.objects.get(id_number="001090012345")
        mai, _khoi = _household(an)
        an_user = User.objects.filter(person=an).first()
        past = Round.objects.create(
            school_year="2026-2027", grade=10, kind=Round.Kind.EXAM, name="Tuyển sinh lớp 10 năm học 2026–2027",
            opens_at=now - dt.timedelta(days=200), closes_at=now - dt.timedelta(days=190), subjects=SUBJECTS)
        for school, (_c, _n, _w, seats) in zip(schools, SCHOOLS, strict=True):
            Quota.objects.create(round=past, school=school, seats=seats)
        wards = [hanoi_commune("Phường Ba Đình"), hanoi_commune("Phường Hoàn Kiếm")]
        children = [mai] + [Citizen.objects.create(
            id_number=f"0013110{n:05d}", full_name=f"{rng.choice(['Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ'])} "
            f"{rng.choice(['Minh', 'Thu', 'Gia', 'Bảo', 'Khánh'])} {rng.choice(['Anh', 'Hà', 'Long', 'Ngọc', 'Sơn'])}",
            date_of_birth=dt.date(2011, 1 + n % 12, 1 + n % 28), sex="F", permanent_unit=rng.choice(wards))
            for n in range(1, APPLICANTS)]
        weights = [5, 2, 2, 4, 1]
        rows = []
        for n, child in enumerate(children):
            app = Application.objects.create(code=f"TS2610-D{n:05d}", round=past, child=child,
                                             parent=an_user if child == mai else None, lottery=rng.randrange(10**9))
            picks = (["THPT-PDP", "THPT-VD", "THPT-PHT"] if child == mai else
                     list(dict.fromkeys(rng.choices([s[0] for s in SCHOOLS], weights=weights, k=3))))
            by_code = {s.code: s for s in schools}
            Choice.objects.bulk_create([Choice(application=app, rank=r, school=by_code[c])
                                        for r, c in enumerate(picks, 1)])
            marks = ({"toan": "7", "van": "7", "anh": "7.5"} if child == mai else
                     {k: str(rng.randint(16, 40) / 4) for k in ("toan", "van", "anh")})
            bonus = str(rng.choice([0, 0, 0, 0.5, 1]))
            rows.append(education.ScoreRow(app.code, marks, "0" if child == mai else bonus))
        education.record_scores(actor=specialist, round_id=past.pk, rows=rows)
        education.run_allocation(actor=specialist, round_id=past.pk, now=now)
        education.publish_results(actor=specialist, round_id=past.pk, appeal_days=30, now=now)
        future = Round.objects.create(
            school_year="2027-2028", grade=10, kind=Round.Kind.EXAM, name="Tuyển sinh lớp 10 năm học 2027–2028",
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=60), subjects=SUBJECTS)
        for school, (_c, _n, _w, seats) in zip(schools, SCHOOLS, strict=True):
            Quota.objects.create(round=future, school=school, seats=seats)
    out(f"Tuyển sinh: {len(SCHOOLS)} trường, {APPLICANTS} hồ sơ lớp 10 đã công bố, một đợt đang nhận hồ sơ")
