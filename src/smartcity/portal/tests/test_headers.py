"""Every response carries a strict Content-Security-Policy and a Permissions-Policy; anything that may hold
personal data is sent ``Cache-Control: no-store``; no template has an inline script or event handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import smartcity

pytestmark = pytest.mark.django_db

SRC = Path(smartcity.__file__).parent


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


@pytest.mark.parametrize("path", ["/", "/thu-tuc/", "/api/v1/health", "/khong-co-trang-nay/", "/account/login/"])
def test_every_response_carries_a_strict_policy_and_a_permissions_policy(client, path):
    response = client.get(path)
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"] and csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    assert csp["form-action"][0] == "'self'"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_forms_may_post_to_the_payment_gateway_and_identity_provider_only():
    from django.conf import settings as live

    assert live.CONTENT_SECURITY_POLICY.endswith("form-action 'self' http://127.0.0.1:8000")  # the demo's own


def test_the_development_identity_providers_forms_may_redirect_to_any_client(client):
    csp = _directives(client.get("/idp/login/"))
    assert "form-action" not in csp and csp["script-src"] == ["'self'"]


def test_public_pages_may_be_cached_but_not_once_signed_in(client, an):
    assert "no-store" not in client.get("/thu-tuc/").get("Cache-Control", "")
    client.force_login(an)
    for path in ("/", "/thu-tuc/", "/ho-so/", "/kho-du-lieu/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], path


@pytest.mark.parametrize("path", ["/api/v1/procedures", "/api/v1/identity/me", "/kho-du-lieu/chia-se/khong-co/",
                                  "/idp/.well-known/openid-configuration"])
def test_the_api_share_links_and_the_identity_provider_are_never_stored(client, path):
    assert "no-store" in client.get(path)["Cache-Control"]


def test_a_signed_in_download_is_not_stored(client, an, tmp_path, settings):
    from smartcity.vault import services as vault

    settings.MEDIA_ROOT = tmp_path
    document = vault.store(owner_id=an.person_id, pdf=b"%PDF-1.7\n%%EOF\n", title="Giấy khai sinh",
                           issuer=None, reference="T-1", procedure_code="", signed=False, issued_at=None)
    client.force_login(an)
    response = client.get(f"/kho-du-lieu/{document.pk}/tai-ve/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    offending = []
    for template in SRC.glob("*/templates/**/*.html"):
        text = template.read_text()
        if INLINE_SCRIPT.search(text) or HANDLER.search(text) or "javascript:" in text:
            offending.append(str(template.relative_to(SRC)))
    assert offending == []


def test_the_pages_load_their_one_script_from_a_static_file(client):
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/portal/site\.js" defer></script>', html)
    assert 'data-autosubmit' in html and "onchange" not in html
