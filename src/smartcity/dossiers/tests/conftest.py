"""The dossier tests sign results like production does: the leader of ward Ba Đình holds a certificate of the demo
CA (keys under a temporary directory, no timestamp authority, so no network)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _signing(request, settings, tmp_path_factory):
    settings.SMARTCITY_SIGNING_DIR = tmp_path_factory.mktemp("signing")
    settings.SMARTCITY_SIGNING_DEMO_CA = True
    settings.SMARTCITY_TSA_URL = ""
    if "leader_ba_dinh" in request.fixturenames:
        from smartcity.signing import services

        request.getfixturevalue("leader_ba_dinh")
        services.ensure_demo_pki()
