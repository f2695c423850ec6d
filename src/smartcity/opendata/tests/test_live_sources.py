"""Live tables: each source's rows become the resource's snapshot, refreshed by the periodic job."""

from __future__ import annotations

import pytest
import time_machine

from smartcity.environment.tests.conftest import NOW, air  # noqa: F401  (the air station fixture)
from smartcity.jobs.schedule import SCHEDULE
from smartcity.opendata import services, sources
from smartcity.opendata.models import Resource

pytestmark = pytest.mark.django_db


def test_the_units_source_lists_the_citys_126_communes_with_coordinates(catalogue):
    r = services.add_live_resource(dataset=catalogue["air"], source="units")
    assert r.row_count == 126
    assert r.geo is True
    first = r.rows.order_by("n").first().data
    assert set(first) == {"code", "name", "unit_type", "area_km2", "latitude", "longitude"}


def test_the_procedure_catalogue_source_follows_the_catalogue(catalogue):
    from smartcity.procedures import services as procedures
    from smartcity.procedures.models import Procedure

    procedures.load_catalogue()
    r = services.add_live_resource(dataset=catalogue["air"], source="procedures")
    assert r.row_count == Procedure.objects.filter(is_active=True).count() > 0
    Procedure.objects.filter(pk=Procedure.objects.filter(is_active=True).first().pk).update(is_active=False)
    services.refresh_live_tables()
    r.refresh_from_db()
    assert r.row_count == Procedure.objects.filter(is_active=True).count()


def test_air_quality_history_has_hourly_aqi_of_each_air_station(catalogue, air):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        r = services.add_live_resource(dataset=catalogue["air"], source="air_quality_hourly")
    rows = list(r.rows.order_by("n").values_list("data", flat=True))
    assert rows and {row["station"] for row in rows} == {air.code}
    assert all(set(row) == {"station", "time", "aqi", "pm25", "pm10", "o3", "no2", "so2", "co"} for row in rows)
    assert any(isinstance(row["aqi"], float) for row in rows)


def test_stations_and_dossier_statistics_sources_run(catalogue, air):  # noqa: F811
    stations = services.add_live_resource(dataset=catalogue["air"], source="stations")
    assert [d["code"] for d in stations.rows.values_list("data", flat=True)] == [air.code]
    stats = services.add_live_resource(dataset=catalogue["air"], source="dossier_statistics")
    assert stats.fields[0] == {"id": "month", "type": "text"}


def test_an_unknown_source_is_refused(catalogue):
    from smartcity.lib.errors import Invalid

    with pytest.raises(Invalid):
        services.add_live_resource(dataset=catalogue["air"], source="nope")
    assert not Resource.objects.exists()


def test_the_refresh_is_a_scheduled_job():
    assert [p.task for p in SCHEDULE if p.name == "opendata.refresh"] == [
        "smartcity.opendata.tasks.refresh_live_tables"]
    assert set(sources.SOURCES) >= {"procedures", "units", "stations", "air_quality_hourly", "water_levels_hourly",
                                    "rainfall_hourly", "dossier_statistics"}
