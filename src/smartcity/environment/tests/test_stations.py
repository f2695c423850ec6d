"""Stations are registered for the sensing Things whose datastreams make them, placed in their ward."""

from __future__ import annotations

from django.core.management import call_command

from smartcity.conftest import commune
from smartcity.environment import services
from smartcity.environment.models import Station, WarningRule

from .conftest import HA_DONG, HOAN_KIEM, LONG_BIEN, make_thing


def test_demo_stations_are_registered_for_every_thing_that_makes_one(db, capsys):
    air, _ = make_thing("Trạm không khí Hoàn Kiếm", HOAN_KIEM, {"a": ("PM2.5", "µg/m3"), "b": ("CO", "mg/m3")})
    hydro, _ = make_thing("Trạm thủy văn Long Biên", LONG_BIEN,
                          {"d": ("water_level_distance", "m"), "r": ("rainfall", "mm")},
                          properties={"referenceElevation": 16.5, "floodLevels": [9.5, 10.5, 11.5]})
    school, _ = make_thing("Tiếng ồn trường học Hà Đông", HA_DONG, {"n": ("LAeq", "dBA")},
                           properties={"noiseZone": "special"})
    make_thing("Trạm khí tượng", HA_DONG, {"t": ("Temperature", "Cel")})  # makes no station

    created = services.register_things(default_flood_levels=(9.5, 10.5, 11.5))

    assert sorted((s.thing_id, s.kind) for s in created) == sorted(
        [(air.pk, "air"), (hydro.pk, "rain"), (hydro.pk, "water_level"), (school.pk, "noise")])
    river = Station.objects.get(thing=hydro, kind="water_level")
    assert river.reference_elevation_m == 16.5 and river.has_flood_levels and river.flood_level_ii == 10.5
    assert river.unit == commune("Phường Bồ Đề") and river.longitude == LONG_BIEN[0]
    assert Station.objects.get(thing=school).noise_zone == "special"
    assert Station.objects.get(thing=air).unit == commune("Phường Hoàn Kiếm")
    assert Station.objects.get(thing=air).code == "tram-khong-khi-hoan-kiem-kk"
    assert WarningRule.objects.filter(parameter="flood_level").count() == 3

    assert services.register_things(default_flood_levels=(9.5, 10.5, 11.5)) == []  # idempotent
    call_command("environment", "register-things")
    assert "Đã đăng ký 0 trạm" in capsys.readouterr().out
    assert Station.objects.count() == 4 and WarningRule.objects.count() == len(services.DEFAULT_RULES)
