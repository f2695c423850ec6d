"""The API keeps the contract its OpenAPI document states: schemathesis sends generated requests to every operation
of /api/v1/openapi.json — anonymously, as citizen An and as the city administrator — and every answer must be no
server error, a status the document declares for that route, with the declared content type and a body that matches
the declared schema.

The run is bounded and deterministic (a fixed number of examples per operation, ``derandomize``), so it takes a
couple of minutes and fails the same way twice. Every failing operation is listed at the end, not just the first.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from smartcity.payments import gateways, sandbox
from smartcity.wsgi import application

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
EXAMPLES_PER_OPERATION = 15
# Every operation of the document is run; none is left out. The payment IPN is included: it only checks the
# gateway's signature against our own secret (an unsigned request answers RspCode 97) and never calls the gateway.
# The one call that would leave the process — a reconciliation without a report downloads the gateway's — is served
# by the sandbox gateway's own report, in process (see ``_offline_gateway``).
EXCLUDED: dict[str, str] = {}


def _session(user) -> tuple[dict[str, str], dict[str, str]]:
    """The headers and cookies of a signed-in browser: the session and CSRF cookies, and the token as X-CSRFToken."""
    if user is None:
        return {}, {}
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    token = get_token(request)
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
               settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"]}
    return {"X-CSRFToken": token}, cookies


def _failures(operation, headers: dict[str, str], cookies: dict[str, str]) -> list[str]:
    found: list[str] = []  # hypothesis replays the failing example once more: keep each report once

    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                         report_multiple_bugs=False)
    @given(case=operation.as_strategy())
    def run(case) -> None:
        response = case.call(headers=headers, cookies=cookies)
        try:
            case.validate_response(response, checks=CHECKS)
        except AssertionError as exc:
            report = (f"{operation.verbose_name}: {case.method} {case.formatted_path} "
                      f"query={case.query} body={str(case.body)[:200]} → {response.status_code} "
                      f"{response.get_data(as_text=True)[:300]}\n    {str(exc).strip()[:300]}")
            if report not in found:
                found.append(report)
            raise

    try:
        run()
    except AssertionError:
        pass  # recorded above; the other operations still run
    return found


@contextmanager
def _keeping_the_test_connection():
    """The WSGI application closes the database connection after each request (``close_old_connections`` on
    ``request_finished``), which on PostgreSQL ends the test's transaction; Django's own test client holds these
    signals off around each of its requests in the same way (and connects them again after: so this wraps only the
    schemathesis run, after any test-client request)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def _offline_gateway(monkeypatch):
    """The gateway's daily report from the sandbox gateway in process, not over HTTP (tests make no network calls)."""
    monkeypatch.setattr(gateways.VnpayGateway, "fetch_report", lambda self, day: sandbox.report_of(day))


@pytest.mark.parametrize("persona", ["anonymous", "an", "city_admin"])
def test_every_operation_keeps_the_documented_contract(persona, request, db, _offline_gateway):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    headers, cookies = _session(user)
    if user is not None:  # the run really is signed in as the persona
        browser = Client()
        browser.cookies.load(cookies)
        assert browser.get("/api/v1/identity/me", headers=headers).json()["username"] == user.username
    schemathesis.experimental.OPEN_API_3_1.enable()  # ninja writes OpenAPI 3.1 (nullable as anyOf [..., null])
    failures: list[str] = []
    with _keeping_the_test_connection():
        schema = schemathesis.from_wsgi("/api/v1/openapi.json", application)
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.verbose_name in EXCLUDED:
                continue
            failures.extend(_failures(operation, headers, cookies))
    assert not failures, f"{len(failures)} operation(s) broke the contract as {persona}:\n" + "\n".join(failures)


def test_an_anonymous_write_is_401_not_a_csrf_403(db):
    """Nobody signed in is told to sign in, in the one error shape; a CSRF token could not help them."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/api/v1/vault/documents/1/shares", {"days": 3}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"errors": [{"code": "unauthenticated",
                                           "message": "Cần đăng nhập (authentication required)"}]}


def test_a_signed_in_write_without_its_csrf_token_is_403(an):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(an)
    response = browser.post("/api/v1/vault/documents/1/shares", {"days": 3}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == "CSRF check Failed"


def test_every_error_the_document_declares_has_the_one_error_shape(client, db):
    # Two answers keep their own documented bodies: readiness names each failing check, and the browser-return
    # check says why the gateway's return did not verify.
    own_bodies = {("/api/v1/ready", "503"), ("/api/v1/payments/return", "400")}
    document = client.get("/api/v1/openapi.json").json()
    declared = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status[0] in "45" and (path, status) not in own_bodies:
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorsOut"}, (method, path, status)
                    declared += 1
    assert declared > 100
