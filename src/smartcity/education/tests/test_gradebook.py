"""School records: the school's staff enter marks for their pupils; a family reads only its own child's."""

from __future__ import annotations

import pytest

from smartcity.conftest import PASSWORD
from smartcity.education import services
from smartcity.education.models import Application, Grade, Round
from smartcity.education.tests.conftest import NOW
from smartcity.lib.errors import Forbidden, Invalid, NotFound


@pytest.fixture
def pupil(an, minh, grade10, schools):
    app = services.submit_application(user=an, round_id=grade10.pk, child_id_number=minh.id_number,
                                      choices=["THPT-PDP"], now=NOW)
    Application.objects.filter(pk=app.pk).update(school=schools[0], status="admitted")
    Round.objects.filter(pk=grade10.pk).update(status=Round.Status.PUBLISHED)
    return minh


def enter(user, number="001211000777", score="8.5", school="THPT-PDP"):
    return services.record_grade(actor=user, school_code=school, pupil_id_number=number, school_year="2026-2027",
                                 term=1, subject="Toán", score=score)


def test_a_schools_staff_enter_a_mark_and_the_family_reads_it(pupil, school_staff, an):
    grade = enter(school_staff)
    assert (grade.pupil, grade.subject, grade.score) == (pupil, "Toán", 850)
    child, grades = services.grades_of(user=an, child_id_number=pupil.id_number)
    assert child == pupil and [(g.subject, g.score) for g in grades] == [("Toán", 850)]


def test_a_parent_cannot_read_another_childs_grades(pupil, school_staff, binh):
    enter(school_staff)
    with pytest.raises(NotFound, match="không có trong hộ của bạn"):
        services.grades_of(user=binh, child_id_number=pupil.id_number)


def test_a_mark_out_of_range_is_refused_and_nothing_is_stored(pupil, school_staff):
    with pytest.raises(Invalid, match="ngoài khoảng 0–10"):
        enter(school_staff, score="11")
    assert Grade.objects.count() == 0


def test_staff_of_another_school_cannot_enter_marks(pupil, school_staff, outsider):
    with pytest.raises(Forbidden):
        enter(outsider)
    with pytest.raises(Forbidden):
        enter(school_staff, school="THPT-VD")


def test_a_pupil_not_at_the_school_is_refused(pupil, school_staff, ba_dinh):
    with pytest.raises(NotFound, match="không thuộc trường"):
        enter(school_staff, number="001090012345")


@pytest.mark.parametrize("who,count", [("an", 1), ("binh", 0)])
def test_the_contact_book_api_gives_a_family_only_its_own_childrens_marks(client, request, pupil, school_staff,
                                                                           who, count):
    enter(school_staff)
    assert client.login(username=request.getfixturevalue(who).username, password=PASSWORD)
    assert len(client.get("/api/v1/education/grades").json()) == count


def test_the_gradebook_api_refuses_an_anonymous_caller(client, pupil):
    assert client.get("/api/v1/education/grades").status_code == 401


def test_the_contact_book_page_shows_the_childs_marks(client, pupil, school_staff, an):
    enter(school_staff)
    assert client.login(username=an.username, password=PASSWORD)
    page = client.get("/tuyen-sinh/so-lien-lac/").content.decode()
    assert "Nguyễn Văn Minh" in page and "Toán" in page and "8,50" in page
