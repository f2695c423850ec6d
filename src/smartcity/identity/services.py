"""Use cases of sign-in. Views, the API, the admin and the demo loader call these; none of them saves an account.

Citizens sign in the way the national VNeID is used, as an OpenID Connect relying party:
``start_citizen_sign_in`` keeps state, nonce and PKCE verifier in the session and returns the provider's URL;
``complete_citizen_sign_in`` checks the state, exchanges the code, verifies the ID token and passes the identity to
``sign_in_citizen``, which maps the ID-number claim to the population record and creates or links the account.

Staff sign in with a password and a TOTP code (``check_staff_password``, then ``confirm_totp_enrolment`` the first
time or ``verify_staff_code``). Wrong passwords are held back per client address, never for the account as a whole
(anyone who knows an officer's username could otherwise lock them out at will): ``STAFF_LOCKOUT_THRESHOLD`` wrong
passwords for one account from one address refuse that account *from that address* for up to
``STAFF_LOCKOUT_MINUTES``, and ``STAFF_ADDRESS_LOCKOUT_THRESHOLD`` failures from one address refuse the address
whatever username it tries (spraying). The officer signs in from their own address meanwhile. Wrong TOTP codes —
which only someone holding the password can send — lock the account itself (``STAFF_LOCKOUT_THRESHOLD`` wrong codes
lock it for ``STAFF_LOCKOUT_MINUTES``); a correct password alone does not clear that count, only a completed
sign-in does, so knowing the password does not buy unlimited guesses at the code. The counters live in the cache
(``lib.ratelimit``, django-ratelimit).

Every sign-in, refusal and lock is in the audit log. Neither the log nor the audit log ever holds a password, a code,
a TOTP secret or an ID number.

The development identity provider (``/idp/``) keeps its own accounts: ``set_idp_password``,
``authenticate_idp_account`` (held back after repeated failures per identity and client address, and per client
address, by the same counters as the staff sign-in, and audited like it) and ``ensure_demo_client`` (the portal's registration there).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication, get_application_model

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.identity import oidc, totp
from smartcity.identity.models import IdpAccount, User, new_subject
from smartcity.lib import ratelimit
from smartcity.lib.errors import Invalid, ServiceError
from smartcity.lib.idnumber import clean_id_number
from smartcity.population.models import Citizen

# Session keys. The second-factor flag is what the back office (/admin/) asks for besides is_staff.
SECOND_FACTOR_SESSION_KEY = "identity.second_factor"
PENDING_STAFF_SESSION_KEY = "identity.staff.pending"
TOTP_SETUP_SESSION_KEY = "identity.staff.totp_setup"
PENDING_OIDC_SESSION_KEY = "identity.oidc.pending"
IDP_SESSION_KEY = "identity.idp.account"
SIGNED_IN_AT_SESSION_KEY = "identity.signed_in_at"
LAST_SEEN_SESSION_KEY = "identity.last_seen"
REAUTHENTICATED_AT_SESSION_KEY = "identity.reauthenticated_at"
LAST_SEEN_RESOLUTION = 60  # seconds: how often a busy staff session is written to note that it is still in use
SESSION_GRACE_SECONDS = 600  # the store keeps an ended session this much longer (see ``_set_session_expiry``)

PENDING_STAFF_SECONDS = 300  # between the password and the code
MAX_PENDING_OIDC = 5  # sign-ins started in other tabs that may still come back
MIN_IDP_PASSWORD_LENGTH = 8
USER_SUBJECT = "identity.user"
# The development provider is another party than the portal: its sign-ins are audited under their own subject type
# (the identity's principal), so the portal's sign-in entries stay the portal's.
IDP_SUBJECT = "identity.idp"
IDP_METHOD = "idp_password"


class SignInRefused(ServiceError):
    """A sign-in that cannot go on. ``message`` is for the person; ``reason`` is the short code the audit log keeps."""

    status = 400
    code = "sign_in_refused"

    def __init__(self, message: str, *, reason: str, status: int | None = None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.reason = reason
        if status is not None:
            self.status = status


class AccountLocked(SignInRefused):
    status = 403
    code = "locked"


class TooManyAttempts(SignInRefused):
    """Too many failures from this client address (for this account, or for any): 429 with ``Retry-After``."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, reason: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, reason=reason, field=field)
        self.retry_after = max(1, int(retry_after))


def _bad_credentials() -> str:
    return _("Tên đăng nhập hoặc mật khẩu không đúng.")


def _locked_message(until: dt.datetime) -> str:
    local = timezone.localtime(until)
    return _(
        "Tài khoản đang bị tạm khóa do nhập sai nhiều lần. Vui lòng thử lại sau %(time)s ngày %(date)s."
    ) % {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


# ============================================================================================== staff sign-in


def check_staff_password(*, username: str, password: str, address: str | None = None) -> User:
    """The staff account for ``username`` if ``password`` is right and the account is not locked.

    ``address`` is the client's (``lib.ratelimit.client_address``): failures are held back per address and per
    (account, address), so guesses from one place never stop the officer signing in from another.
    This is only the first step: the caller keeps the account as *pending* and asks for the TOTP code next.
    """
    limits = _staff_limits()
    address = address or "unknown"
    _refuse_if_address_limited(limits, address)
    user = User.objects.filter(username=username).first()
    if user is None or user.kind != User.Kind.STAFF or not user.is_active:
        make_password(password)  # same cost as a real check: response time does not tell which usernames exist
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=USER_SUBJECT,
                     subject_id=user.pk if user else "",
                     detail={"method": "password", "reason": "unknown_account" if user is None else "not_staff"})
        _count_sign_in_failure(limits, address, message=_bad_credentials(), reason="password")
    _refuse_if_locked(user, step="password")
    _refuse_if_pair_limited(limits, user, address)
    if not user.check_password(password):
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=USER_SUBJECT, subject_id=user.pk,
                     detail={"method": "password", "reason": "password"})
        _count_sign_in_failure(limits, address, account=user, message=_bad_credentials(), reason="password")
    _forget_pair_failures(limits, user, address)
    return user


def verify_staff_code(*, user: User, code: str, reauthentication: bool = False) -> User:
    """Complete a staff sign-in with the TOTP code of an enrolled account; each code is accepted once.

    ``reauthentication``: a signed-in staff member proves again that they hold the second factor (before signing);
    the same checks, failures and lock, audited as such."""
    user = User.objects.get(pk=user.pk)
    _refuse_if_locked(user, step="totp")
    if not user.totp_confirmed or not user.totp_secret:
        raise SignInRefused(_("Tài khoản chưa kích hoạt xác thực hai lớp."), reason="not_enrolled")
    step = totp.matching_step(user.totp_secret, code)
    if step is None:
        _count_failure(user, reason="totp", message=_("Mã xác thực không đúng."))
    if step <= user.totp_last_step:
        _count_failure(user, reason="totp_replayed",
                       message=_("Mã xác thực này đã được dùng. Vui lòng chờ mã mới trên ứng dụng."))
    with transaction.atomic():
        # Compare-and-set on the step: of two requests racing with the same code, only one wins.
        won = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(
            totp_last_step=step, failed_logins=0, locked_until=None
        )
        if won and reauthentication:
            audit.record(actor=agencies.actor_for(user), action=Action.SIGN_IN, subject_type=USER_SUBJECT,
                         subject_id=user.pk, detail={"method": "totp", "reauthentication": True})
        elif won:
            _record_staff_sign_in(user, enrolled=False)
    if not won:
        _count_failure(user, reason="totp_replayed",
                       message=_("Mã xác thực này đã được dùng. Vui lòng chờ mã mới trên ứng dụng."))
    user.refresh_from_db()
    return user


def confirm_totp_enrolment(*, user: User, secret: str, code: str) -> User:
    """Turn on the second factor of a staff account with the first code from the authenticator app, and sign in."""
    user = User.objects.get(pk=user.pk)
    _refuse_if_locked(user, step="totp")
    if user.totp_confirmed:
        raise SignInRefused(_("Tài khoản đã kích hoạt xác thực hai lớp."), reason="already_enrolled")
    if not totp.is_valid_secret(secret):
        raise Invalid(_("Khóa TOTP không hợp lệ."), field="secret")
    step = totp.matching_step(secret, code)
    if step is None:
        _count_failure(user, reason="totp", message=_("Mã xác thực không đúng."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(
            totp_secret=secret, totp_confirmed=True, totp_last_step=step, failed_logins=0, locked_until=None
        )
        _record_staff_sign_in(user, enrolled=True)
    user.refresh_from_db()
    return user


def set_staff_totp(user: User, secret: str) -> User:
    """Give a staff account a known, already confirmed TOTP secret (the demo loader's fixed secrets).

    Idempotent: setting the secret an account already has changes nothing, so codes already used stay used.
    """
    if user.kind != User.Kind.STAFF:
        raise Invalid(_("Chỉ tài khoản cán bộ mới dùng xác thực hai lớp."), field="user")
    secret = secret.strip().replace(" ", "").upper()
    if not totp.is_valid_secret(secret):
        raise Invalid(_("Khóa TOTP phải là chuỗi base32 dài ít nhất 16 ký tự."), field="secret")
    if user.totp_secret == secret and user.totp_confirmed:
        return user
    with transaction.atomic():
        user.totp_secret, user.totp_confirmed, user.totp_last_step = secret, True, 0
        user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
        audit.record(actor=None, action=Action.UPDATE, subject_type=USER_SUBJECT, subject_id=user.pk,
                     detail={"change": "totp_set"})
    return user


def reset_staff_totp(*, actor: User, user: User) -> User:
    """Forget a staff member's second factor (lost phone): their next sign-in enrols a new one."""
    with transaction.atomic():
        user.totp_secret, user.totp_confirmed, user.totp_last_step = "", False, 0
        user.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
        audit.record(actor=agencies.actor_for(actor), action=Action.UPDATE, subject_type=USER_SUBJECT,
                     subject_id=user.pk, detail={"change": "totp_reset"})
    return user


def unlock_staff(*, actor: User, user: User) -> User:
    """Lift a lock before it runs out (the person was identified another way): the account's own (wrong codes) and
    every per-address hold on it (wrong passwords)."""
    with transaction.atomic():
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["failed_logins", "locked_until"])
        _forget_pair_failures(_staff_limits(), user, address=None)
        audit.record(actor=agencies.actor_for(actor), action=Action.UPDATE, subject_type=USER_SUBJECT,
                     subject_id=user.pk, detail={"change": "unlocked"})
    return user


def _refuse_if_locked(user: User, *, step: str) -> None:
    if user.is_locked():
        assert user.locked_until is not None
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=USER_SUBJECT, subject_id=user.pk,
                     detail={"method": step, "reason": "locked"})
        raise AccountLocked(_locked_message(user.locked_until), reason="locked")


def _count_failure(user: User, *, reason: str, message: str | None = None) -> NoReturn:
    """Record a wrong TOTP code, lock the account at the threshold, and refuse (always raises).

    Only someone who holds the password gets to the code, so this lock is the account's own (not per address). It
    always runs out: an attacker can delay a sign-in, never shut an account for good."""
    threshold = max(1, int(settings.STAFF_LOCKOUT_THRESHOLD))
    minutes = int(settings.STAFF_LOCKOUT_MINUTES)
    with transaction.atomic():
        fresh = User.objects.select_for_update().get(pk=user.pk)
        fresh.failed_logins += 1
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=USER_SUBJECT, subject_id=fresh.pk,
                     detail={"method": "totp" if reason.startswith("totp") else "password",
                             "reason": reason, "failures": fresh.failed_logins})
        locked = fresh.failed_logins >= threshold
        if locked:
            fresh.locked_until = timezone.now() + timedelta(minutes=minutes)
            fresh.failed_logins = 0
            audit.record(actor=None, action=Action.LOCKED, subject_type=USER_SUBJECT, subject_id=fresh.pk,
                         detail={"failures": threshold, "minutes": minutes})
        fresh.save(update_fields=["failed_logins", "locked_until"])
    if locked:
        assert fresh.locked_until is not None
        raise AccountLocked(_locked_message(fresh.locked_until), reason="locked")
    raise SignInRefused(message or _bad_credentials(), reason=reason)


# Wrong passwords, per client address (``lib.ratelimit``). Two counters, both in fixed windows of ``minutes``:
# failures for one account from one address (the account is refused from that address only), and failures from one
# address whatever the account (guessing across many accounts). A refusal is audited once per window.


@dataclass(frozen=True)
class _SignInLimits:
    subject_type: str  # the audit subject, and the counters' namespace
    method: str
    account_threshold: int  # failures for one account from one address
    address_threshold: int  # failures from one address, any account
    minutes: int

    def rate(self, threshold: int) -> str:
        return f"{max(1, threshold)}/{max(1, self.minutes)}m"


def _staff_limits() -> _SignInLimits:
    return _SignInLimits(USER_SUBJECT, "password", int(settings.STAFF_LOCKOUT_THRESHOLD),
                         int(settings.STAFF_ADDRESS_LOCKOUT_THRESHOLD), int(settings.STAFF_LOCKOUT_MINUTES))


def _idp_limits() -> _SignInLimits:
    return _SignInLimits(IDP_SUBJECT, IDP_METHOD, int(settings.IDP_LOCKOUT_THRESHOLD),
                         int(settings.IDP_ADDRESS_LOCKOUT_THRESHOLD), int(settings.IDP_LOCKOUT_MINUTES))


def _epoch_key(limits: _SignInLimits, account: User, address: str | None) -> str:
    where = hashlib.sha256(address.encode()).hexdigest()[:32] if address else "*"
    return f"identity:sign-in:epoch:{limits.subject_type}:{account.pk}:{where}"


def _pair_key(limits: _SignInLimits, account: User, address: str) -> str:
    # Two epochs: a completed sign-in from this address clears its count; an unlock clears every address's.
    epochs = cache.get_many([_epoch_key(limits, account, None), _epoch_key(limits, account, address)])
    return (f"{account.pk}:{epochs.get(_epoch_key(limits, account, None), 0)}:"
            f"{epochs.get(_epoch_key(limits, account, address), 0)}:{address}")


def _forget_pair_failures(limits: _SignInLimits, account: User, address: str | None) -> None:
    """Start the failures of ``account`` from ``address`` (every address when None) from zero."""
    key = _epoch_key(limits, account, address)
    cache.set(key, int(cache.get(key, 0)) + 1, timeout=max(60, limits.minutes * 60 * 2))


def _refuse_if_address_limited(limits: _SignInLimits, address: str) -> None:
    wait = ratelimit.exceeded(f"{limits.subject_type}:address", address, rate=limits.rate(limits.address_threshold))
    if wait is None:
        return
    if ratelimit.first_refusal(f"{limits.subject_type}:address", address, wait):
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=limits.subject_type, subject_id="",
                     detail={"method": limits.method, "reason": "address_locked"})
    raise TooManyAttempts(_address_limited_message(wait), reason="address_locked", retry_after=wait)


def _refuse_if_pair_limited(limits: _SignInLimits, account: User, address: str) -> None:
    key = _pair_key(limits, account, address)
    wait = ratelimit.exceeded(f"{limits.subject_type}:account", key, rate=limits.rate(limits.account_threshold))
    if wait is None:
        return
    if ratelimit.first_refusal(f"{limits.subject_type}:account", key, wait):
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=limits.subject_type,
                     subject_id=account.pk, detail={"method": limits.method, "reason": "locked"})
    raise TooManyAttempts(_pair_limited_message(wait), reason="locked", retry_after=wait)


def _count_sign_in_failure(limits: _SignInLimits, address: str, *, message: str, reason: str,
                           account: User | None = None, field: str | None = None) -> NoReturn:
    """Count a wrong password (already audited by the caller) from ``address``, for ``account`` if known; refuse."""
    ratelimit.count_failure(f"{limits.subject_type}:address", address, rate=limits.rate(limits.address_threshold))
    if account is not None:
        wait = ratelimit.count_failure(f"{limits.subject_type}:account", _pair_key(limits, account, address),
                                       rate=limits.rate(limits.account_threshold))
        if wait is not None:
            audit.record(actor=None, action=Action.LOCKED, subject_type=limits.subject_type, subject_id=account.pk,
                         detail={"failures": limits.account_threshold, "minutes": limits.minutes,
                                 "scope": "address"})
            raise TooManyAttempts(_pair_limited_message(wait), reason="locked", retry_after=wait)
    raise SignInRefused(message, reason=reason, field=field)


def _minutes(seconds: int) -> int:
    return max(1, -(-int(seconds) // 60))


def _pair_limited_message(wait: int) -> str:
    return _("Tài khoản đang bị tạm khóa đối với địa chỉ này do nhập sai nhiều lần. Vui lòng thử lại sau %(n)d "
             "phút.") % {"n": _minutes(wait)}


def _address_limited_message(wait: int) -> str:
    return _("Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau %(n)d phút.") % {
        "n": _minutes(wait)}


def _record_staff_sign_in(user: User, *, enrolled: bool) -> None:
    audit.record(actor=agencies.actor_for(user), action=Action.SIGN_IN, subject_type=USER_SUBJECT,
                 subject_id=user.pk, detail={"method": "password+totp", "totp_enrolled": enrolled})


# ============================================================================================ session limits
# A staff session ends after STAFF_SESSION_IDLE_MINUTES without a request; a citizen's CITIZEN_SESSION_HOURS after
# the sign-in, however busy. Signing a result asks for a TOTP code given within STAFF_REAUTH_MINUTES. The times are
# kept in the session (seconds since the epoch); ``identity.middleware.SessionLimitsMiddleware`` applies them.


def start_session(session: SessionBase, user: User) -> None:
    """Stamp a session that has just been signed in (after ``auth_login``): its limits count from now."""
    now = time.time()
    session[SIGNED_IN_AT_SESSION_KEY] = now
    session[LAST_SEEN_SESSION_KEY] = now
    if user.kind == User.Kind.STAFF:
        session[REAUTHENTICATED_AT_SESSION_KEY] = now  # the password and the code were just given
    _set_session_expiry(session, user, now)


def session_expired(session: SessionBase, user: User) -> bool:
    """Whether this signed-in session has outlived its limit (idle for staff, absolute for citizens)."""
    now = time.time()
    if user.kind == User.Kind.STAFF:
        last_seen = session.get(LAST_SEEN_SESSION_KEY)
        return last_seen is not None and now - float(last_seen) > int(settings.STAFF_SESSION_IDLE_MINUTES) * 60
    signed_in_at = session.get(SIGNED_IN_AT_SESSION_KEY)
    return signed_in_at is not None and now - float(signed_in_at) > int(settings.CITIZEN_SESSION_HOURS) * 3600


def touch_session(session: SessionBase, user: User) -> None:
    """Note a request in a live session. A session signed in without ``start_session`` starts its limits now.

    A staff session is written at most once a minute (``LAST_SEEN_RESOLUTION``), not on every request."""
    now = time.time()
    if SIGNED_IN_AT_SESSION_KEY not in session:
        session[SIGNED_IN_AT_SESSION_KEY] = now
        session[LAST_SEEN_SESSION_KEY] = now
        _set_session_expiry(session, user, now)
    elif user.kind == User.Kind.STAFF and now - float(session.get(LAST_SEEN_SESSION_KEY, 0)) >= LAST_SEEN_RESOLUTION:
        session[LAST_SEEN_SESSION_KEY] = now
        _set_session_expiry(session, user, now)


def _set_session_expiry(session: SessionBase, user: User, now: float) -> None:
    # The store forgets the session shortly after the limit too (the cookie and the database row or cache entry
    # expire): SESSION_GRACE_SECONDS later, so that the middleware, not the store, ends it and can say why.
    if user.kind == User.Kind.STAFF:
        session.set_expiry(int(settings.STAFF_SESSION_IDLE_MINUTES) * 60 + SESSION_GRACE_SECONDS)
    else:
        since = float(session.get(SIGNED_IN_AT_SESSION_KEY, now))
        remaining = since + int(settings.CITIZEN_SESSION_HOURS) * 3600 - now
        session.set_expiry(max(1, int(remaining) + SESSION_GRACE_SECONDS))


def recently_authenticated(session: SessionBase) -> bool:
    """Whether the staff member of this session gave their code within STAFF_REAUTH_MINUTES (to sign a result)."""
    at = session.get(REAUTHENTICATED_AT_SESSION_KEY)
    return at is not None and time.time() - float(at) <= int(settings.STAFF_REAUTH_MINUTES) * 60


def reauthenticate_staff(*, session: SessionBase, user: User, code: str) -> User:
    """A signed-in staff member gives a fresh TOTP code; signing is allowed for STAFF_REAUTH_MINUTES after it."""
    if user.kind != User.Kind.STAFF:
        raise SignInRefused(_("Chỉ cán bộ mới xác thực lại bằng mã TOTP."), reason="not_staff", status=403)
    user = verify_staff_code(user=user, code=code, reauthentication=True)
    session[REAUTHENTICATED_AT_SESSION_KEY] = time.time()
    return user


class ReauthenticationRequired(ServiceError):
    """Signing needs a TOTP code given within the last STAFF_REAUTH_MINUTES (``POST /account/xac-thuc-lai/``)."""

    status = 403
    code = "reauthentication_required"


# Between the password and the code the account is only *pending*: nothing is signed in yet.


def remember_pending_staff(session: SessionBase, user: User, next_url: str = "") -> None:
    session[PENDING_STAFF_SESSION_KEY] = {"user": user.pk, "since": int(time.time()), "next": next_url}


def pending_staff(session: SessionBase) -> tuple[User, str] | None:
    """The account whose password was just accepted in this session, and where to go afterwards."""
    pending = session.get(PENDING_STAFF_SESSION_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_STAFF_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, kind=User.Kind.STAFF, is_active=True).first()
    return (user, str(pending.get("next", ""))) if user else None


def forget_pending_staff(session: SessionBase) -> None:
    session.pop(PENDING_STAFF_SESSION_KEY, None)
    session.pop(TOTP_SETUP_SESSION_KEY, None)


def enrolment_secret(session: SessionBase, user: User) -> str:
    """The secret offered to ``user`` for enrolment: kept in the session (not the account) until confirmed."""
    offered = session.get(TOTP_SETUP_SESSION_KEY)
    if isinstance(offered, dict) and offered.get("user") == user.pk and totp.is_valid_secret(offered.get("secret", "")):
        return str(offered["secret"])
    secret = totp.new_secret()
    session[TOTP_SETUP_SESSION_KEY] = {"user": user.pk, "secret": secret}
    return secret


# ============================================================================================ citizen sign-in


def start_citizen_sign_in(*, session: SessionBase, redirect_uri: str, next_url: str = "") -> str:
    """The provider's authorization URL for a new sign-in; its state, nonce and PKCE verifier wait in the session."""
    provider = oidc.Provider.from_settings()
    try:
        request = oidc.authorization_request(provider, redirect_uri)
    except oidc.ProviderError as exc:
        raise SignInRefused(exc.message, reason=exc.reason, status=exc.status) from exc
    pending = dict(session.get(PENDING_OIDC_SESSION_KEY) or {})
    pending[request.state] = {
        "issuer": provider.issuer,
        "nonce": request.nonce,
        "code_verifier": request.code_verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
    }
    session[PENDING_OIDC_SESSION_KEY] = dict(list(pending.items())[-MAX_PENDING_OIDC:])
    return request.url


def complete_citizen_sign_in(*, session: SessionBase, params: Mapping[str, str]) -> tuple[User, str]:
    """The provider sent the browser back: check the state, redeem the code, verify the ID token, sign the citizen in.

    Returns the account and where the citizen wanted to go. Any failure is audited and raised as
    ``SignInRefused``; nothing is signed in then.
    """
    provider = oidc.Provider.from_settings()
    state = params.get("state") or ""
    pending = dict(session.get(PENDING_OIDC_SESSION_KEY) or {})
    flow = pending.pop(state, None) if state else None
    session[PENDING_OIDC_SESSION_KEY] = pending
    if flow is None:
        _refuse_citizen("state_mismatch", _("Phiên đăng nhập không hợp lệ hoặc đã hết hạn (sai tham số state). "
                                            "Vui lòng đăng nhập lại."), issuer=provider.issuer)
    if params.get("error"):
        message = (_("Bạn đã hủy đăng nhập tại nhà cung cấp định danh.") if params["error"] == "access_denied"
                   else _("Nhà cung cấp định danh từ chối yêu cầu đăng nhập."))
        _refuse_citizen(f"provider_{params['error']}"[:40], message, issuer=provider.issuer)
    if not params.get("code"):
        _refuse_citizen("no_code", _("Thiếu mã xác thực từ nhà cung cấp định danh."), issuer=provider.issuer)
    if flow["issuer"] != provider.issuer:
        _refuse_citizen("issuer_changed", _("Phiên đăng nhập không hợp lệ. Vui lòng đăng nhập lại."),
                        issuer=provider.issuer)
    try:
        token = oidc.exchange_code(provider, code=params["code"], code_verifier=flow["code_verifier"],
                                   redirect_uri=flow["redirect_uri"])
        claims = oidc.verify_id_token(provider, token["id_token"], nonce=flow["nonce"],
                                      access_token=token.get("access_token"))
        if provider.id_number_claim not in claims and token.get("access_token"):
            info = oidc.userinfo(provider, token["access_token"])
            if info and info.get("sub") != claims["sub"]:  # OpenID Connect Core §5.3.4
                raise oidc.ProviderError("userinfo_subject_mismatch", _("Thông tin định danh không nhất quán."))
            claims = {**info, **claims}
    except oidc.ProviderError as exc:
        _refuse_citizen(exc.reason, exc.message, issuer=provider.issuer, status=exc.status)
    user = sign_in_citizen(issuer=provider.issuer, claims=claims, id_number_claim=provider.id_number_claim)
    return user, str(flow.get("next") or "")


def sign_in_citizen(*, issuer: str, claims: Mapping[str, Any], id_number_claim: str = "id_number") -> User:
    """The citizen's account for a verified identity, created or linked on their first sign-in.

    ``iss`` + ``sub`` identify the person for good; on a first sign-in the ID-number claim finds their population
    record, and a citizen the registry does not know gets no account.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        _refuse_citizen("no_subject", _("Thẻ định danh không có mã chủ thể (sub)."), issuer=issuer)
    number = _claimed_id_number(claims.get(id_number_claim), issuer=issuer)

    user = User.objects.select_related("person").filter(oidc_issuer=issuer, oidc_subject=subject).first()
    if user is not None:
        citizen = user.person
        if user.kind != User.Kind.CITIZEN or not user.is_active or citizen is None:
            _refuse_citizen("account_disabled", _("Tài khoản này không thể đăng nhập. Vui lòng liên hệ bộ phận "
                                                  "một cửa."), issuer=issuer)
        if number is not None and citizen.id_number != number:
            _refuse_citizen("id_number_changed", _("Số định danh không khớp với tài khoản đã liên kết. Vui lòng "
                                                   "liên hệ bộ phận một cửa."), issuer=issuer)
    else:
        if number is None:
            _refuse_citizen("no_id_number", _("Nhà cung cấp định danh không cung cấp số định danh cá nhân, nên không "
                                              "xác định được hồ sơ công dân."), issuer=issuer)
        # A read-only look-up of the population registry by the number the provider vouched for.
        citizen = Citizen.objects.filter(id_number=number).first()
        if citizen is None:
            _refuse_citizen("not_in_registry", _(
                "Số định danh cá nhân của bạn chưa có trong Cơ sở dữ liệu dân cư của Thành phố, nên chưa thể tạo tài "
                "khoản. Vui lòng liên hệ Ủy ban nhân dân phường, xã nơi cư trú."), issuer=issuer)
        user = User.objects.filter(person=citizen).first()
        if user is not None:
            if user.kind != User.Kind.CITIZEN or not user.is_active:
                _refuse_citizen("account_disabled", _("Tài khoản này không thể đăng nhập. Vui lòng liên hệ bộ phận "
                                                      "một cửa."), issuer=issuer)
            if user.oidc_subject:
                _refuse_citizen("linked_elsewhere", _("Hồ sơ công dân này đã liên kết với một định danh điện tử "
                                                      "khác. Vui lòng liên hệ bộ phận một cửa."), issuer=issuer)
    try:
        return _save_citizen_sign_in(user, citizen, issuer=issuer, subject=subject)
    except IntegrityError:  # the same person signing in twice at once: the other request created the account
        existing = User.objects.filter(oidc_issuer=issuer, oidc_subject=subject, person=citizen).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _save_citizen_sign_in(user: User | None, citizen: Citizen, *, issuer: str, subject: str) -> User:
    last_name, _sep, first_name = citizen.full_name.rpartition(" ")
    created, linked = user is None, user is not None and not user.oidc_subject
    if user is None:
        user = User(username=_citizen_username(citizen), kind=User.Kind.CITIZEN, person=citizen)
        user.set_unusable_password()
    user.oidc_issuer, user.oidc_subject = issuer, subject
    user.first_name, user.last_name = first_name, last_name
    user.email = user.email or citizen.email
    user.save()
    audit.record(actor=agencies.actor_for(user), action=Action.SIGN_IN, subject_type=USER_SUBJECT,
                 subject_id=user.pk, detail={"method": "oidc", "issuer": issuer, "created": created,
                                             "linked": linked})
    return user


def _citizen_username(citizen: Citizen) -> str:
    username = f"cd-{citizen.pk}"
    if User.objects.filter(username=username).exists():
        username = f"cd-{citizen.pk}-{new_subject()[:8]}"
    return username


def _claimed_id_number(value: object, *, issuer: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return clean_id_number(str(value))
    except Invalid:
        _refuse_citizen("id_number_malformed", _("Số định danh cá nhân do nhà cung cấp định danh trả về không hợp "
                                                 "lệ."), issuer=issuer)


def _refuse_citizen(reason: str, message: str, *, issuer: str, status: int = 400) -> NoReturn:
    """Audit a refused citizen sign-in and raise (never returns)."""
    audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type="identity.oidc",
                 detail={"method": "oidc", "reason": reason, "issuer": issuer})
    raise SignInRefused(message, reason=reason, status=status)


# ============================================================================= the development identity provider


def set_idp_password(citizen: Citizen, password: str) -> IdpAccount:
    """Give a citizen an electronic identity at the development provider, or change its password. Idempotent."""
    if len(password or "") < MIN_IDP_PASSWORD_LENGTH:
        raise Invalid(_("Mật khẩu phải có ít nhất %(n)d ký tự.") % {"n": MIN_IDP_PASSWORD_LENGTH}, field="password")
    with transaction.atomic():
        account = IdpAccount.objects.select_related("principal").filter(citizen=citizen).first()
        if account is None:
            subject = new_subject()
            principal = User(username=f"idp-{subject}", kind=User.Kind.IDP)
            principal.set_unusable_password()
            principal.save()
            account = IdpAccount(citizen=citizen, subject=subject, principal=principal)
        if not account.password or not check_password(password, account.password):
            account.password = make_password(password)
        account.save()
    return account


def authenticate_idp_account(*, id_number: str, password: str, address: str | None = None) -> IdpAccount:
    """The identity at the development provider for this ID number and password; ``SignInRefused`` otherwise.

    The provider's form is guarded as the staff sign-in is, by the same counters: ``IDP_LOCKOUT_THRESHOLD`` wrong
    passwords for one identity from one client ``address`` refuse that identity from that address for up to
    ``IDP_LOCKOUT_MINUTES``, and ``IDP_ADDRESS_LOCKOUT_THRESHOLD`` failures from one address refuse the address
    whatever ID number it tries (guessing across many citizens). Nobody can lock a citizen out from elsewhere, and
    both holds run out on their own. Every sign-in, refusal and hold is audited (a refusal once per window), never
    with the ID number or the password.
    """
    limits = _idp_limits()
    address = address or "unknown"
    _refuse_if_address_limited(limits, address)
    number = clean_id_number(id_number)
    account = IdpAccount.objects.select_related("citizen", "principal").filter(citizen__id_number=number).first()
    if account is None:
        make_password(password)  # same cost as a real check
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=IDP_SUBJECT, subject_id="",
                     detail={"method": IDP_METHOD, "reason": "unknown_account"})
        _count_sign_in_failure(limits, address, message=_idp_bad_credentials(), reason="unknown_account",
                               field="password")
    principal = account.principal
    _refuse_if_pair_limited(limits, principal, address)

    def upgrade(raw: str) -> None:
        IdpAccount.objects.filter(pk=account.pk).update(password=make_password(raw))

    if not check_password(password, account.password, setter=upgrade):
        audit.record(actor=None, action=Action.SIGN_IN_FAILED, subject_type=IDP_SUBJECT, subject_id=principal.pk,
                     detail={"method": IDP_METHOD, "reason": "password"})
        _count_sign_in_failure(limits, address, account=principal, message=_idp_bad_credentials(),
                               reason="password", field="password")
    _forget_pair_failures(limits, principal, address)
    with transaction.atomic():
        # ID tokens carry ``auth_time``, which django-oauth-toolkit reads from the principal's last_login.
        User.objects.filter(pk=principal.pk).update(last_login=timezone.now())
        audit.record(actor=None, action=Action.SIGN_IN, subject_type=IDP_SUBJECT, subject_id=principal.pk,
                     detail={"method": IDP_METHOD})
    return account


def _idp_bad_credentials() -> str:
    return _("Số định danh cá nhân hoặc mật khẩu không đúng.")


def ensure_demo_client(redirect_uri_base: str) -> AbstractApplication:
    """Register the portal at the development provider as a confidential RS256 client. Idempotent.

    The redirect URI is ``{redirect_uri_base}/account/oidc/callback/``; for a loopback base the other loopback name
    (127.0.0.1 ↔ localhost) is registered too, since the portal builds the URI from the address the browser used.
    Client id and secret come from ``OIDC_CLIENT_ID`` / ``OIDC_CLIENT_SECRET``.
    """
    Application = get_application_model()
    base = redirect_uri_base.rstrip("/")
    path = reverse("identity:oidc_callback")
    bases = [base, *_loopback_twins(base)]
    with transaction.atomic():
        application, _created = Application.objects.update_or_create(
            client_id=settings.OIDC_CLIENT_ID,
            defaults={
                "name": "Cổng dịch vụ công Hà Nội",
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": " ".join(f"{b}{path}" for b in bases),
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,  # the city's own portal: no consent screen
                "hash_client_secret": True,
            },
        )
        if not check_password(settings.OIDC_CLIENT_SECRET, application.client_secret):
            application.client_secret = settings.OIDC_CLIENT_SECRET  # hashed on save
            application.save(update_fields=["client_secret"])
    return application


def _loopback_twins(base: str) -> list[str]:
    parts = urlsplit(base)
    host, _sep, port = parts.netloc.partition(":")
    twin = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(host)
    if twin is None:
        return []
    return [urlunsplit(parts._replace(netloc=f"{twin}:{port}" if port else twin))]


# ======================================================================================================= reads


@dataclass(frozen=True)
class MembershipView:
    agency_code: str
    agency: str
    role: str
    role_label: str
    title: str


@dataclass(frozen=True)
class AccountView:
    username: str
    kind: str
    name: str
    masked_id_number: str | None = None
    memberships: list[MembershipView] = field(default_factory=list)


def describe_account(user: User) -> AccountView:
    """Who is signed in, as the account page and ``GET /api/v1/identity/me`` show it (the ID number masked)."""
    memberships = [
        MembershipView(agency_code=m.agency.code, agency=m.agency.name, role=m.role,
                       role_label=m.get_role_display(), title=m.title)
        for m in agencies.scope_of(user).memberships
    ]
    person = user.person if user.person_id else None
    return AccountView(
        username=user.username,
        kind=user.kind,
        name=person.full_name if person else (user.get_full_name() or user.username),
        masked_id_number=person.masked_id_number if person else None,
        memberships=memberships,
    )
