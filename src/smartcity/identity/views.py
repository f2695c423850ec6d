"""Sign-in pages at /account/: the choice between VNeID (citizens) and password + TOTP (staff), and sign-out.

Thin: every decision is in ``services``. A staff member is signed in only after the code; until then the session
holds them as *pending*. On every refusal nothing is signed in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartcity.identity import services, totp
from smartcity.identity.forms import StaffLoginForm, TotpForm
from smartcity.identity.models import User
from smartcity.lib import ratelimit

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    """The page to return to after sign-in, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return ""


def _go_on(next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Citizens go on to VNeID; staff type their password here, then their code."""
    next_url = _next_url(request)
    status, retry_after = 200, None
    if request.method == "POST":
        form = StaffLoginForm(request.POST)
        if form.is_valid():
            try:
                user = services.check_staff_password(
                    username=form.cleaned_data["username"], password=form.cleaned_data["password"],
                    address=ratelimit.client_address(request),
                )
            except services.SignInRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
                retry_after = getattr(exc, "retry_after", None)
            else:
                services.remember_pending_staff(request.session, user, next_url)
                return redirect("identity:totp" if user.totp_confirmed else "identity:totp_setup")
        else:
            status = 400
    else:
        form = StaffLoginForm()
    response = render(request, "identity/login.html", {"form": form, "next": next_url}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the identity provider (authorization code + PKCE)."""
    callback = request.build_absolute_uri(reverse("identity:oidc_callback"))
    try:
        url = services.start_citizen_sign_in(session=request.session, redirect_uri=callback,
                                             next_url=_next_url(request))
    except services.SignInRefused as exc:
        return render(request, "identity/sign_in_error.html", {"message": exc.message}, status=exc.status)
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """The identity provider sends the citizen back here with a code (or an error).

    Each refusal is audited, so refusals are counted per client address (``RATE_LIMITS["oidc_callback"]``): past
    the limit the address gets 429 and nothing more is audited until the window ends."""
    address = ratelimit.client_address(request)
    wait = ratelimit.exceeded("oidc_callback", address)
    if wait is not None:
        return ratelimit.rate_limited_response(request, ratelimit.RateLimited(retry_after=wait))
    try:
        user, next_url = services.complete_citizen_sign_in(session=request.session, params=request.GET.dict())
    except services.SignInRefused as exc:
        ratelimit.count_failure("oidc_callback", address)
        return render(request, "identity/sign_in_error.html", {"message": exc.message}, status=exc.status)
    auth_login(request, user, backend=MODEL_BACKEND)
    services.start_session(request.session, user)
    messages.success(request, _("Đăng nhập thành công. Xin chào %(name)s.") % {"name": user.get_full_name()})
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    return _go_on(next_url)


def _pending_or_restart(request: HttpRequest) -> tuple[User, str] | HttpResponse:
    pending = services.pending_staff(request.session)
    if pending is None:
        messages.error(request, _("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu."))
        return redirect("identity:login")
    return pending


def _finish_staff_sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    services.forget_pending_staff(request.session)
    auth_login(request, user, backend=MODEL_BACKEND)
    request.session[services.SECOND_FACTOR_SESSION_KEY] = True
    services.start_session(request.session, user)
    messages.success(request, _("Đăng nhập thành công. Xin chào %(name)s.") % {"name": user.get_full_name()})
    return _go_on(next_url or resolve_url(STAFF_LANDING))


# Where staff land after signing in when no page asked for the sign-in: their work queue (citizens: LOGIN_REDIRECT_URL).
STAFF_LANDING = "dossiers:queue"


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def totp_step(request: HttpRequest) -> HttpResponse:
    """Second step for an enrolled staff account: the code from the authenticator app."""
    pending = _pending_or_restart(request)
    if isinstance(pending, HttpResponse):
        return pending
    user, next_url = pending
    if not user.totp_confirmed:
        return redirect("identity:totp_setup")
    status = 200
    form = TotpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.verify_staff_code(user=user, code=form.cleaned_data["code"])
            except services.SignInRefused as exc:
                form.add_error("code", exc.message)
                status = exc.status
            else:
                return _finish_staff_sign_in(request, user, next_url)
        else:
            status = 400
    return render(request, "identity/totp.html", {"form": form, "staff": user}, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in of a staff account: scan the QR code, then confirm with the first code."""
    pending = _pending_or_restart(request)
    if isinstance(pending, HttpResponse):
        return pending
    user, next_url = pending
    if user.totp_confirmed:
        return redirect("identity:totp")
    secret = services.enrolment_secret(request.session, user)
    status = 200
    form = TotpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.confirm_totp_enrolment(user=user, secret=secret, code=form.cleaned_data["code"])
            except services.SignInRefused as exc:
                form.add_error("code", exc.message)
                status = exc.status
            else:
                return _finish_staff_sign_in(request, user, next_url)
        else:
            status = 400
    uri = totp.provisioning_uri(secret, user.username)
    context = {"form": form, "staff": user, "secret": secret, "otpauth_uri": uri, "qr_svg": totp.qr_svg(uri)}
    return render(request, "identity/totp_setup.html", context, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """A signed-in staff member gives a fresh code from their authenticator app before signing a result."""
    user = request.user
    if not user.is_authenticated or getattr(user, "kind", None) != User.Kind.STAFF:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    status = 200
    form = TotpForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reauthenticate_staff(session=request.session, user=user, code=form.cleaned_data["code"])
            except services.AccountLocked as exc:
                auth_logout(request)  # locked while signed in: the session ends too
                messages.error(request, exc.message)
                return redirect("identity:login")
            except services.SignInRefused as exc:
                form.add_error("code", exc.message)
                status = exc.status
            else:
                messages.success(request, _("Đã xác thực lại. Bạn có thể ký số trong %(n)d phút tới.")
                                 % {"n": settings.STAFF_REAUTH_MINUTES})
                return _go_on(next_url)
        else:
            status = 400
    return render(request, "identity/reauthenticate.html", {"form": form, "staff": user, "next": next_url},
                  status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
