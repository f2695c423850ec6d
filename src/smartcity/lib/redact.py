"""A logging filter that masks personal ID numbers and the secrets that travel in URLs, in every log record.

The audit log is where personal-data access is recorded; application and access logs must never carry ID numbers
(Decree 13/2023/NĐ-CP on personal data protection), nor anything that opens a door when read back from a log file:

* 12-digit personal ID numbers (and 9-digit legacy ID cards) anywhere in the text;
* tokens that are part of a path: share links of the document store (``/kho-du-lieu/chia-se/<token>/``,
  ``/api/v1/vault/shared/<token>``), the confirm/cancel links of warning subscriptions
  (``/moi-truong/dang-ky/xac-nhan/<token>/``, ``…/huy/<token>/``), the payment sandbox's page
  (``/thanh-toan/sandbox/paymentv2/<token>/``);
* secrets in a query string: ``token``, ``secret`` (dossier tracking), ``code`` and ``state`` (OpenID Connect
  call-backs), OAuth's ``access_token``, ``id_token``, ``refresh_token``, ``client_secret``, ``code_verifier``,
  ``nonce``, and the payment gateway's ``vnp_SecureHash``.

``RedactFilter`` is on the platform's handlers and on Django's ``django.server`` and ``django.request`` loggers
(settings.LOGGING); ``smartcity.ops.gunicorn.RedactingLogger`` puts it on gunicorn's access and error logs. The filter
formats the record once and masks the result.
"""

from __future__ import annotations

import logging
import re

_ID_NUMBER = re.compile(r"(?<![0-9])([0-9]{3})[0-9]{6}([0-9]{3})(?![0-9])|(?<![0-9])[0-9]{9}(?![0-9])")

MASK = "***"
# Path segments that are secrets (the URL patterns in vault/urls.py, vault/api.py, environment/urls.py and
# payments/urls.py; smartcity/tests/test_log_redaction.py checks each against the URL configuration).
SECRET_PATH_PREFIXES = (
    "/kho-du-lieu/chia-se/",
    "/api/v1/vault/shared/",
    "/moi-truong/dang-ky/xac-nhan/",
    "/moi-truong/dang-ky/huy/",
    "/thanh-toan/sandbox/paymentv2/",
)
SECRET_QUERY_PARAMETERS = ("token", "secret", "code", "state", "access_token", "id_token", "refresh_token",
                           "client_secret", "code_verifier", "nonce", "vnp_SecureHash")

_SECRET_PATH = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")(?!vpcpay\.html)[^/?#\s\"'<>]+")
# A parameter after ?, & or ; — or at the start of a bare query string (gunicorn's %(q)s atom), or after a space,
# a quote or "=" (a log line's "q=token=…").
_SECRET_QUERY = re.compile(
    r"((?:^|[?&;\s\"'=])(?:" + "|".join(re.escape(name) for name in SECRET_QUERY_PARAMETERS) + r")=)[^&#\s\"'<>]*",
    re.IGNORECASE)


def mask_id_numbers(text: str) -> str:
    def _mask(match: re.Match[str]) -> str:
        if match.group(1):
            return f"{match.group(1)}******{match.group(2)}"
        return "*********"

    return _ID_NUMBER.sub(_mask, text)


def mask_url_secrets(text: str) -> str:
    """``text`` with the tokens of secret paths and the values of secret query parameters replaced by ``***``."""
    text = _SECRET_PATH.sub(lambda m: m.group(1) + MASK, text)
    return _SECRET_QUERY.sub(lambda m: m.group(1) + MASK, text)


def redact(text: str) -> str:
    """Everything this module masks, masked."""
    return mask_id_numbers(mask_url_secrets(text))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
