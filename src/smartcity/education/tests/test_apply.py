"""Families apply for their own child: the rules of the round, duplicates, the lock, and nothing partial."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.audit.models import Entry
from smartcity.conftest import make_citizen
from smartcity.education import services
from smartcity.education.models import Application, Choice
from smartcity.education.tests.conftest import NOW
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound


def apply(user, rnd, choices, number="001211000777", now=NOW):
    return services.submit_application(user=user, round_id=rnd.pk, child_id_number=number, choices=choices, now=now)


def test_a_parent_sees_their_child_prefilled_from_the_household_record(an, minh):
    assert [c.full_name for c in services.children_of(an)] == ["Nguyễn Văn Minh"]


def test_a_parent_applies_with_ranked_choices_and_the_write_is_audited(an, minh, grade10):
    app = apply(an, grade10, ["THPT-VD", "THPT-PDP"])
    assert app.child == minh and app.parent == an and app.status == "submitted"
    assert list(app.choices.values_list("rank", "school__code")) == [(1, "THPT-VD"), (2, "THPT-PDP")]
    assert Entry.objects.filter(subject_type="education.application", subject_id=str(app.pk)).count() == 1


def test_applying_again_replaces_the_choices_of_the_same_application(an, minh, grade10):
    first = apply(an, grade10, ["THPT-VD", "THPT-PDP"])
    second = apply(an, grade10, ["THPT-PDP"])
    assert first.pk == second.pk
    assert Application.objects.count() == 1
    assert list(second.choices.values_list("school__code", flat=True)) == ["THPT-PDP"]


def test_a_school_outside_the_round_is_refused_and_nothing_is_stored(an, minh, grade10):
    with pytest.raises(Invalid, match="THPT-TL không tuyển sinh trong đợt này"):
        apply(an, grade10, ["THPT-VD", "THPT-TL"])
    assert Application.objects.count() == 0 and Choice.objects.count() == 0


def test_the_same_school_twice_is_refused(an, minh, grade10):
    with pytest.raises(Invalid, match="Mỗi trường chỉ được chọn một lần"):
        apply(an, grade10, ["THPT-VD", "THPT-VD"])


def test_more_choices_than_the_round_allows_are_refused(an, minh, grade10):
    grade10.max_choices = 1
    grade10.save()
    with pytest.raises(Invalid, match="tối đa 1 nguyện vọng"):
        apply(an, grade10, ["THPT-VD", "THPT-PDP"])


def test_a_child_of_another_household_cannot_be_applied_for(binh, minh, grade10):
    with pytest.raises(NotFound, match="không có trong hộ của bạn"):
        apply(binh, grade10, ["THPT-VD"])
    assert Application.objects.count() == 0


def test_a_child_of_the_wrong_age_is_refused(an, minh, grade10, ba_dinh):
    make_citizen(ba_dinh, id_number="001215000888", full_name="Nguyễn Thị Lan", dob=dt.date(2015, 1, 2), sex="F",
                 household=minh.household, relation_to_head="Con")
    with pytest.raises(Invalid, match="không đúng độ tuổi vào lớp 10"):
        apply(an, grade10, ["THPT-VD"], number="001215000888")


def test_edits_after_the_window_closes_are_refused_and_the_choices_stay(an, minh, grade10):
    apply(an, grade10, ["THPT-VD"])
    with pytest.raises(Conflict, match="hồ sơ đã khóa"):
        apply(an, grade10, ["THPT-PDP"], now=grade10.closes_at)
    assert list(Choice.objects.values_list("school__code", flat=True)) == ["THPT-VD"]


def test_staff_cannot_apply(officer_ba_dinh, grade10):
    with pytest.raises(Forbidden):
        apply(officer_ba_dinh, grade10, ["THPT-VD"])


def test_grade_6_choices_must_serve_the_childs_residence(an, ba_dinh, hoan_kiem, schools, minh):
    from smartcity.education.models import Quota, Round

    rnd = Round.objects.create(school_year="2022-2023", grade=6, kind=Round.Kind.RESIDENCE, name="Lớp 6",
                               opens_at=NOW - dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=1))
    make_citizen(ba_dinh, id_number="001211000999", full_name="Nguyễn Văn Nam", dob=dt.date(2011, 4, 4), sex="M",
                 household=minh.household, relation_to_head="Con")
    near, far, _ = schools
    near.serves.add(ba_dinh)
    far.serves.add(hoan_kiem)
    for s in (near, far):
        Quota.objects.create(round=rnd, school=s, seats=10)
    with pytest.raises(Invalid, match="THPT-VD không tuyển sinh nơi cư trú của học sinh"):
        apply(an, rnd, ["THPT-PDP", "THPT-VD"], number="001211000999")
    assert Application.objects.count() == 0
    assert apply(an, rnd, ["THPT-PDP"], number="001211000999").choices.count() == 1
