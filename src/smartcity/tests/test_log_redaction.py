"""No access log the platform configures carries a share token, a tracking secret, an OpenID Connect code or an ID
number: Django's django.request and django.server loggers, and gunicorn's access log (ops.gunicorn)."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from django.urls import resolve

from smartcity.lib.redact import SECRET_PATH_PREFIXES, redact

TOKEN = "Zq3xV9kPw2LmT7rB5nY8cD4fH6jK1sA0"
ID_NUMBER = "001090012345"


@pytest.fixture
def captured(caplog):
    """caplog's handler on Django's access loggers themselves (they do not propagate to the root logger)."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.server")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield caplog
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def test_a_share_link_request_logs_no_token(client, db, captured):
    for path in (f"/kho-du-lieu/chia-se/{TOKEN}/", f"/api/v1/vault/shared/{TOKEN}", f"/api/v1/vault/shared/{TOKEN}/file"):
        assert client.get(path).status_code == 404
    logged = "\n".join(record.getMessage() for record in captured.records)
    assert "/kho-du-lieu/chia-se/***/" in logged and "/api/v1/vault/shared/***/file" in logged
    assert TOKEN not in logged


def test_the_development_servers_access_line_hides_tokens_secrets_codes_and_id_numbers(captured):
    line = (f"GET /tra-cuu/?code=000.01.50.H26-261123-0001&secret=ABCD2345 HTTP/1.1, "
            f"GET /account/oidc/callback/?code={TOKEN}&state=xyz HTTP/1.1, "
            f"GET /moi-truong/dang-ky/huy/{TOKEN}/ HTTP/1.1, GET /dan-cu/?so={ID_NUMBER}&token={TOKEN} HTTP/1.1")
    logging.getLogger("django.server").info('"%s" %s %s', line, "200", "512")
    logged = captured.records[-1].getMessage()
    for secret in (TOKEN, "ABCD2345", "state=xyz", ID_NUMBER):
        assert secret not in logged, secret
    assert "secret=***" in logged and "/moi-truong/dang-ky/huy/***/" in logged and "001******345" in logged


def test_every_secret_path_prefix_is_a_route_of_the_platform():
    for prefix in SECRET_PATH_PREFIXES:
        resolve(prefix + "x/" if not prefix.startswith("/api/") else prefix + "x")


def test_ordinary_paths_and_parameters_are_left_alone():
    text = "GET /thu-tuc/?q=khai+sinh&page=2 HTTP/1.1 /thanh-toan/sandbox/paymentv2/vpcpay.html?vnp_Amount=5000000"
    assert redact(text) == text


def test_gunicorns_access_log_is_redacted(tmp_path):
    pytest.importorskip("gunicorn")
    from gunicorn.config import Config

    from smartcity.ops.gunicorn import RedactingLogger

    log_file = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log_file))
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s q=%(q)s ref=%(f)s')
    logger = RedactingLogger(cfg)
    environ = {"REMOTE_ADDR": "203.0.113.1", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1",
               "RAW_URI": f"/kho-du-lieu/chia-se/{TOKEN}/?so={ID_NUMBER}", "PATH_INFO": f"/kho-du-lieu/chia-se/{TOKEN}/",
               "QUERY_STRING": f"token={TOKEN}&so={ID_NUMBER}",
               "HTTP_REFERER": f"https://dichvucong.example.vn/tra-cuu/?code=X&secret={TOKEN}"}
    response = SimpleNamespace(status="200 OK", headers=[], sent=512)
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    written = log_file.read_text()
    assert "/kho-du-lieu/chia-se/***/" in written and "q=token=***" in written and "secret=***" in written
    assert TOKEN not in written and ID_NUMBER not in written
