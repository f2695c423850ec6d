"""Statistics per body and the Decision 766 scorecard's feedback indicators (5.2, 5.3), measured at last."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from smartcity.agencies.services import commune_committee
from smartcity.conftest import commune
from smartcity.dossiers import scorecard
from smartcity.feedback import services, statistics

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC)
PERIOD = (dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC))


def lamp(user=None):
    ward = commune("Phường Ba Đình")
    return services.submit_report(user=user, category_code="den-duong", description="Đèn hỏng",
                                  latitude=ward.latitude, longitude=ward.longitude, contact_phone="0912345678")


@pytest.fixture
def history(catalogue, officer_ba_dinh):
    """Three lamp reports at Ba Đình (due in 3 working days): one answered on time and rated 5, one answered late
    and rated 1 then reopened, one still open past its deadline."""
    with time_machine.travel(MONDAY, tick=False):
        on_time, late, open_ = lamp(), lamp(), lamp()
        services.answer(user=officer_ba_dinh, report_id=on_time.pk, text="Xong")
        services.rate(user=None, report_id=on_time.pk, token=on_time.token, score=5)
    with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
        services.answer(user=officer_ba_dinh, report_id=late.pk, text="Xong muộn")
        services.rate(user=None, report_id=late.pk, token=late.token, score=1)
        services.reopen(user=None, report_id=late.pk, token=late.token, reason="Vẫn tối")
        services.answer(user=officer_ba_dinh, report_id=late.pk, text="Đã thay lại")
    return open_


def test_statistics_per_body_count_on_time_late_satisfaction_and_reopened(history):
    with time_machine.travel(MONDAY + dt.timedelta(days=11), tick=False):
        rows = statistics.compute(*PERIOD, on=dt.date(2026, 3, 13))
    assert rows == [{"agency__code": commune_committee(commune("Phường Ba Đình")).code,
                     "agency__name": "Ủy ban nhân dân Phường Ba Đình", "received": 3, "on_time": 1, "late": 2,
                     "open": 1, "rated": 2, "satisfied": 1, "dissatisfied": 1, "reopened": 1, "satisfaction": 0.5}]


def test_the_scorecard_measures_feedback_through_the_registered_provider(history):
    code = commune_committee(commune("Phường Ba Đình")).code
    with time_machine.travel(MONDAY + dt.timedelta(days=11), tick=False):
        facts = statistics.scorecard_facts(*PERIOD, "agency")
        counts = {"name": "x", **facts[code]}
    assert facts[code] == {"feedback_received": 3, "feedback_on_time": 1, "feedback_bad": 3}
    card = scorecard.score(code, "x", {**_zero_counts(), **counts})
    by_code = {i["code"]: i for i in card["indicators"]}
    assert (by_code["5.2"]["numerator"], by_code["5.2"]["denominator"], by_code["5.2"]["score"]) == (1, 3, 2.0)
    assert (by_code["5.3"]["numerator"], by_code["5.3"]["denominator"], by_code["5.3"]["score"]) == (0, 3, 0.0)


def test_the_provider_is_registered_at_start():
    from smartcity.lib import indicators

    assert indicators.provider("feedback") is statistics.scorecard_facts


def _zero_counts():
    keys = ("processed", "processed_early", "processed_on_time", "processed_late", "in_progress_on_time",
            "in_progress_late", "dissatisfied", "complete_procedures", "procedures", "online_procedures",
            "received_online", "received", "payable_procedures", "fee_procedures", "procedures_paid_online",
            "dossiers_paid_online", "dossiers_with_fees", "electronic_results", "digitised", "certified_copies",
            "copy_requests", "reused", "stored_results", "received_from_registry", "registry_procedures",
            "evaluated", "satisfied")
    return dict.fromkeys(keys, 0)
