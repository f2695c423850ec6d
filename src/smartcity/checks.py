"""What production refuses: every demo default that would make a DEBUG-off server unsafe, as Django system checks.

The demo runs with no settings at all, so it needs public secrets and stand-ins: the sandbox payment gateway and its
HMAC secret (anyone could sign a "paid" IPN with it), the development identity provider at /idp/ and the portal's
demo client secret there, the demo certificate authority and the keys ``demo load`` made with it, a sealing key
derived from SECRET_KEY, staff accounts with published passwords and TOTP secrets, and SQLite. With ``DEBUG`` off each
of them is an error (``smartcity.E001``…), unless its own switch (``SMARTCITY_ALLOW_…=true``, documented in
docs/configuration.md) says a staging server wants it on purpose. A few misconfigurations that are not a way in —
the demo's site address or host names, notices only on the console — are warnings (``smartcity.W…``).

The checks run with ``smartcity check --deploy``, and ``refuse_to_serve`` runs them when the WSGI or ASGI
application loads: a server with any error does not serve (``gunicorn smartcity.wsgi`` exits with the list).
``production_problems`` is the settings half, a pure function of a settings object (the tests hand it their own);
``demo_data_problems`` looks at the database (certificates whose keys the demo CA made). The demo's staff accounts
with their published credentials (E011) are checked by the demo app itself (``smartcity.demo.checks``), the only
place that knows them, under the same tag — so nothing here imports the demo.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

TAG = "smartcity"
DEMO_PAYMENT_HASH_SECRET = "demo-payment-hash-secret-0123456789"
DEMO_OIDC_CLIENT_SECRET = "demo-portal-secret"
SANDBOX_PATH = "/thanh-toan/sandbox/"
DEMO_SITE_URL = "http://127.0.0.1:8000"
DEMO_ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]


def switch_hint(name: str) -> str:
    return f"Nếu đây là máy thử nghiệm và bạn chấp nhận điều đó, đặt {name}=true (docs/configuration.md)."


def production_problems(conf: Any) -> list[CheckMessage]:
    """The demo defaults in ``conf`` (Django's settings or a stand-in) that a DEBUG-off server must not run with."""
    problems: list[CheckMessage] = []

    def error(number: int, message: str, switch: str) -> None:
        if not getattr(conf, switch, False):
            problems.append(Error(message, hint=switch_hint(switch), id=f"smartcity.E{number:03d}"))

    engine = conf.DATABASES["default"]["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        error(1, "Cơ sở dữ liệu là SQLite (bản demo): đặt DATABASE_URL=postgres://… cho môi trường vận hành.",
              "SMARTCITY_ALLOW_SQLITE")
    if not conf.SMARTCITY_FIELD_KEYS:
        error(2, "SMARTCITY_FIELD_KEYS trống: khóa mã hóa các trường bí mật (khóa TOTP) đang suy ra từ SECRET_KEY.",
              "SMARTCITY_ALLOW_DERIVED_FIELD_KEYS")
    if conf.PAYMENT_GATEWAY_HASH_SECRET == DEMO_PAYMENT_HASH_SECRET:
        error(3, "PAYMENT_GATEWAY_HASH_SECRET là khóa demo công khai trong mã nguồn: ai cũng ký được IPN "
                 "“đã thanh toán”.", "SMARTCITY_ALLOW_DEMO_PAYMENTS")
    sandbox_urls = [name for name in ("PAYMENT_GATEWAY_URL", "PAYMENT_GATEWAY_API_URL", "PAYMENT_GATEWAY_REPORT_URL")
                    if SANDBOX_PATH in getattr(conf, name)]
    if sandbox_urls:
        error(4, f"{', '.join(sandbox_urls)} trỏ tới cổng thanh toán thử nghiệm ({SANDBOX_PATH}).",
              "SMARTCITY_ALLOW_DEMO_PAYMENTS")
    if conf.PAYMENT_SANDBOX_ENABLED:
        error(5, "PAYMENT_SANDBOX_ENABLED: cổng thanh toán thử nghiệm (nộp phí không cần tiền) đang bật.",
              "SMARTCITY_ALLOW_DEMO_PAYMENTS")
    if conf.DEV_IDP_ENABLED:
        error(6, "DEV_IDP_ENABLED: nhà cung cấp định danh thử nghiệm /idp/ (thay cho VNeID) đang bật.",
              "SMARTCITY_ALLOW_DEMO_IDP")
    if conf.OIDC_ISSUER.rstrip("/") == f"{conf.SITE_URL.rstrip('/')}/idp":
        error(7, "OIDC_ISSUER là nhà cung cấp định danh thử nghiệm của chính cổng (/idp/), không phải VNeID.",
              "SMARTCITY_ALLOW_DEMO_IDP")
    if conf.OIDC_CLIENT_SECRET == DEMO_OIDC_CLIENT_SECRET:
        error(8, "OIDC_CLIENT_SECRET là khóa demo công khai trong mã nguồn.", "SMARTCITY_ALLOW_DEMO_OIDC_SECRET")
    if conf.SMARTCITY_SIGNING_DEMO_CA or conf.SMARTCITY_TSA_URL == "demo":
        error(9, "SMARTCITY_SIGNING_DEMO_CA / SMARTCITY_TSA_URL=demo: CA và máy chủ dấu thời gian thử nghiệm đang "
                 "bật (tin cậy gốc demo, ký bằng khóa demo).", "SMARTCITY_ALLOW_DEMO_CA")
    if conf.CELERY_BROKER_URL.startswith("filesystem://"):
        error(12, "SMARTCITY_BROKER_URL là thư mục của bản demo: tác vụ nền đang chạy dở mất khi worker bị dừng; "
                  "đặt redis://… hoặc amqp://… (docs/jobs.md).", "SMARTCITY_ALLOW_FOLDER_BROKER")
    if not conf.AUDIT_CHECKPOINT_DIR:
        error(13, "SMARTCITY_AUDIT_CHECKPOINT_DIR trống: đầu chuỗi nhật ký truy cập không được neo ra ngoài cơ sở dữ "
                  "liệu, nên việc cắt đuôi hoặc tính lại chuỗi không bị phát hiện (docs/audit.md).",
              "SMARTCITY_ALLOW_NO_AUDIT_CHECKPOINTS")
    if not conf.AUDIT_CHAIN_KEYS:
        error(14, "SMARTCITY_AUDIT_KEYS trống: khóa chuỗi nhật ký truy cập suy ra từ SECRET_KEY, nên ai giữ cả cơ sở "
                  "dữ liệu và SECRET_KEY tính lại được chuỗi (docs/audit.md).", "SMARTCITY_ALLOW_DERIVED_AUDIT_KEYS")
    if conf.SITE_URL.rstrip("/") == DEMO_SITE_URL:
        problems.append(Warning("SITE_URL là địa chỉ của bản demo (http://127.0.0.1:8000): liên kết trả về của "
                                "OIDC, thanh toán và thông báo sẽ sai.", id="smartcity.W001"))
    if list(conf.ALLOWED_HOSTS) == DEMO_ALLOWED_HOSTS:
        problems.append(Warning("ALLOWED_HOSTS là giá trị của bản demo.", id="smartcity.W002"))
    if list(conf.NOTIFY_CHANNELS) == ["console"]:
        problems.append(Warning("NOTIFY_CHANNELS=console: thông báo cho người nộp hồ sơ chỉ ghi ra nhật ký.",
                                id="smartcity.W003"))
    return problems


def demo_data_problems(conf: Any) -> list[CheckMessage]:
    """Certificates whose keys the demo CA made (the demo's staff accounts: ``smartcity.demo.checks``)."""
    from smartcity.signing.models import Certificate

    problems: list[CheckMessage] = []
    if not conf.SMARTCITY_ALLOW_DEMO_CA:
        demo_keys = Certificate.objects.usable().filter(key_secret="derived").count()
        if demo_keys:
            problems.append(Error(
                f"{demo_keys} chứng thư số còn hiệu lực có khóa do CA thử nghiệm tạo (`demo load`): kết quả sẽ được "
                "ký bằng khóa demo. Thu hồi chúng và đăng ký chứng thư của CA thật (docs/signing.md).",
                hint=switch_hint("SMARTCITY_ALLOW_DEMO_CA"), id="smartcity.E010"))
    return problems


@register(TAG, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [] if settings.DEBUG else production_problems(settings)


@register(TAG, deploy=True)
def check_demo_data(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    try:
        tables = set(connection.introspection.table_names())
        if not {"signing_certificate", "identity_user"} <= tables:
            return []  # not migrated yet: no demo data either
        return demo_data_problems(settings)
    except DatabaseError as exc:  # not migrated yet, or unreachable: `migrate` comes first, then this check
        return [Warning(f"Không kiểm tra được dữ liệu demo trong cơ sở dữ liệu: {exc}", id="smartcity.W004")]


def refuse_to_serve() -> None:
    """Raise ``ImproperlyConfigured`` listing every error of the checks above (a DEBUG-off server must not serve)."""
    if settings.DEBUG:
        return
    errors = [m for m in run_checks(include_deployment_checks=True, tags=[TAG]) if m.is_serious()]
    if errors:
        raise ImproperlyConfigured("Không khởi động với cấu hình demo (smartcity check --deploy):\n"
                                   + "\n".join(f"{m.id}: {m.msg} {m.hint or ''}".strip() for m in errors))
