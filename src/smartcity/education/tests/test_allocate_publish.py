"""The department records scores, allocates, publishes; families read their result with its explanation."""

from __future__ import annotations

import datetime as dt

import pytest

from smartcity.conftest import make_citizen, make_citizen_user
from smartcity.education import services
from smartcity.education.models import Application, Quota
from smartcity.education.tests.conftest import NOW
from smartcity.lib.errors import Conflict, Forbidden, Invalid, NotFound
from smartcity.notifications.models import Message
from smartcity.population.models import Household

AFTER = NOW + dt.timedelta(days=4)


@pytest.fixture
def applied(an, minh, grade10, hoan_kiem):
    """Minh wants Phan Đình Phùng then Việt Đức; Hoa (another family) wants Phan Đình Phùng only."""
    mine = services.submit_application(user=an, round_id=grade10.pk, child_id_number=minh.id_number,
                                       choices=["THPT-PDP", "THPT-VD"], now=NOW)
    mother = make_citizen(hoan_kiem, id_number="001186000111", full_name="Lý Thị Thu", dob=dt.date(1986, 1, 1),
                          sex="F")
    household = Household.objects.create(code="HN-HK-0002", unit=hoan_kiem, head=mother)
    mother.household, mother.relation_to_head = household, "Chủ hộ"
    mother.save()
    hoa = make_citizen(hoan_kiem, id_number="001311000222", full_name="Lý Thu Hoa", dob=dt.date(2011, 6, 1),
                       sex="F", household=household, relation_to_head="Con")
    thu = make_citizen_user(mother, "thu")
    theirs = services.submit_application(user=thu, round_id=grade10.pk, child_id_number=hoa.id_number,
                                         choices=["THPT-PDP"], now=NOW)
    return mine, theirs, thu


def scores(mine, theirs):
    return [services.ScoreRow(mine.code, {"toan": "7.75", "van": "8", "anh": "6.25"}, "0"),  # 37.75
            services.ScoreRow(theirs.code, {"toan": "8", "van": "8", "anh": "6.25"}, "0")]  # 38.25


def test_allocation_places_by_score_and_explains_the_refusal_with_the_cut_off(applied, grade10,
                                                                               department_specialist, an):
    mine, theirs, _ = applied
    assert services.record_scores(actor=department_specialist, round_id=grade10.pk, rows=scores(mine, theirs)) == 2
    stats = services.run_allocation(actor=department_specialist, round_id=grade10.pk, now=AFTER)
    assert stats["placed"] == 2 and stats["unplaced"] == 0
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.school.code, mine.admitted_choice, mine.composite) == ("admitted", "THPT-VD", 2, 3775)
    assert theirs.school.code == "THPT-PDP"
    assert Quota.objects.get(school__code="THPT-PDP").cutoff == 3825
    services.publish_results(actor=department_specialist, round_id=grade10.pk, now=AFTER)
    app = services.get_application_for(an, mine.code)
    assert services.explanation_lines(app) == [
        "Không trúng tuyển nguyện vọng 1 (THPT Phan Đình Phùng): điểm chuẩn 38,25, điểm của bạn 37,75."]


def test_families_are_notified_when_results_are_published(applied, grade10, department_specialist,
                                                          django_capture_on_commit_callbacks):
    mine, theirs, _ = applied
    services.record_scores(actor=department_specialist, round_id=grade10.pk, rows=scores(mine, theirs))
    services.run_allocation(actor=department_specialist, round_id=grade10.pk, now=AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_results(actor=department_specialist, round_id=grade10.pk, now=AFTER)
    assert Message.objects.filter(subject__startswith="Kết quả tuyển sinh").count() >= 2


def test_a_score_out_of_range_is_refused_and_no_score_is_stored(applied, grade10, department_specialist):
    mine, theirs, _ = applied
    rows = [services.ScoreRow(mine.code, {"toan": "7", "van": "8", "anh": "6"}),
            services.ScoreRow(theirs.code, {"toan": "10.5", "van": "8", "anh": "6"})]
    with pytest.raises(Invalid, match="10.5 ngoài khoảng 0–10"):
        services.record_scores(actor=department_specialist, round_id=grade10.pk, rows=rows)
    assert list(Application.objects.values_list("composite", flat=True)) == [None, None]


def test_a_score_that_is_not_a_quarter_point_is_refused(applied, grade10, department_specialist):
    mine, _, _ = applied
    with pytest.raises(Invalid, match="bội của 0,25"):
        services.record_scores(actor=department_specialist, round_id=grade10.pk,
                               rows=[services.ScoreRow(mine.code, {"toan": "7.1", "van": "8", "anh": "6"})])


def test_allocation_waits_for_the_window_to_close(applied, grade10, department_specialist):
    with pytest.raises(Conflict, match="Chưa hết hạn"):
        services.run_allocation(actor=department_specialist, round_id=grade10.pk, now=NOW)


def test_only_the_department_records_scores_or_allocates(applied, grade10, officer_ba_dinh, an):
    for user in (officer_ba_dinh, an):
        with pytest.raises(Forbidden):
            services.run_allocation(actor=user, round_id=grade10.pk, now=AFTER)
        with pytest.raises(Forbidden):
            services.record_scores(actor=user, round_id=grade10.pk, rows=[])


def test_a_parent_cannot_read_another_childs_application(applied, binh):
    mine, _, thu = applied
    with pytest.raises(NotFound):
        services.get_application_for(binh, mine.code)
    with pytest.raises(NotFound):
        services.get_application_for(thu, mine.code)


def test_appeals_are_accepted_only_within_the_window(applied, grade10, department_specialist, an):
    mine, theirs, _ = applied
    services.record_scores(actor=department_specialist, round_id=grade10.pk, rows=scores(mine, theirs))
    services.run_allocation(actor=department_specialist, round_id=grade10.pk, now=AFTER)
    rnd = services.publish_results(actor=department_specialist, round_id=grade10.pk, appeal_days=3, now=AFTER)
    appeal = services.file_appeal(user=an, code=mine.code, reason="Xin phúc khảo bài thi môn Toán", now=AFTER)
    assert appeal.application_id == mine.pk
    with pytest.raises(Conflict, match="Ngoài thời hạn phúc khảo"):
        services.file_appeal(user=an, code=mine.code, reason="Xin phúc khảo bài thi môn Văn",
                             now=rnd.appeal_deadline + dt.timedelta(seconds=1))


def test_school_staff_see_only_their_own_schools_admitted_list(applied, grade10, department_specialist,
                                                               school_staff):
    mine, theirs, _ = applied
    services.record_scores(actor=department_specialist, round_id=grade10.pk, rows=scores(mine, theirs))
    services.run_allocation(actor=department_specialist, round_id=grade10.pk, now=AFTER)
    school, admitted = services.admitted_list(user=school_staff, round_id=grade10.pk, school_code="THPT-PDP")
    assert [a.child.full_name for a in admitted] == ["Lý Thu Hoa"]
    with pytest.raises(NotFound):
        services.admitted_list(user=school_staff, round_id=grade10.pk, school_code="THPT-VD")
