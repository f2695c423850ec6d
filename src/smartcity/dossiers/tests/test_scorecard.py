"""Decision 766's scorecard: each indicator's rate and points from dossiers made to land where we know the answer."""

from __future__ import annotations

import pytest

from smartcity.dossiers import scorecard
from smartcity.dossiers.models import Evaluation, Status
from smartcity.dossiers.tests.test_statistics import NOV, at, make  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def by_code(card):
    return {i["code"]: i for i in card["indicators"]}


def test_the_city_card_scores_progress_online_share_and_satisfaction(make):  # noqa: F811
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.RETURNED, result_signed=True, result_stored=True, fee_due=8000, paid_online=True)  # early
    make(channel=2, received="2026-11-03T09:00", appointment="2026-11-04T09:00", finished="2026-11-05T08:00",
         status=Status.PROCESSED, fee_due=8000)  # late, paid at the desk
    make(received="2026-11-27T09:00", appointment="2026-12-03T09:00")  # in progress, on time
    disliked = make(channel=2, received="2026-11-05T09:00", appointment="2026-11-09T09:00",
                    finished="2026-11-06T09:00", status=Status.RETURNED, reused_documents=1)
    Evaluation.objects.create(dossier=disliked, dossier_finished_at=disliked.finished_at, at=at("2026-11-06T10:00"), points=[0] * 9, total=0, satisfaction=3)
    [card] = scorecard.compute(**NOV, group="city")
    indicators = by_code(card)
    assert (indicators["2.1"]["numerator"], indicators["2.1"]["denominator"]) == (3, 4)
    assert indicators["2.1"]["score"] == 15.0  # 20 × 3/4
    assert (indicators["3.3"]["numerator"], indicators["3.3"]["denominator"]) == (2, 4)
    assert indicators["3.3"]["score"] == 6.0  # 50 % online is the target: full points
    assert (indicators["3.6"]["numerator"], indicators["3.6"]["denominator"]) == (1, 2)
    assert (indicators["4.1"]["numerator"], indicators["4.1"]["denominator"]) == (1, 3)
    assert (indicators["4.3"]["numerator"], indicators["4.3"]["denominator"]) == (1, 4)
    # 5.4: 100 % − (late 1 + disliked 1) ÷ 4 = 50 % against a 90 % target → 6 × 0.5 / 0.9
    assert indicators["5.4"]["rate"] == 0.5 and indicators["5.4"]["score"] == round(6 * 0.5 / 0.9, 2)
    # what the platform cannot measure says why and counts in neither the score nor the maximum
    assert indicators["1.4"]["score"] is None and "Cổng Dịch vụ công quốc gia" in indicators["1.4"]["not_measured"]
    measured = [i for i in card["indicators"] if i["score"] is not None]
    assert card["total"] == pytest.approx(sum(i["score"] for i in measured), abs=0.05)
    assert card["measured_max"] == sum(i["points"] for i in measured) < 100
    assert card["of_100"] == round(100 * card["total"] / card["measured_max"], 1)
    assert sum(g["max"] for g in card["groups"].values()) == 100


def test_procedure_indicators_count_the_agencys_own_catalogue(make, ba_dinh):  # noqa: F811
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00")
    [card] = scorecard.compute(**NOV, group="agency")
    indicators = by_code(card)
    commune_procedures = indicators["3.1"]["denominator"]
    assert card["name"] == "Ủy ban nhân dân Phường Ba Đình" and commune_procedures >= 5
    assert indicators["1.3"]["denominator"] == commune_procedures
    assert 0 < indicators["3.1"]["numerator"] <= commune_procedures


def test_scorecard_page_and_api(client, make):  # noqa: F811
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.RETURNED)
    body = client.get("/api/v1/statistics/scorecard", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert body["cards"][0]["key"] == "01" and len(body["cards"][0]["indicators"]) == len(scorecard.INDICATORS)
    agencies = client.get("/api/v1/statistics/scorecard",
                          {"start": "2026-11-01", "end": "2026-11-30", "group": "agency"}).json()["cards"]
    code = agencies[0]["key"]
    assert client.get("/api/v1/statistics/scorecard", {"start": "2026-11-01", "end": "2026-11-30",
                                                       "group": "procedure"}).status_code == 400
    page = client.get("/thong-ke/bo-chi-so/", {"month": "2026-11", "agency": code}).content.decode()
    assert "Ủy ban nhân dân Phường Ba Đình" in page and "Tiến độ giải quyết" in page and "đủ điểm khi ≥ 50%" in page
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in page and "start=2026-11-01&amp;end=2026-11-30" in page
    assert "Không có hồ sơ trong tháng." in client.get("/thong-ke/bo-chi-so/", {"month": "2020-01"}).content.decode()
