"""Admission personas: An (a father, head of his household) with his son Minh (born 2011, grade 10 in 2026–2027);
Bình (another family); two schools and a grade-10 round; a department specialist; a school's staff member."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartcity.conftest import make_citizen, make_staff
from smartcity.education.models import Quota, Round, School
from smartcity.population.models import Household

NOW = timezone.make_aware(dt.datetime(2026, 5, 20, 9, 0))


@pytest.fixture
def minh(an, ba_dinh):
    father = an.person
    household = Household.objects.create(code="HN-BD-0001", unit=ba_dinh, head=father)
    father.household, father.relation_to_head = household, "Chủ hộ"
    father.save()
    return make_citizen(ba_dinh, id_number="001211000777", full_name="Nguyễn Văn Minh", dob=dt.date(2011, 3, 9),
                        sex="M", household=household, relation_to_head="Con")


@pytest.fixture
def schools(ba_dinh, hoan_kiem):
    a = School.objects.create(code="THPT-PDP", name="THPT Phan Đình Phùng", unit=ba_dinh)
    b = School.objects.create(code="THPT-VD", name="THPT Việt Đức", unit=hoan_kiem)
    c = School.objects.create(code="THPT-TL", name="THPT Thăng Long", unit=hoan_kiem)
    return a, b, c


@pytest.fixture
def grade10(schools):
    rnd = Round.objects.create(
        school_year="2026-2027", grade=10, kind=Round.Kind.EXAM, name="Tuyển sinh lớp 10 năm học 2026–2027",
        opens_at=NOW - dt.timedelta(days=2), closes_at=NOW + dt.timedelta(days=3),
        subjects=[{"code": "toan", "name": "Toán", "coefficient": 2},
                  {"code": "van", "name": "Ngữ văn", "coefficient": 2},
                  {"code": "anh", "name": "Tiếng Anh", "coefficient": 1}])
    Quota.objects.create(round=rnd, school=schools[0], seats=1)
    Quota.objects.create(round=rnd, school=schools[1], seats=2)
    return rnd


@pytest.fixture
def department_specialist(db):
    from smartcity.agencies.services import department

    return make_staff("specialist.sgd", "Đặng Thu Hà", department("Sở Giáo dục và Đào tạo"), "specialist")


@pytest.fixture
def school_staff(schools):
    user = make_staff("giaovu.pdp", "Bùi Văn Nam")
    schools[0].staff.add(user)
    return user
