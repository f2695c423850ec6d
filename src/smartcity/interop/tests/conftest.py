"""Personas of the interop tests: the published services, two registered client systems (the social-insurance
agency, registered for residence verification and dossier status; a school system registered for nothing), and a
dossier of An's."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import pytest

from smartcity.interop import services

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def published(db):
    services.ensure_services()


@pytest.fixture
def insurance(published):
    """The city's social-insurance office: residence verification for "residence-check", dossier status and
    result for "dossier-processing"."""
    client, secret = services.register_client(
        client_id="bhxh-hanoi", name="Hệ thống BHXH Hà Nội", agency_name="Bảo hiểm xã hội thành phố Hà Nội",
        grants={services.RESIDENCE: ["residence-check"], services.DOSSIER_STATUS: ["dossier-processing"],
                services.DOSSIER_RESULT: ["dossier-processing"]})
    client.secret = secret
    return client


@pytest.fixture
def school(published):
    client, secret = services.register_client(client_id="truong-hoc", name="Phần mềm tuyển sinh",
                                              agency_name="Sở Giáo dục và Đào tạo", grants={})
    client.secret = secret
    return client


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(django_client, system, scope: str = "") -> str:
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    r = django_client.post("/interop/oauth/token", urlencode(data), content_type=FORM,
                           HTTP_AUTHORIZATION=basic(system.client_id, system.secret))
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


@pytest.fixture
def dossier_of_an(an, settings, tmp_path):
    from smartcity.dossiers.tests.test_lifecycle import submit
    from smartcity.procedures.services import load_catalogue

    settings.MEDIA_ROOT = tmp_path
    load_catalogue()
    return submit(an)
