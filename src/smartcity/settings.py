"""Django settings, twelve-factor: every value comes from the environment, with defaults that run the demo.

Each variable is documented in docs/configuration.md. The demo (embedded SQLite under var/) needs none of them.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from smartcity.lib.keys import load_or_create_rsa_key
from smartcity.lib.tiles import tile_source

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SMARTCITY_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return default if value is None else int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
_DEMO_SECRET = "demo-only-secret-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEMO_SECRET)
if not DEBUG and SECRET_KEY == _DEMO_SECRET:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# Fernet keys for the secrets kept encrypted in the database (``lib.sealed``); empty: one derived from SECRET_KEY.
SMARTCITY_FIELD_KEYS = env_list("SMARTCITY_FIELD_KEYS", "")
try:
    from smartcity.lib.sealed import check_keys

    check_keys(SMARTCITY_FIELD_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
# --- Audit log (smartcity.audit): the chain key and the checkpoints outside the database (docs/audit.md) ---
# HMAC keys of the audit chain, "id:key" comma-separated, the first makes new entries; empty: derived from SECRET_KEY,
# which production refuses (whoever holds the database and SECRET_KEY could re-compute the chain).
AUDIT_CHAIN_KEYS = env_list("SMARTCITY_AUDIT_KEYS", "")
try:
    from smartcity.audit.chain import check_keys as check_audit_keys

    check_audit_keys(AUDIT_CHAIN_KEYS)
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from None
# Where checkpoints of the chain are written (storage the database role cannot rewrite); production names it.
AUDIT_CHECKPOINT_DIR = env_str("SMARTCITY_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "audit-checkpoints") if DEBUG else "")
# What signs checkpoints (dotted path of a CheckpointSigner; empty: HMAC only), and the agency whose seal it uses.
AUDIT_CHECKPOINT_SIGNER = env_str("SMARTCITY_AUDIT_CHECKPOINT_SIGNER", "smartcity.signing.checkpoints.SealSigner")
AUDIT_CHECKPOINT_SEAL_AGENCY = env_str("SMARTCITY_AUDIT_CHECKPOINT_SEAL_AGENCY", "000.00.00.H26")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "oauth2_provider",
    "django_celery_results",
    "smartcity.jobs",
    "smartcity.places",
    "smartcity.audit",
    "smartcity.notifications",
    "smartcity.agencies",
    "smartcity.population",
    "smartcity.identity",
    "smartcity.procedures",
    "smartcity.signing",
    "smartcity.payments",
    "smartcity.vault",
    "smartcity.dossiers",
    "smartcity.sensing",
    "smartcity.environment",
    "smartcity.education",
    "smartcity.feedback",
    "smartcity.interop",
    "smartcity.ioc",
    "smartcity.opendata",
    "smartcity.portal",
    "smartcity.ops",
    "smartcity.demo",  # last: the top layer, it loads every app's demo data
]

MIDDLEWARE = [
    "smartcity.lib.nul.RejectNulMiddleware",  # first: a NUL never reaches a cookie lookup, a view or the database
    "django.middleware.security.SecurityMiddleware",
    "smartcity.lib.headers.SecurityHeadersMiddleware",  # CSP, Permissions-Policy, no-store (see "Sessions and headers")
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smartcity.portal.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "smartcity.identity.middleware.SessionLimitsMiddleware",  # idle / absolute session limits (after messages)
    "smartcity.interop.middleware.BearerTokenMiddleware",  # /api/v1 with a client-credentials token (docs/interop.md)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "smartcity.audit.middleware.RequestContextMiddleware",
    "smartcity.ops.unavailable.UnavailableMiddleware",
    # With DEBUG on (the demo), the portal's own 404/403/400/500 pages instead of Django's technical ones
    "smartcity.portal.errors.PortalErrorPagesMiddleware",
]

ROOT_URLCONF = "smartcity.urls"
WSGI_APPLICATION = "smartcity.wsgi.application"
ASGI_APPLICATION = "smartcity.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # the project's own: the error pages 400/403/404/500, the back office's base_site
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartcity.portal.context_processors.shell",  # the city's name, emblem, footer; the menu's rights
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'smartcity.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif not env_bool("DB_JIT", False):
    # PostgreSQL's JIT compiles every query the planner thinks expensive (the month's statistics, say) and spends
    # 100–400 ms doing it for queries that then run in a few hundred: off unless DB_JIT=true.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and sessions -------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # Files under var/: the web server and the job workers are separate processes and must see one cache (the
    # statistics the refresh job computes, the banner a warning check clears).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(VAR_DIR / "cache")}}
MQTT_URL = env_str("MQTT_URL", "")
# The public statistics and scorecard of a period are computed once per this many seconds (one query over
# millions of dossiers per visitor, or per crawler hit, would be a way to load the database at will).
STATISTICS_CACHE_SECONDS = env_int("STATISTICS_CACHE_SECONDS", 300)

# --- background jobs (smartcity.jobs, on Celery; see docs/jobs.md) -------------------------------------------
# The broker workers take jobs from: redis://… or amqp://… in production. The demo's default is a folder under var/
# (kombu's filesystem transport: no server to run, but a job held by a worker that is killed is lost there).
CELERY_BROKER_URL = env_str("SMARTCITY_BROKER_URL", "filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(_BROKER_DIR / "queue"),
                                       "data_folder_out": str(_BROKER_DIR / "queue"),
                                       "control_folder": str(_BROKER_DIR / "control"), "store_processed": False}
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # the folder transport has no broadcast
else:
    # Redis: a job a worker took but never acknowledged goes back to the queue after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("SMARTCITY_BROKER_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env_str("SMARTCITY_JOBS_QUEUE", "smartcity")
# Results (and so failures, with their traceback) are kept in the database, shown in the back office.
CELERY_RESULT_BACKEND = env_str("SMARTCITY_JOBS_RESULT_BACKEND", "django-db") or None
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = 30 * 24 * 3600  # beat's daily clean-up forgets results older than this
CELERY_TASK_TRACK_STARTED = True
CELERY_TASK_STORE_EAGER_RESULT = True  # `smartcity jobs run` (system timers) is recorded like a worker's run
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep the redacting log handler below
# Run every job in the calling process instead of sending it to a worker (tests).
CELERY_TASK_ALWAYS_EAGER = env_bool("SMARTCITY_JOBS_EAGER", False)
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- notifications -------------------------------------------------------------------------------------------
# Channels applicants are told on (comma-separated): console (the demo's log), email, sms.
NOTIFY_CHANNELS = env_list("NOTIFY_CHANNELS", "console")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "dichvucong@hanoi.example.vn")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")

# --- auth ---------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sign-in: this many wrong passwords for one account from one client address refuse that account from that
# address (only) for up to STAFF_LOCKOUT_MINUTES; this many wrong TOTP codes lock the account itself.
STAFF_LOCKOUT_THRESHOLD = env_int("STAFF_LOCKOUT_THRESHOLD", 5)
STAFF_LOCKOUT_MINUTES = env_int("STAFF_LOCKOUT_MINUTES", 15)
# This many failed staff sign-ins from one client address within STAFF_LOCKOUT_MINUTES refuse the address whatever
# username it tries (see "Rate limits" below).
STAFF_ADDRESS_LOCKOUT_THRESHOLD = env_int("STAFF_ADDRESS_LOCKOUT_THRESHOLD", 30)

# Citizen sign-in through OpenID Connect (VNeID in production, the bundled development provider in the demo).
OIDC_ISSUER = env_str("OIDC_ISSUER", f"{SITE_URL}/idp")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID", "smartcity-portal")
_DEMO_OIDC_CLIENT_SECRET = "demo-portal-secret"  # refused with DEBUG off (smartcity.checks)
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", _DEMO_OIDC_CLIENT_SECRET)
OIDC_ID_NUMBER_CLAIM = env_str("OIDC_ID_NUMBER_CLAIM", "id_number")
# The development identity provider at /idp/ (django-oauth-toolkit). Off in production unless asked for.
DEV_IDP_ENABLED = env_bool("DEV_IDP_ENABLED", DEBUG)
# Its sign-in form: this many failures for one identity from one client address refuse that identity from that
# address for up to IDP_LOCKOUT_MINUTES; this many from one address within that time refuse the address (guessing
# across citizens). Both run out on their own; nobody is locked out from elsewhere.
IDP_LOCKOUT_THRESHOLD = env_int("IDP_LOCKOUT_THRESHOLD", 5)
IDP_LOCKOUT_MINUTES = env_int("IDP_LOCKOUT_MINUTES", 15)
IDP_ADDRESS_LOCKOUT_THRESHOLD = env_int("IDP_ADDRESS_LOCKOUT_THRESHOLD", 20)
OIDC_RSA_PRIVATE_KEY_FILE = Path(env_str("OIDC_RSA_PRIVATE_KEY_FILE", str(VAR_DIR / "oidc-dev-key.pem")))

# --- i18n and time ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

# --- the city's look (portal header and footer; see docs/configuration.md "The city's portal") --------------
SMARTCITY_CITY_NAME = env_str("SMARTCITY_CITY_NAME", "Hà Nội")
SMARTCITY_GOVERNMENT_NAME = env_str("SMARTCITY_GOVERNMENT_NAME", "Ủy ban nhân dân Thành phố Hà Nội")
# A static path (under a static/ folder) or an absolute URL of our own host; the shipped one is a neutral placeholder.
SMARTCITY_CITY_EMBLEM = env_str("SMARTCITY_CITY_EMBLEM", "portal/emblem.svg")
SMARTCITY_HOTLINE = env_str("SMARTCITY_HOTLINE", "1900 0000")
# One-stop-shop addresses shown in the footer, separated by "|" (an address holds commas).
SMARTCITY_ONE_STOP_ADDRESSES = [a.strip() for a in env_str(
    "SMARTCITY_ONE_STOP_ADDRESSES",
    "Trung tâm Phục vụ hành chính công Thành phố Hà Nội, 258 Võ Chí Công, phường Phú Thượng"
    "|Bộ phận một cửa của Ủy ban nhân dân các phường, xã",
).split("|") if a.strip()]
# Where the platform's source code is published (footer link); empty: the footer names the licence only.
SMARTCITY_SOURCE_URL = env_str("SMARTCITY_SOURCE_URL", "")
# With DEBUG on, show Django's technical 404/500 pages (tracebacks, settings) instead of the portal's own: for a
# developer's machine only. Off (the demo's default), a visitor of the demo sees the same error pages as production.
SMARTCITY_TECHNICAL_ERRORS = env_bool("SMARTCITY_TECHNICAL_ERRORS", False)

# --- static files -------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
# Uploaded dossier files. Served only through permission-checked views, never as public static files.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Malware scanning of citizens' uploads before they are stored (smartcity.lib.scanning): "none" or "clamav", which
# speaks clamd's INSTREAM protocol at UPLOAD_SCANNER_CLAMD (unix:///path/to/clamd.ctl or tcp://host:3310).
UPLOAD_SCANNER = env_str("UPLOAD_SCANNER", "none")
UPLOAD_SCANNER_CLAMD = env_str("UPLOAD_SCANNER_CLAMD", "unix:///run/clamav/clamd.ctl")

# --- security (production values when DEBUG is off) ---------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

# --- logging: never ID numbers or secrets; the audit log is the record of personal-data access ---------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "smartcity.lib.redact.RedactFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own loggers (requests, the development server) go through the same redacting handler only. The access
    # logs (django.server, django.request) also redact on the logger itself, before any handler — one added later
    # (a test's, an operator's) never sees a share token, a tracking secret or an ID number either (lib/redact.py).
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False, "filters": ["redact"]},
        "django.request": {"filters": ["redact"]},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- django-oauth-toolkit (development OpenID Connect provider) ----------------------------------------------
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    # The signing key of the development provider's ID tokens: created under var/ on first start.
    "OIDC_RSA_PRIVATE_KEY": load_or_create_rsa_key(OIDC_RSA_PRIVATE_KEY_FILE) if DEV_IDP_ENABLED else "",
    "OAUTH2_VALIDATOR_CLASS": "smartcity.identity.idp.ClaimsValidator",
    # Only what the portal uses: authorization code + PKCE, no refresh tokens. The password grant (which checked
    # any account's password past the staff lockout and second factor), implicit, hybrid, client credentials,
    # refresh and device grants are not offered at all (identity/idp.py).
    "OAUTH2_SERVER_CLASS": "smartcity.identity.idp.AuthorizationCodeServer",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "SCOPES": {"openid": "OpenID Connect", "profile": "Họ tên, ngày sinh", "id_number": "Số định danh cá nhân"},
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    # Plain-http redirect URIs only in development (the demo runs on http://127.0.0.1:8000).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if DEBUG else ["https"],
    # OAuth 2.0 Security BCP (RFC 9700): no implicit or password grant, S256 only, tokens hashed at rest,
    # `iss` in the authorization response, refresh-token replay revokes the family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

# --- Interop (smartcity.interop): the data-sharing gateway and the national portal connector ---
# Documented in docs/interop.md. The demo needs none of them.
INTEROP_ISSUER = env_str("INTEROP_ISSUER", SITE_URL).rstrip("/")
INTEROP_TOKEN_SECONDS = env_int("INTEROP_TOKEN_SECONDS", 300)
INTEROP_ASSERTION_MAX_SECONDS = env_int("INTEROP_ASSERTION_MAX_SECONDS", 300)
NATIONAL_PORTAL_URL = env_str("NATIONAL_PORTAL_URL", "")
NATIONAL_PORTAL_TOKEN = env_str("NATIONAL_PORTAL_TOKEN", "")
NATIONAL_PORTAL_TIMEOUT = env_int("NATIONAL_PORTAL_TIMEOUT", 10)
NATIONAL_PORTAL_MAX_ATTEMPTS = env_int("NATIONAL_PORTAL_MAX_ATTEMPTS", 8)
# What the scorecard's indicator 1.4 (dossiers synced to the national portal) reads; empty: "not measured".
SCORECARD_NATIONAL_SYNC = env_str("SCORECARD_NATIONAL_SYNC", "smartcity.interop.national.sync.scorecard_synced")

# --- Signing (smartcity.signing): certificate authority, keys, timestamp authority ---
# Documented in docs/signing.md. The demo needs none of them.
# Where the demo CA keeps its PKCS#12 key files (passphrases derive from SECRET_KEY; never in the database).
SMARTCITY_SIGNING_DIR = Path(env_str("SMARTCITY_SIGNING_DIR", str(VAR_DIR / "signing")))
# The demo certificate authority (root, timestamp authority, agency seals, officer certificates): issuing, its CRL,
# its TSA endpoint, and trusting its root when verifying. Never in production: use real certificates there.
SMARTCITY_SIGNING_DEMO_CA = env_bool("SMARTCITY_SIGNING_DEMO_CA", DEBUG)
# RFC 3161 timestamp authority for signatures: empty (none), "demo" (the demo CA's, in process) or an http(s) URL.
SMARTCITY_TSA_URL = env_str("SMARTCITY_TSA_URL", "demo" if SMARTCITY_SIGNING_DEMO_CA else "")
SMARTCITY_TSA_TIMEOUT = env_int("SMARTCITY_TSA_TIMEOUT", 10)
# PEM file of further trust anchors for verification (e.g. the national root CA), besides the demo root.
SMARTCITY_SIGNING_TRUST_ROOTS = env_str("SMARTCITY_SIGNING_TRUST_ROOTS", "")
# Let verification fetch CRLs/OCSP of other CAs over the network (the demo CA's CRL never needs it). Without it a
# certificate of another CA that names a CRL or OCSP responder cannot be checked, and is reported as such.
SMARTCITY_SIGNING_FETCH_REVOCATION = env_bool("SMARTCITY_SIGNING_FETCH_REVOCATION", not DEBUG)
# The PKCS#11 module (.so) of the HSM or token that holds keys registered with `smartcity signing import-pkcs11`.
SMARTCITY_PKCS11_MODULE = env_str("SMARTCITY_PKCS11_MODULE", "")
# Largest PDF accepted by the public verification page and API.
SMARTCITY_SIGNING_MAX_UPLOAD_MB = env_int("SMARTCITY_SIGNING_MAX_UPLOAD_MB", 20)
# A signature that fails validation is an answer we show, not an error: pyHanko logs each with a traceback.
# fontTools reports each stamp font subset at INFO.
LOGGING["loggers"].update({"pyhanko": {"level": "CRITICAL"}, "pyhanko_certvalidator": {"level": "CRITICAL"},
                           "fontTools": {"level": "WARNING"}})

# --- Payments (smartcity.payments): gateways and their secrets ---
# The payment gateway speaks VNPAY's published contract, version 2.1.0 (HMAC-SHA512 signed redirect, browser return
# and server-to-server IPN; querydr status API). The demo points every URL at the platform's own sandbox gateway under
# /thanh-toan/sandbox/, with a demo terminal code and secret; production sets the real gateway's URLs and secrets.
_DEMO_PAYMENT_SECRET = "demo-payment-hash-secret-0123456789"
PAYMENT_GATEWAY = env_str("PAYMENT_GATEWAY", "vnpay")  # the adapter (smartcity.payments.gateways.REGISTRY)
PAYMENT_GATEWAY_URL = env_str("PAYMENT_GATEWAY_URL", f"{SITE_URL}/thanh-toan/sandbox/paymentv2/vpcpay.html")
PAYMENT_GATEWAY_API_URL = env_str("PAYMENT_GATEWAY_API_URL",
                                  f"{SITE_URL}/thanh-toan/sandbox/merchant_webapi/api/transaction")
# The gateway's daily report (CSV, format in smartcity/payments/report.py) that reconciliation downloads.
PAYMENT_GATEWAY_REPORT_URL = env_str("PAYMENT_GATEWAY_REPORT_URL", f"{SITE_URL}/thanh-toan/sandbox/doi-soat.csv")
PAYMENT_GATEWAY_TMN_CODE = env_str("PAYMENT_GATEWAY_TMN_CODE", "HNDVC001")
PAYMENT_GATEWAY_HASH_SECRET = env_str("PAYMENT_GATEWAY_HASH_SECRET", _DEMO_PAYMENT_SECRET)
# With DEBUG off the demo secret and the sandbox are refused by smartcity.checks (see "Production guards" below).
# Where the gateway sends the payer's browser back (vnp_ReturnUrl).
PAYMENT_RETURN_URL = env_str("PAYMENT_RETURN_URL", f"{SITE_URL}/thanh-toan/ket-qua/")
PAYMENT_EXPIRE_MINUTES = env_int("PAYMENT_EXPIRE_MINUTES", 15)  # vnp_ExpireDate = vnp_CreateDate + this
# When the browser returns before the IPN, ask the gateway (querydr) instead of only showing "awaiting confirmation".
PAYMENT_QUERY_ON_RETURN = env_bool("PAYMENT_QUERY_ON_RETURN", False)
# The sandbox gateway at /thanh-toan/sandbox/ (demo and tests). Off in production unless asked for.
PAYMENT_SANDBOX_ENABLED = env_bool("PAYMENT_SANDBOX_ENABLED", DEBUG)
# The IPN URL registered with the sandbox, and how it delivers: "inprocess" (same process, no network) or "http".
PAYMENT_SANDBOX_IPN_URL = env_str("PAYMENT_SANDBOX_IPN_URL", f"{SITE_URL}/api/v1/payments/ipn")
PAYMENT_SANDBOX_IPN_DELIVERY = env_str("PAYMENT_SANDBOX_IPN_DELIVERY", "inprocess")

# --- Sensing (smartcity.sensing): SensorThings, MQTT ingest, storage ---
# The SensorThings API at /sta/v1.1 (docs in src/smartcity/sensing/README.md). The demo needs none of them.
# Page size of collections when the client gives no $top, and the largest $top honoured (more pages via nextLink).
SENSING_PAGE_SIZE = env_int("SENSING_PAGE_SIZE", 100)
SENSING_MAX_PAGE_SIZE = env_int("SENSING_MAX_PAGE_SIZE", 1000)
# Staff roles (agencies.Role) whose members may write through the API; ingest keys are the other way in.
SENSING_WRITE_ROLES = env_list("SENSING_WRITE_ROLES", "city_admin,agency_admin")
# A reading stamped further than this in the future is refused (sent to the dead letters).
SENSING_MAX_FUTURE_SECONDS = env_int("SENSING_MAX_FUTURE_SECONDS", 600)
# Rows per INSERT/COPY statement of the bulk ingest (one transaction per call whatever the size).
SENSING_INGEST_CHUNK = env_int("SENSING_INGEST_CHUNK", 5000)
# Largest number of rows one HTTP ingest or CreateObservations request may carry.
SENSING_INGEST_MAX_ROWS = env_int("SENSING_INGEST_MAX_ROWS", 100_000)
# Raw observations older than this many days are deleted (PostgreSQL: whole monthly partitions dropped); 0 keeps all.
# Hourly and daily roll-ups are kept. Dead letters are kept SENSING_DEAD_LETTER_DAYS days.
SENSING_RETENTION_DAYS = env_int("SENSING_RETENTION_DAYS", 0)
SENSING_DEAD_LETTER_DAYS = env_int("SENSING_DEAD_LETTER_DAYS", 30)
# PostgreSQL: monthly observation partitions created this many months ahead by `smartcity sensors maintain`.
SENSING_PARTITION_MONTHS_AHEAD = env_int("SENSING_PARTITION_MONTHS_AHEAD", 3)
# A datastream is stale after this many of its reporting intervals without data (see `smartcity sensors check-stale`).
SENSING_STALE_INTERVALS = env_int("SENSING_STALE_INTERVALS", 3)
# Daily roll-ups cover local days of this time zone (a fixed offset on SQLite: right for Việt Nam, which has no DST).
SENSING_ROLLUP_TIME_ZONE = env_str("SENSING_ROLLUP_TIME_ZONE", TIME_ZONE)

# MQTT ingest (`smartcity ingest`): QoS 1, a persistent session under a fixed client id, acknowledged after commit.
MQTT_INGEST_CLIENT_ID = env_str("MQTT_INGEST_CLIENT_ID", "smartcity-ingest")  # "-<hostname>" added with a share group
MQTT_INGEST_SHARE_GROUP = env_str("MQTT_INGEST_SHARE_GROUP", "")  # $share group: several consumers split the stream
MQTT_INGEST_BATCH = env_int("MQTT_INGEST_BATCH", 5000)  # rows per transaction
MQTT_INGEST_FLUSH_MS = env_int("MQTT_INGEST_FLUSH_MS", 500)  # longest wait before a write
MQTT_TOPIC_PREFIX = env_str("MQTT_TOPIC_PREFIX", "smartcity")  # gateways publish to <prefix>/gateways/<id>/observations
MQTT_STA_ROOT = env_str("MQTT_STA_ROOT", "v1.1")  # SensorThings topics: v1.1/Datastreams(<id>)/Observations
MQTT_SESSION_EXPIRY = env_int("MQTT_SESSION_EXPIRY", 7 * 24 * 3600)  # seconds the broker keeps the session
MQTT_INGEST_MAX_BACKOFF = env_int("MQTT_INGEST_MAX_BACKOFF", 30)  # largest retry delay (s), broker or database down

# --- The city ---
# The province (GSO code; 01 = Hà Nội) the platform serves: an address that names no province is read in it.
CITY_PROVINCE_CODE = env_str("CITY_PROVINCE_CODE", "01")

# --- Maps (smartcity.places: the map component; docs/maps.md) ---
# The city's tile server as a Leaflet URL template (https://tiles.example/{z}/{x}/{y}.png) and the credit its licence
# asks for. Empty (the default): no tiles; with ward boundaries imported the map shows them alone, with neither the
# pages draw the server-made schematic. The host is added to the img-src of the Content-Security-Policy only when set.
MAP_TILE_URL = env_str("SMARTCITY_MAP_TILE_URL", "").strip()
try:
    MAP_TILE_SOURCE = tile_source(MAP_TILE_URL)
except ValueError as exc:
    raise ImproperlyConfigured(f"SMARTCITY_MAP_TILE_URL: {exc}") from None
MAP_TILE_ATTRIBUTION = env_str("SMARTCITY_MAP_TILE_ATTRIBUTION", "")
# `smartcity places import-boundaries`: the feature properties holding the ward's GSO code and its name (the code is
# tried first), and the largest file it reads.
MAP_BOUNDARY_CODE_PROPERTY = env_str("SMARTCITY_MAP_BOUNDARY_CODE_PROPERTY", "ma_xa")
MAP_BOUNDARY_NAME_PROPERTY = env_str("SMARTCITY_MAP_BOUNDARY_NAME_PROPERTY", "ten_xa")
MAP_BOUNDARY_MAX_MB = env_int("SMARTCITY_MAP_BOUNDARY_MAX_MB", 50)

# --- Environment (smartcity.environment): indices, warnings, forecasts ---
# Stations, warnings, public pages and the NGSI-LD view (smartcity.environment). The demo needs none of them.
# The province whose wards stations are placed in and whose map the public page draws (GSO code; the city's own).
ENVIRONMENT_PROVINCE_CODE = env_str("ENVIRONMENT_PROVINCE_CODE", CITY_PROVINCE_CODE)

# Open311 GeoReport v2 (smartcity.feedback.open311): the jurisdiction_id clients may send, and the discovery contact.
OPEN311_JURISDICTION = env_str("OPEN311_JURISDICTION", "hanoi.gov.vn")
OPEN311_CONTACT = env_str("OPEN311_CONTACT", "Trung tâm điều hành thông minh Hà Nội")
# Hourly values come from sensing's hourly roll-up, except its newest this-many buckets per datastream (possibly
# partial), which are read again from the raw readings together with everything after them.
ENVIRONMENT_RAW_HOURS = env_int("ENVIRONMENT_RAW_HOURS", 2)
# Share (in %) of the hours of a 1/3/24-hour window that must have reported for a rain total (100: a gap is never dry).
ENVIRONMENT_RAIN_MIN_COVERAGE = env_int("ENVIRONMENT_RAIN_MIN_COVERAGE_PERCENT", 100) / 100
# Seconds the current values of all stations (map, banner, API) are cached; `smartcity environment check-warnings`
# refreshes them on every run.
ENVIRONMENT_STATUS_CACHE_SECONDS = env_int("ENVIRONMENT_STATUS_CACHE_SECONDS", 60)
# An open warning whose station has sent nothing for this many hours is closed ("no data").
ENVIRONMENT_WARNING_STALE_HOURS = env_int("ENVIRONMENT_WARNING_STALE_HOURS", 3)
# Longest history one request may ask for: hourly rows (31 days) and daily rows (one year and a day).
ENVIRONMENT_HISTORY_MAX_HOURS = env_int("ENVIRONMENT_HISTORY_MAX_HOURS", 744)
ENVIRONMENT_HISTORY_MAX_DAYS = env_int("ENVIRONMENT_HISTORY_MAX_DAYS", 366)

# --- Open data (opendata; docs/opendata.md) ---------------------------------------------------------------------------
OPENDATA_MAX_UPLOAD_BYTES = env_int("OPENDATA_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)  # one uploaded CSV/XLSX/GeoJSON
OPENDATA_MAX_UPLOAD_ROWS = env_int("OPENDATA_MAX_UPLOAD_ROWS", 200_000)  # rows of one uploaded table
OPENDATA_XLSX_MAX_ROWS = env_int("OPENDATA_XLSX_MAX_ROWS", 50_000)  # larger tables download as CSV/JSON only
OPENDATA_HISTORY_DAYS = env_int("OPENDATA_HISTORY_DAYS", 30)  # days of hourly environment history in live tables
# Largest `limit` of GET /moi-truong/ngsi-ld/v1/entities (NGSI-LD answers 400 above it) and of the JSON API lists.
ENVIRONMENT_MAX_PAGE_SIZE = env_int("ENVIRONMENT_MAX_PAGE_SIZE", 1000)

# --- Production guards (smartcity.checks): the demo defaults a DEBUG-off server refuses to start with ---------------
# `smartcity check --deploy` lists them as errors smartcity.E001…E011 and the WSGI/ASGI application does not load
# while any is left. Each switch lets one of them through on purpose (a staging server); all off by default.
SMARTCITY_ALLOW_SQLITE = env_bool("SMARTCITY_ALLOW_SQLITE", False)  # E001: SQLite as the database
SMARTCITY_ALLOW_DERIVED_FIELD_KEYS = env_bool("SMARTCITY_ALLOW_DERIVED_FIELD_KEYS", False)  # E002: no FIELD_KEYS
SMARTCITY_ALLOW_DEMO_PAYMENTS = env_bool("SMARTCITY_ALLOW_DEMO_PAYMENTS", False)  # E003-E005: sandbox, demo secret
SMARTCITY_ALLOW_DEMO_IDP = env_bool("SMARTCITY_ALLOW_DEMO_IDP", False)  # E006-E007: the development provider
SMARTCITY_ALLOW_DEMO_OIDC_SECRET = env_bool("SMARTCITY_ALLOW_DEMO_OIDC_SECRET", False)  # E008: demo client secret
SMARTCITY_ALLOW_DEMO_CA = env_bool("SMARTCITY_ALLOW_DEMO_CA", False)  # E009-E010: demo CA, TSA, keys it made
SMARTCITY_ALLOW_DEMO_ACCOUNTS = env_bool("SMARTCITY_ALLOW_DEMO_ACCOUNTS", False)  # E011: demo staff credentials
SMARTCITY_ALLOW_FOLDER_BROKER = env_bool("SMARTCITY_ALLOW_FOLDER_BROKER", False)  # E012: the demo's folder broker
SMARTCITY_ALLOW_NO_AUDIT_CHECKPOINTS = env_bool("SMARTCITY_ALLOW_NO_AUDIT_CHECKPOINTS", False)  # E013: no anchors
SMARTCITY_ALLOW_DERIVED_AUDIT_KEYS = env_bool("SMARTCITY_ALLOW_DERIVED_AUDIT_KEYS", False)  # E014: no AUDIT_KEYS

# --- Rate limits (lib.ratelimit, django-ratelimit on the default cache): what one client address may repeat ----------
# Each is "count/period" in django-ratelimit's notation ("30/5m": thirty per five minutes; s, m, h, d); empty turns a
# limit off. Past a limit the caller gets 429 with Retry-After. The sign-in limits are the *_LOCKOUT_* settings above.
RATE_LIMITS = {
    "tracking": env_str("RATE_LIMIT_TRACKING", "30/5m"),  # /tra-cuu/ and GET /api/v1/track/{code}
    "share_link": env_str("RATE_LIMIT_SHARE_LINK", "30/5m"),  # /kho-du-lieu/chia-se/<token>/ and its API
    "signature_verify": env_str("RATE_LIMIT_SIGNATURE_VERIFY", "20/h"),  # /chu-ky-so/xac-minh/, POST …/verify
    "subscription": env_str("RATE_LIMIT_SUBSCRIPTION", "10/h"),  # warning subscriptions from one address
    "subscription_contact": env_str("RATE_LIMIT_SUBSCRIPTION_CONTACT", "3/d"),  # … to one e-mail address or phone
    "subscription_token": env_str("RATE_LIMIT_SUBSCRIPTION_TOKEN", "30/h"),  # confirm / cancel links
    "parse_address": env_str("RATE_LIMIT_PARSE_ADDRESS", "60/m"),  # POST /api/v1/places/parse-address
    "agency_search": env_str("RATE_LIMIT_AGENCY_SEARCH", "120/5m"),  # GET /api/v1/vault/agencies (share form)
    "payment_return": env_str("RATE_LIMIT_PAYMENT_RETURN", "30/5m"),  # the gateway's browser return
    "feedback_submit": env_str("RATE_LIMIT_FEEDBACK_SUBMIT", "10/h"),  # reports from one address (page, Open311)
    # Badly signed payment notifications audited per address; past it they are refused unaudited (a correctly
    # signed IPN from the gateway is never counted nor held back).
    "payment_refusal": env_str("RATE_LIMIT_PAYMENT_REFUSAL", "20/h"),
    "oidc_callback": env_str("RATE_LIMIT_OIDC_CALLBACK", "20/15m"),  # refused VNeID call-backs (each is audited)
    "opendata_heavy": env_str("RATE_LIMIT_OPENDATA_HEAVY", "60/m"),  # open-data downloads, datastore_search w/o key
}
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed for the client address
# the limits count; empty: REMOTE_ADDR only (the header is never trusted blindly).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# --- Sessions and headers (identity.middleware, lib.headers): session limits, re-authentication, CSP, caching -------
# A staff session ends after this many idle minutes; a citizen's this many hours after signing in, however busy.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30)
CITIZEN_SESSION_HOURS = env_int("CITIZEN_SESSION_HOURS", 8)
# Approving (signing) a result needs a TOTP code given within this many minutes (at sign-in, or again at
# /account/xac-thuc-lai/).
STAFF_REAUTH_MINUTES = env_int("STAFF_REAUTH_MINUTES", 5)


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# No inline script anywhere (portal/site.js instead of handlers); inline styles allowed (the server-drawn charts and
# maps colour bars and stations in style attributes). Forms post to ourselves, or to the payment gateway and the
# identity provider a form submission redirects to.
_FORM_TARGETS = " ".join(dict.fromkeys(filter(None, ["'self'", _origin(PAYMENT_GATEWAY_URL), _origin(OIDC_ISSUER)])))
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    f"form-action {_FORM_TARGETS}",
)
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=()",
)
# Paths answered with Cache-Control: no-store whoever asks (every signed-in request gets it anyway).
NO_STORE_PATH_PREFIXES = env_list("NO_STORE_PATH_PREFIXES", "/api/,/kho-du-lieu/,/idp/")

# Operations centre (docs/ioc.md): the summary a reader accepts without recomputing it; how far back each collection
# of feed events looks (it runs every minute; overlapping is harmless); one live stream's length (the browser
# reconnects and resumes from the last event id), its poll of the event table and its heartbeat comments.
IOC_SUMMARY_MAX_AGE_SECONDS = env_int("IOC_SUMMARY_MAX_AGE_SECONDS", 90)
IOC_COLLECT_LOOKBACK_MINUTES = env_int("IOC_COLLECT_LOOKBACK_MINUTES", 15)
IOC_STREAM_SECONDS = env_int("IOC_STREAM_SECONDS", 25)
IOC_STREAM_POLL_MS = env_int("IOC_STREAM_POLL_MS", 1000)
IOC_STREAM_HEARTBEAT_SECONDS = env_int("IOC_STREAM_HEARTBEAT_SECONDS", 10)
