"""On-time statistics: every figure of one agency's month checked against dossiers made to land in each bucket."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection, transaction

from smartcity.agencies.services import commune_committee
from smartcity.dossiers import statistics
from smartcity.dossiers.models import Dossier, Status
from smartcity.lib.workdays import VN_TZ
from smartcity.procedures.services import get_procedure, load_catalogue, version_in_force

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


@pytest.fixture
def make(an, ba_dinh):
    load_catalogue()
    procedure = get_procedure("1.001193")
    version = version_in_force(procedure)
    agency = commune_committee(ba_dinh)

    def make(*, channel=1, received, appointment, finished=None, status=Status.PROCESSING, **extra):
        return Dossier.objects.create(
            code=f"T-{next(_numbers)}", procedure=procedure, version=version, applicant=an.person, agency=agency,
            receiving_agency=agency, unit=ba_dinh, channel=channel, status=status, submitted_at=at(received),
            received_at=at(received), appointment_at=at(appointment), finished_at=at(finished) if finished else None,
            **extra)

    return make


NOV = {"start": at("2026-11-01T00:00"), "end": at("2026-12-01T00:00")}


@time_machine.travel(dt.datetime(2026, 12, 5, tzinfo=VN_TZ), tick=False)  # November is over
def test_each_dossier_lands_in_its_bucket(make):
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.PROCESSED)  # early
    make(channel=2, received="2026-11-03T09:00", appointment="2026-11-04T09:00", finished="2026-11-04T08:00",
         status=Status.RETURNED)  # on time, same day
    make(channel=3, received="2026-11-05T09:00", appointment="2026-11-06T09:00", finished="2026-11-06T08:00",
         status=Status.PROCESSED, extended=True)  # late: extended
    make(received="2026-11-06T09:00", appointment="2026-11-09T09:00", finished="2026-11-09T10:00",
         status=Status.PROCESSED)  # late: after the appointment
    make(received="2026-10-30T09:00", appointment="2026-11-03T09:00", finished="2026-11-02T09:00",
         status=Status.PROCESSED)  # carried over from October, early
    make(received="2026-11-20T09:00", appointment="2026-11-25T09:00")  # open at the end, late
    make(received="2026-11-27T09:00", appointment="2026-12-03T09:00")  # open at the end, on time
    make(received="2026-10-01T09:00", appointment="2026-10-05T09:00", finished="2026-10-04T09:00",
         status=Status.RETURNED)  # finished before the month: not counted
    [row] = statistics.compute(**NOV)
    assert row["name"] == "Ủy ban nhân dân Phường Ba Đình"
    assert {k: row[k] for k in statistics.COLUMNS[2:13]} == {
        "received": 6, "received_online": 4, "received_desk": 1, "received_post": 1, "carried_over": 1,
        "processed": 5, "processed_early": 2, "processed_on_time": 1, "processed_late": 2,
        "in_progress_on_time": 1, "in_progress_late": 1,
    }
    assert row["online_share"] == round(4 / 6, 4)
    assert row["average_hours"] == pytest.approx((25 + 23 + 23 + 73 + 72) / 5, abs=0.1)


def test_satisfaction_counts_the_ratings_of_the_dossiers_finished_in_the_period(make):
    from smartcity.dossiers.models import Evaluation

    def rated(finished, total, satisfaction):
        dossier = make(received="2026-10-20T09:00", appointment="2026-11-30T09:00", finished=finished,
                       status=Status.RETURNED)
        Evaluation.objects.create(dossier=dossier, dossier_finished_at=dossier.finished_at, at=at(finished),
                                  points=[], total=total, satisfaction=satisfaction)

    rated("2026-11-03T10:00", 18, 1)
    rated("2026-11-04T10:00", 12, 2)
    rated("2026-11-05T10:00", 3, 3)
    rated("2026-10-25T10:00", 0, 3)  # finished in October: not this month's
    make(received="2026-11-02T09:00", appointment="2026-11-30T09:00", finished="2026-11-06T10:00",
         status=Status.RETURNED)  # not rated
    [row] = statistics.compute(**NOV)
    assert (row["processed"], row["evaluated"], row["satisfaction_points"], row["satisfied_share"]) == (
        4, 3, 11.0, round(2 / 3, 4))


def test_in_a_month_not_over_yet_late_means_past_the_appointment_by_now(make):
    with time_machine.travel(at("2026-11-20T12:00"), tick=False):
        make(received="2026-11-18T09:00", appointment="2026-11-19T09:00")  # already late
        make(received="2026-11-18T09:00", appointment="2026-11-25T09:00")  # due later this month: on time
        [row] = statistics.compute(**NOV)
    assert (row["in_progress_late"], row["in_progress_on_time"]) == (1, 1)


def test_the_whole_city_adds_up_every_agency(make, binh, hoan_kiem):
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.PROCESSED)
    other = make(received="2026-11-03T09:00", appointment="2026-11-05T09:00")
    other.agency = commune_committee(hoan_kiem)
    other.save()
    assert len(statistics.compute(**NOV)) == 2
    [city] = statistics.compute(**NOV, group="city")
    assert (city["key"], city["name"], city["received"], city["processed"], city["in_progress_on_time"]) == (
        "01", "Toàn thành phố (01)", 2, 1, 0)


def test_the_api_gives_json_and_csv(client, make):
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.PROCESSED)
    body = client.get("/api/v1/statistics", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert body["rows"][0]["processed_early"] == 1
    csv = client.get("/api/v1/statistics", {"start": "2026-11-01", "end": "2026-11-30", "format": "csv",
                                            "group": "procedure"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.getvalue().decode().splitlines()
    assert lines[0].startswith("key,name,received") and lines[1].startswith("1.001193,Đăng ký khai sinh,1,")


def test_the_api_gives_an_excel_workbook(client, make):
    import io

    from openpyxl import load_workbook

    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.PROCESSED)
    response = client.get("/api/v1/statistics", {"start": "2026-11-01", "end": "2026-11-30", "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="thong-ke-2026-11-01-2026-11-30.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:3] == ("key", "name", "received")
    assert rows[1][1:3] == ("Ủy ban nhân dân Phường Ba Đình", 1) and rows[1][8] == 1  # processed_early


@pytest.mark.parametrize(
    ("params", "field"),
    [({"start": "2026-12-01", "end": "2026-11-01"}, "end"), ({"start": "2024-01-01", "end": "2025-01-01"}, "end"), ({"start": "2026-11-01", "end": "2026-11-30",
                                                             "group": "x"}, "group"),
     ({"start": "2026-11-01", "end": "2026-11-30", "format": "pdf"}, "format"), ({"start": "hôm qua"}, "start")],
)
def test_bad_parameters_are_400(client, params, field):
    response = client.get("/api/v1/statistics", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


@time_machine.travel(dt.datetime(2026, 12, 5, tzinfo=VN_TZ), tick=False)
def test_the_api_end_is_the_last_day_included(client, make):
    """"Từ ngày 01/11 đến ngày 30/11" includes the 30th, all day; the 1st of December is not in it."""
    make(received="2026-11-30T16:00", appointment="2026-12-02T09:00")
    make(received="2026-12-01T00:00", appointment="2026-12-03T09:00")
    november = client.get("/api/v1/statistics", {"start": "2026-11-01", "end": "2026-11-30"}).json()
    assert (november["end"], november["rows"][0]["received"]) == ("2026-11-30", 1)
    [day] = client.get("/api/v1/statistics", {"start": "2026-11-30", "end": "2026-11-30"}).json()["rows"]
    assert day["received"] == 1  # one day: start = end
    card = client.get("/api/v1/statistics/scorecard", {"start": "2026-11-30", "end": "2026-11-30"})
    assert card.status_code == 200 and card.json()["cards"]
    csv = client.get("/api/v1/statistics", {"start": "2026-11-01", "end": "2026-11-30", "format": "csv",
                                            "group": "procedure"})
    assert csv.getvalue().decode().splitlines()[1].startswith("1.001193,Đăng ký khai sinh,1,")


def test_the_period_is_at_most_366_days_counting_both_ends(client):
    leap_year = client.get("/api/v1/statistics", {"start": "2024-01-01", "end": "2024-12-31"})
    assert leap_year.status_code == 200  # 366 days, both ends included
    one_more = client.get("/api/v1/statistics", {"start": "2024-01-01", "end": "2025-01-01"})
    assert one_more.status_code == 400 and one_more.json()["errors"][0]["field"] == "end"
    described = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/statistics"]["get"]["parameters"]
    assert "tính cả ngày này" in next(p for p in described if p["name"] == "end")["description"]


def test_a_wrong_choice_names_the_choices_in_vietnamese_too(client):
    response = client.get("/api/v1/statistics", {"start": "2026-11-01", "end": "2026-11-30", "group": "x"})
    assert response.json()["errors"] == [{"code": "invalid", "field": "group", "message":
                                          "Chọn một trong 'agency', 'procedure' hoặc 'city' (Input should be "
                                          "'agency', 'procedure' or 'city')"}]


def test_the_statistics_page_shows_the_month(client, make):
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.PROCESSED)
    html = client.get("/thong-ke/", {"month": "2026-11"}).content.decode()
    assert "Ủy ban nhân dân Phường Ba Đình" in html and "2026-11-01" in html
    assert "start=2026-11-01&amp;end=2026-11-30&amp;format=csv" in html  # the export asks for the same month
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026" in html
    assert client.get("/thong-ke/", {"month": "rubbish"}).status_code == 200


def test_the_statistics_page_draws_the_outcomes_as_an_accessible_chart(client, make):
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.PROCESSED)  # early
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-05T10:00",
         status=Status.PROCESSED)  # late
    html = client.get("/thong-ke/", {"month": "2026-11"}).content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert 'role="img"' in svg and "<title id=\"chart-title\">Kết quả giải quyết hồ sơ tháng 11/2026" in svg
    assert "Ủy ban nhân dân Phường Ba Đình: Trước hạn 1, Đúng hạn 0, Trễ hạn 1" in svg  # the description
    assert svg.count("<title>Trước hạn: 1</title>") == 1 and svg.count("<title>Trễ hạn: 1</title>") == 1
    assert "<svg" not in client.get("/thong-ke/", {"month": "2020-01"}).content.decode()


def test_online_payment_and_digitised_shares(make):
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.RETURNED, fee_due=8000, paid_online=True, result_signed=True)
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00", finished="2026-11-03T10:00",
         status=Status.RETURNED, fee_due=8000)
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00")  # no fee, in progress
    [row] = statistics.compute(**NOV)
    assert (row["online_payment_share"], row["digitised_share"]) == (0.5, 0.5)


@time_machine.travel(dt.datetime(2026, 12, 5, tzinfo=VN_TZ), tick=False)
def test_the_period_edges_are_half_open(make):
    make(received="2026-10-20T09:00", appointment="2026-11-03T09:00", finished="2026-11-01T00:00",
         status=Status.PROCESSED)  # finished at the very start: carried over and processed in November
    make(received="2026-10-20T09:00", appointment="2026-10-30T09:00", finished="2026-10-31T23:59",
         status=Status.PROCESSED)  # finished a minute before: October's
    make(received="2026-12-01T00:00", appointment="2026-12-03T09:00")  # received at the very end: December's
    [row] = statistics.compute(**NOV)
    assert (row["received"], row["carried_over"], row["processed"]) == (0, 1, 1)


@time_machine.travel(dt.datetime(2026, 12, 5, tzinfo=VN_TZ), tick=False)
def test_odd_records_count_the_same_on_either_database(make):
    """Imported or odd rows: a finish recorded before the receipt counts at the receipt; a receipt at the very start
    is November's; a finish at the very end leaves the dossier in progress; a dossier never received counts nowhere.
    (On PostgreSQL the period is found through the span index, on SQLite through two B-tree conditions.)"""
    make(received="2026-11-10T09:00", appointment="2026-11-12T09:00", finished="2026-11-09T09:00",
         status=Status.PROCESSED)  # finished "before" it was received: received and processed in November
    make(received="2026-11-01T00:00", appointment="2026-11-03T09:00")  # received at the very start, still open
    make(received="2026-11-20T09:00", appointment="2026-12-03T09:00", finished="2026-12-01T00:00",
         status=Status.PROCESSED)  # finished at the very end: December's work, open at November's end
    Dossier.objects.filter(pk=make(received="2026-11-15T09:00", appointment="2026-11-20T09:00").pk).update(
        received_at=None, status=Status.NEW)  # submitted, never received
    [row] = statistics.compute(**NOV)
    assert {k: row[k] for k in ("received", "carried_over", "processed", "in_progress_on_time",
                                "in_progress_late")} == {
        "received": 3, "carried_over": 0, "processed": 1, "in_progress_on_time": 1, "in_progress_late": 1}


def test_an_empty_or_reversed_period_is_refused():
    with pytest.raises(ValueError, match="empty or reversed"):
        statistics.compute(NOV["end"], NOV["end"])
    with pytest.raises(ValueError, match="empty or reversed"):
        statistics.compute(NOV["end"], NOV["start"])


@pytest.mark.postgres
def test_on_postgresql_the_period_is_found_through_the_span_index(make):
    """The filter must stay the index's expression (migration 0009), or a month's statistics read every dossier
    received before the month's end."""
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00")
    query = Dossier.objects.filter(statistics.active_in(**NOV), received_at__isnull=False).values("id")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "dossiers_dossier_span_gist" in plan


@time_machine.travel(dt.datetime(2026, 12, 5, tzinfo=VN_TZ), tick=False)
def test_the_public_figures_are_computed_once_per_cache_period(client, make, settings):
    """A crowd asking for the same month costs one computation; the figures are at most the cache's age old."""
    settings.STATISTICS_CACHE_SECONDS = 300
    make(received="2026-11-02T09:00", appointment="2026-11-04T09:00")
    params = {"start": "2026-11-01", "end": "2026-11-30"}
    assert client.get("/api/v1/statistics", params).json()["rows"][0]["received"] == 1
    make(received="2026-11-03T09:00", appointment="2026-11-05T09:00")
    assert client.get("/api/v1/statistics", params).json()["rows"][0]["received"] == 1  # from the cache
    assert statistics.compute(**NOV)[0]["received"] == 2  # compute itself is not cached
    settings.STATISTICS_CACHE_SECONDS = 0
    assert client.get("/api/v1/statistics", params).json()["rows"][0]["received"] == 2
