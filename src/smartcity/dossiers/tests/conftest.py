"""The dossier tests sign results like production does: the leader of ward Ba Đình holds a certificate of the demo
CA (keys under a temporary directory, no timestamp authority, so no network).

The tests travel to fixed days of 2026, so the certificates are issued as of ``ISSUED`` and last until two years
after today: valid on those days and on the real day alike, whenever the suite runs."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

ISSUED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _signing(request, settings, tmp_path_factory, monkeypatch):
    settings.SMARTCITY_SIGNING_DIR = tmp_path_factory.mktemp("signing")
    settings.SMARTCITY_SIGNING_DEMO_CA = True
    settings.SMARTCITY_TSA_URL = ""
    if "leader_ba_dinh" in request.fixturenames:
        from smartcity.signing import services
        from smartcity.signing.models import Kind

        request.getfixturevalue("leader_ba_dinh")
        lasting = (dt.datetime.now(dt.UTC) - ISSUED).days + 730
        for kind in (Kind.ROOT, Kind.SEAL, Kind.OFFICER):
            monkeypatch.setitem(services.DAYS, kind, max(services.DAYS[kind], lasting))
        with time_machine.travel(ISSUED, tick=True):
            services.ensure_demo_pki()
