"""Hourly LAeq and the QCVN 26:2010/BTNMT limits."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from smartcity.environment import noise, noise_limits
from smartcity.environment.models import NoiseLimit
from smartcity.lib.workdays import VN_TZ


def test_laeq_is_an_energy_average_not_an_arithmetic_one():
    assert float(noise.laeq([60.0, 60.0])) == pytest.approx(60.0)
    assert float(noise.laeq([70.0, 50.0])) == pytest.approx(10 * np.log10((1e7 + 1e5) / 2))  # 67.03, not 60
    assert float(noise.laeq([80.0] + [40.0] * 99)) == pytest.approx(60.04, abs=0.01)  # one loud minute dominates


def test_missing_samples_are_ignored_and_no_sample_gives_no_level():
    assert float(noise.laeq([65.0, np.nan])) == pytest.approx(65.0)
    assert np.isnan(noise.laeq([np.nan, np.nan]))


def test_hourly_laeq_from_one_minute_samples_of_two_stations():
    minutes = np.full((2, 120), 55.0)
    minutes[1, 60:] = 75.0
    assert np.allclose(noise.hourly_laeq(minutes, samples_per_hour=60), [[55, 55], [55, 75]])


def test_an_hour_with_too_few_samples_has_no_laeq():
    seconds = np.full(3600, 62.0)
    seconds[:1000] = np.nan  # 72 % present
    assert np.isnan(noise.hourly_laeq(seconds, samples_per_hour=3600)[0])
    assert float(noise.hourly_laeq(seconds, samples_per_hour=3600, min_fraction=0.5)[0]) == pytest.approx(62.0)
    with pytest.raises(ValueError, match="whole number of hours"):
        noise.hourly_laeq(seconds[:100], samples_per_hour=3600)


def test_the_day_runs_from_6_to_21_and_the_night_from_21_to_6():
    hours = np.arange(24)
    assert list(hours[noise.is_daytime(hours)]) == list(range(6, 21))


NOV_2026 = dt.datetime(2026, 11, 20, 12, tzinfo=VN_TZ)


@pytest.mark.django_db
@pytest.mark.parametrize(("area", "hour", "limit"), [
    ("special", 6, 55), ("special", 20, 55), ("special", 21, 45), ("special", 5, 45),
    ("normal", 12, 70), ("normal", 23, 55),
])
def test_limits_of_qcvn_26_2010(area, hour, limit):
    limits = noise_limits.zone_limits(area, NOV_2026)
    assert limits.legal_source == "QCVN 26:2010/BTNMT"
    assert float(limits.limit_dba(hour)) == limit


@pytest.mark.django_db
def test_exceedances_flag_hours_above_the_limit_of_their_period():
    levels = np.array([50.0, 60.0, np.nan, 72.0])
    hours = np.array([22, 22, 10, 10])
    result = noise.exceedances(levels, hours, limits=noise_limits.zone_limits("normal", NOV_2026))
    assert list(result.exceeds) == [False, True, False, True]
    assert np.array_equal(result.excess_db, [0.0, 5.0, np.nan, 2.0], equal_nan=True)
    assert noise_limits.zone_limits("industrial", NOV_2026) is None  # no such area in the table


# ------------------------------------------------------------------------ the limits as dated reference data


def _enter(source, *, zone="normal", day, night, valid_from, valid_to=None, note=""):
    for start, end, limit in ((6, 21, day), (21, 6, night)):
        NoiseLimit.objects.create(zone=zone, zone_name="Khu vực thông thường", start_hour=start, end_hour=end,
                                  limit_dba=limit, legal_source=source, valid_from=valid_from, valid_to=valid_to,
                                  note=note)


@pytest.mark.django_db
def test_a_newer_regulation_entered_in_the_table_judges_readings_from_its_date():
    """Made-up numbers (not QCVN 26:2025/BNNMT's): a new regulation is data, chosen by the reading's date; the 2010
    limits, still in force for existing facilities until 31/12/2026, give way to it."""
    NoiseLimit.objects.filter(legal_source="QCVN 26:2010/BTNMT").update(valid_to=dt.date(2026, 12, 31))
    _enter("Quy chuẩn thử nghiệm", day=65, night=50, valid_from=dt.date(2025, 11, 14), note="Ghi chú thử")
    before = noise_limits.zone_limits("normal", dt.datetime(2025, 11, 13, 23, tzinfo=VN_TZ))
    after = noise_limits.zone_limits("normal", dt.datetime(2025, 11, 14, 0, tzinfo=VN_TZ))
    assert (before.legal_source, before.day_dba, before.night_dba) == ("QCVN 26:2010/BTNMT", 70, 55)
    assert (after.legal_source, after.day_dba, after.night_dba, after.note) == ("Quy chuẩn thử nghiệm", 65, 50,
                                                                              "Ghi chú thử")
    times = [dt.datetime(2025, 11, 13, 22, tzinfo=VN_TZ) + dt.timedelta(hours=i) for i in range(4)]
    assert list(noise_limits.limit_table().hourly("normal", times)) == [55, 55, 50, 50]  # midnight: the new one


@pytest.mark.django_db
def test_a_regulation_ends_on_its_valid_to_day_included():
    NoiseLimit.objects.filter(legal_source="QCVN 26:2010/BTNMT").update(valid_to=dt.date(2026, 12, 31))
    assert noise_limits.zone_limits("normal", dt.date(2026, 12, 31)).legal_source == "QCVN 26:2010/BTNMT"
    assert noise_limits.zone_limits("normal", dt.date(2027, 1, 1)) is None  # nothing entered after it
    assert noise_limits.zone_limits("normal", dt.date(2011, 2, 14)) is None  # before it came into force


@pytest.mark.django_db
def test_a_band_overlapping_another_of_the_same_regulation_is_refused():
    from django.core.exceptions import ValidationError

    line = NoiseLimit(zone="normal", zone_name="x", start_hour=20, end_hour=22, limit_dba=60,
                      legal_source="QCVN 26:2010/BTNMT", valid_from=dt.date(2011, 2, 15))
    with pytest.raises(ValidationError):
        line.full_clean()


@pytest.mark.django_db
def test_the_back_office_page_lists_the_limits_in_vietnamese(admin_client):
    from smartcity.identity import services as identity

    session = admin_client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True  # staff pages need the second factor
    session.save()
    html = admin_client.get("/admin/environment/noiselimit/").content.decode()
    assert "giới hạn tiếng ồn" in html.lower() and "QCVN 26:2010/BTNMT" in html
    form = admin_client.get("/admin/environment/noiselimit/add/").content.decode()
    assert "Hiệu lực đến hết ngày" in form and "Quy chuẩn" in form
    response = admin_client.post("/admin/environment/noiselimit/add/", {
        "legal_source": "QCVN thử", "zone": "mixed", "zone_name": "Khu vực hỗn hợp (thử)", "start_hour": 0,
        "end_hour": 24, "limit_dba": 60, "valid_from": "2027-01-01", "valid_to": "", "note": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ("mixed", "Khu vực hỗn hợp (thử)") in noise_limits.zones()  # a station may now be put in it


@pytest.mark.django_db
def test_a_station_can_be_put_in_a_zone_a_new_regulation_adds(admin_client, noisy):
    from smartcity.environment import services
    from smartcity.identity import services as identity
    from smartcity.lib.errors import Invalid

    NoiseLimit.objects.create(zone="mixed", zone_name="Khu vực hỗn hợp (thử)", start_hour=0, end_hour=24,
                              limit_dba=60, legal_source="QCVN thử", valid_from=dt.date(2026, 1, 1))
    station = services.register_station(thing_id=noisy.pk, kind="noise", noise_zone="mixed")
    assert station.noise_zone == "mixed"
    with pytest.raises(Invalid) as err:
        services.register_station(thing_id=noisy.pk, kind="noise", noise_zone="industrial")
    assert err.value.field == "noise_zone"
    session = admin_client.session
    session[identity.SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    form = admin_client.get(f"/admin/environment/station/{station.pk}/change/").content.decode()
    assert 'value="mixed" selected' in form and "Khu vực đặc biệt" in form
