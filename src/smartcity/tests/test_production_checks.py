"""A DEBUG-off server refuses every demo default (``smartcity.checks``) unless its own switch lets it through."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from smartcity import checks
from smartcity import settings as project_settings

SRC = Path(__file__).resolve().parents[2]
SMARTCITY = Path(sys.executable).with_name("smartcity")
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"  # any database: the checks need no tables

PRODUCTION: dict[str, Any] = {
    "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql"}},
    "SMARTCITY_FIELD_KEYS": [Fernet.generate_key().decode()],
    "PAYMENT_GATEWAY_URL": "https://pay.vnpay.vn/vpcpay.html",
    "PAYMENT_GATEWAY_API_URL": "https://merchant.vnpay.vn/merchant_webapi/api/transaction",
    "PAYMENT_GATEWAY_REPORT_URL": "https://merchant.vnpay.vn/doi-soat.csv",
    "PAYMENT_GATEWAY_HASH_SECRET": "a-real-merchant-secret-from-the-gateway",
    "PAYMENT_SANDBOX_ENABLED": False,
    "DEV_IDP_ENABLED": False,
    "SITE_URL": "https://dichvucong.hanoi.example.vn",
    "OIDC_ISSUER": "https://sso.vneid.example.vn",
    "OIDC_CLIENT_SECRET": "a-real-client-secret-from-vneid",
    "SMARTCITY_SIGNING_DEMO_CA": False,
    "SMARTCITY_TSA_URL": "https://tsa.example.vn",
    "ALLOWED_HOSTS": ["dichvucong.hanoi.example.vn"],
    "NOTIFY_CHANNELS": ["email", "sms"],
    "CELERY_BROKER_URL": "redis://redis.hanoi.example.vn:6379/0",
    "AUDIT_CHECKPOINT_DIR": "/srv/worm/audit-checkpoints",
    "AUDIT_CHAIN_KEYS": ["k2026:a-real-audit-chain-key-kept-outside-the-database"],
}


def problems(**changes: Any) -> list[str]:
    return [message.id for message in checks.production_problems(SimpleNamespace(**(PRODUCTION | changes)))]


def test_a_real_production_configuration_is_clean():
    assert problems() == []


@pytest.mark.parametrize(("change", "error", "switch"), [
    ({"DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3"}}}, "smartcity.E001", "SMARTCITY_ALLOW_SQLITE"),
    ({"SMARTCITY_FIELD_KEYS": []}, "smartcity.E002", "SMARTCITY_ALLOW_DERIVED_FIELD_KEYS"),
    ({"PAYMENT_GATEWAY_HASH_SECRET": checks.DEMO_PAYMENT_HASH_SECRET}, "smartcity.E003",
     "SMARTCITY_ALLOW_DEMO_PAYMENTS"),
    ({"PAYMENT_GATEWAY_URL": "https://dichvucong.hanoi.example.vn/thanh-toan/sandbox/paymentv2/vpcpay.html"},
     "smartcity.E004", "SMARTCITY_ALLOW_DEMO_PAYMENTS"),
    ({"PAYMENT_SANDBOX_ENABLED": True}, "smartcity.E005", "SMARTCITY_ALLOW_DEMO_PAYMENTS"),
    ({"DEV_IDP_ENABLED": True}, "smartcity.E006", "SMARTCITY_ALLOW_DEMO_IDP"),
    ({"OIDC_ISSUER": "https://dichvucong.hanoi.example.vn/idp/"}, "smartcity.E007", "SMARTCITY_ALLOW_DEMO_IDP"),
    ({"OIDC_CLIENT_SECRET": checks.DEMO_OIDC_CLIENT_SECRET}, "smartcity.E008", "SMARTCITY_ALLOW_DEMO_OIDC_SECRET"),
    ({"SMARTCITY_SIGNING_DEMO_CA": True}, "smartcity.E009", "SMARTCITY_ALLOW_DEMO_CA"),
    ({"SMARTCITY_TSA_URL": "demo"}, "smartcity.E009", "SMARTCITY_ALLOW_DEMO_CA"),
    ({"CELERY_BROKER_URL": "filesystem://localhost/"}, "smartcity.E012", "SMARTCITY_ALLOW_FOLDER_BROKER"),
    ({"AUDIT_CHECKPOINT_DIR": ""}, "smartcity.E013", "SMARTCITY_ALLOW_NO_AUDIT_CHECKPOINTS"),
    ({"AUDIT_CHAIN_KEYS": []}, "smartcity.E014", "SMARTCITY_ALLOW_DERIVED_AUDIT_KEYS"),
])
def test_each_demo_default_is_an_error_unless_its_own_switch_allows_it(change, error, switch):
    assert problems(**change) == [error]
    assert problems(**change, **{switch: True}) == []


def test_the_demo_addresses_and_console_notices_are_warnings():
    assert problems(SITE_URL="http://127.0.0.1:8000", OIDC_ISSUER="https://sso.vneid.example.vn",
                    ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
                    NOTIFY_CHANNELS=["console"]) == ["smartcity.W001", "smartcity.W002", "smartcity.W003"]


def test_the_checks_know_the_demo_values_settings_default_to():
    assert project_settings._DEMO_PAYMENT_SECRET == checks.DEMO_PAYMENT_HASH_SECRET
    assert project_settings._DEMO_OIDC_CLIENT_SECRET == checks.DEMO_OIDC_CLIENT_SECRET


def test_the_demo_runs_with_debug_on_and_no_settings(settings):
    settings.DEBUG = True
    assert checks.check_production_settings() == [] and checks.check_demo_data() == []


def _demo_certificate(**extra: Any) -> Any:
    from smartcity.signing.models import Certificate

    now = timezone.now()
    return Certificate.objects.create(
        kind="root", subject="CN=CA thử nghiệm", issuer="CN=CA thử nghiệm", serial="01", fingerprint="ab" * 32,
        not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=365), pem="",
        key_backend="pkcs12", key_location="root-01.p12", key_secret="derived", **extra)


def test_keys_the_demo_ca_made_are_an_error_until_revoked(db, settings):
    settings.SMARTCITY_ALLOW_DEMO_CA = False
    certificate = _demo_certificate()
    assert [m.id for m in checks.demo_data_problems(settings)] == ["smartcity.E010"]
    settings.SMARTCITY_ALLOW_DEMO_CA = True
    assert checks.demo_data_problems(settings) == []
    settings.SMARTCITY_ALLOW_DEMO_CA = False
    certificate.revoked_at, certificate.revocation_reason = timezone.now(), "cessation_of_operation"
    certificate.save()
    assert checks.demo_data_problems(settings) == []


# ------------------------------------------------------------------- the command and the server, as deployed


def _environment(**variables: str) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items()
            if name in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}}
    return keep | {"PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "smartcity.settings", "DEBUG": "false",
                   "SECRET_KEY": "a-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"} | variables


REAL = {
    "DATABASE_URL": POSTGRES_URL,
    "SMARTCITY_FIELD_KEYS": PRODUCTION["SMARTCITY_FIELD_KEYS"][0],
    "SITE_URL": PRODUCTION["SITE_URL"],
    "ALLOWED_HOSTS": "dichvucong.hanoi.example.vn",
    "NOTIFY_CHANNELS": "email,sms",
    "OIDC_ISSUER": PRODUCTION["OIDC_ISSUER"],
    "OIDC_CLIENT_SECRET": PRODUCTION["OIDC_CLIENT_SECRET"],
    "PAYMENT_GATEWAY_URL": PRODUCTION["PAYMENT_GATEWAY_URL"],
    "PAYMENT_GATEWAY_API_URL": PRODUCTION["PAYMENT_GATEWAY_API_URL"],
    "PAYMENT_GATEWAY_REPORT_URL": PRODUCTION["PAYMENT_GATEWAY_REPORT_URL"],
    "PAYMENT_GATEWAY_HASH_SECRET": PRODUCTION["PAYMENT_GATEWAY_HASH_SECRET"],
    "SMARTCITY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "SMARTCITY_AUDIT_KEYS": "k2026:YS1yZWFsLWF1ZGl0LWNoYWluLWtleS1rZXB0LW91dHNpZGU",
    "SMARTCITY_AUDIT_CHECKPOINT_DIR": "/tmp/smartcity-test-audit-checkpoints",
}
EVERY_DEMO_SWITCH = {"DEV_IDP_ENABLED": "true", "PAYMENT_SANDBOX_ENABLED": "true",
                     "SMARTCITY_SIGNING_DEMO_CA": "true"}


def _run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def test_check_deploy_reports_every_demo_default_of_a_server_started_with_no_settings(tmp_path):
    result = _run(str(SMARTCITY), "check", "--deploy",
                  env=_environment(SMARTCITY_VAR_DIR=str(tmp_path), **EVERY_DEMO_SWITCH), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    for number in (*range(1, 10), 12, 13, 14):
        assert f"smartcity.E{number:03d}" in result.stderr, result.stderr


def test_check_deploy_is_clean_with_a_real_production_configuration(tmp_path):
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    result = _run(str(SMARTCITY), "check", "--deploy", "--fail-level", "WARNING",
                  env=_environment(SMARTCITY_VAR_DIR=str(tmp_path), **REAL), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_wsgi_application_refuses_to_load_with_a_demo_default(tmp_path):
    demo = _run(sys.executable, "-c", "import smartcity.wsgi",
                env=_environment(SMARTCITY_VAR_DIR=str(tmp_path), **REAL | {"PAYMENT_GATEWAY_HASH_SECRET": checks.DEMO_PAYMENT_HASH_SECRET}),
                cwd=tmp_path)
    assert demo.returncode != 0
    assert "ImproperlyConfigured" in demo.stderr and "smartcity.E003" in demo.stderr
    assert "smartcity.E001" not in demo.stderr
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    real = _run(sys.executable, "-c", "import smartcity.wsgi, smartcity.asgi; print('serving')",
                env=_environment(SMARTCITY_VAR_DIR=str(tmp_path), **REAL), cwd=tmp_path)
    assert real.returncode == 0 and "serving" in real.stdout, real.stderr


def test_gunicorn_does_not_serve_with_a_demo_default(tmp_path):
    gunicorn = SMARTCITY.with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed")
    result = _run(str(gunicorn), "--check-config", "smartcity.wsgi:application",
                  env=_environment(SMARTCITY_VAR_DIR=str(tmp_path), **REAL | {"OIDC_CLIENT_SECRET": "demo-portal-secret"}),
                  cwd=tmp_path)
    assert result.returncode != 0 and "smartcity.E008" in result.stdout + result.stderr


def test_the_asgi_application_refuses_to_load_with_sqlite(tmp_path):
    result = _run(sys.executable, "-c", "import smartcity.asgi",
                  env=_environment(SMARTCITY_VAR_DIR=str(tmp_path), **REAL | {"DATABASE_URL": "sqlite:///x.db"}),
                  cwd=tmp_path)
    assert result.returncode != 0 and "smartcity.E001" in result.stderr
