"""The applicant rates a returned dossier: nine indicators of 0–2 points and the satisfaction level, once."""

from __future__ import annotations

import pytest

from smartcity.audit.models import Entry
from smartcity.dossiers import services
from smartcity.dossiers.models import Evaluation, Status
from smartcity.dossiers.tests.test_lifecycle import submit
from smartcity.lib.errors import Conflict, Invalid, NotFound

pytestmark = pytest.mark.django_db
GOOD = [2, 2, 2, 1, 1, 2, 2, 1, 2]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()


@pytest.fixture
def returned(an, officer_ba_dinh, leader_ba_dinh):
    code = submit(an).code
    for user, operation in [(officer_ba_dinh, "receive"), (officer_ba_dinh, "assign"), (leader_ba_dinh, "approve"),
                            (officer_ba_dinh, "return_result")]:
        services.apply_operation(user=user, code=code, operation=operation)
    return code


def test_the_applicant_rates_once_and_the_rating_is_audited(an, returned):
    evaluation = services.evaluate(user=an, code=returned, points=GOOD, satisfaction=1, comment="Nhanh, chu đáo")
    assert (evaluation.total, evaluation.get_satisfaction_display()) == (15, "Rất hài lòng")
    stored = Evaluation.objects.select_related("dossier").get(pk=evaluation.pk)
    assert stored.dossier_finished_at == stored.dossier.finished_at is not None  # the statistics count it by this
    assert Entry.objects.filter(subject_type="dossiers.evaluation", person_id=an.person_id).exists()
    with pytest.raises(Conflict):
        services.evaluate(user=an, code=returned, points=GOOD, satisfaction=2)


def test_only_the_applicant_rates_and_only_after_the_result_is_returned(an, binh, officer_ba_dinh, returned):
    with pytest.raises(NotFound):
        services.evaluate(user=binh, code=returned, points=GOOD, satisfaction=1)
    with pytest.raises(NotFound):
        services.evaluate(user=officer_ba_dinh, code=returned, points=GOOD, satisfaction=1)
    fresh = submit(an).code
    with pytest.raises(Conflict):
        services.evaluate(user=an, code=fresh, points=GOOD, satisfaction=1)
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("points", "satisfaction", "field"),
    [
        (GOOD[:8], 1, "points"),
        ([*GOOD[:3], 3, *GOOD[4:]], 1, "indicator_4"),
        ([*GOOD[:8], 1.5], 1, "indicator_9"),
        ([True, *GOOD[1:]], 1, "indicator_1"),
        ([*GOOD[:4], "", *GOOD[5:]], 1, "indicator_5"),
        (GOOD, 4, "satisfaction"),
        (GOOD, "rất", "satisfaction"),
    ],
)
def test_bad_ratings_name_the_indicator_and_write_nothing(an, returned, points, satisfaction, field):
    with pytest.raises(Invalid) as error:
        services.evaluate(user=an, code=returned, points=points, satisfaction=satisfaction)
    assert error.value.field == field
    assert not Evaluation.objects.exists()


def test_rating_through_the_api(client, an, returned):
    client.force_login(an)
    form = client.get("/api/v1/dossiers/evaluation-form").json()
    assert len(form["indicators"]) == 9 and form["satisfaction"]["3"] == "Không hài lòng"
    bad = client.post(f"/api/v1/dossiers/{returned}/evaluation", {"points": [2] * 9, "satisfaction": 0},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "satisfaction"
    response = client.post(f"/api/v1/dossiers/{returned}/evaluation",
                           {"points": GOOD, "satisfaction": 2, "comment": ""}, content_type="application/json")
    assert response.status_code == 201 and response.json()["total"] == 15
    assert client.get(f"/api/v1/dossiers/{returned}").json()["evaluation"]["satisfaction_label"] == "Hài lòng"
    again = client.post(f"/api/v1/dossiers/{returned}/evaluation", {"points": GOOD, "satisfaction": 2},
                        content_type="application/json")
    assert again.status_code == 409


def test_rating_on_the_dossier_page(client, an, returned):
    client.force_login(an)
    page = client.get(f"/ho-so/{returned}/").content.decode()
    assert 'name="indicator_9"' in page and "Mức độ hài lòng" in page
    form = {f"indicator_{n}": str(p) for n, p in enumerate(GOOD, start=1)} | {"satisfaction": "1"}
    missing = client.post(f"/ho-so/{returned}/danh-gia/", {**form, "indicator_2": ""}, follow=True)
    assert "Chỉ số 2: chọn 0, 1 hoặc 2 điểm" in missing.content.decode()
    done = client.post(f"/ho-so/{returned}/danh-gia/", form, follow=True).content.decode()
    assert "Cảm ơn bạn đã đánh giá" in done and "15/18 điểm" in done and 'name="indicator_1"' not in done
    assert Evaluation.objects.get().dossier.status == Status.RETURNED


def test_no_operation_leads_out_of_result_returned():
    """What makes the finish time copied onto a rating final: a returned dossier moves no more."""
    assert [name for name, op in services.OPERATIONS.items() if Status.RETURNED in op.sources] == []
