"""The development OpenID Connect provider at /idp/ (stands in for VNeID), on django-oauth-toolkit.

A standard client uses it unchanged: discovery, JWKS, authorize (code + PKCE), token, userinfo. It is a separate
party from the portal: a citizen signs in here with their ID number and the provider's own password
(``IdpAccount``), and this sign-in lives under its own session key — it never signs anyone in to the portal, which
learns who the citizen is only from the ID token, exactly as it would from VNeID.

Claims come from the population registry: ``sub`` is the account's opaque subject (never the ID number); ``name``,
``birthdate``, ``gender`` under the ``profile`` scope; ``id_number`` only under the ``id_number`` scope.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from oauth2_provider import views as oauth2_views
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView
from oauthlib.oauth2.rfc6749.endpoints import (
    AuthorizationEndpoint,
    ResourceEndpoint,
    RevocationEndpoint,
    TokenEndpoint,
)
from oauthlib.oauth2.rfc6749.grant_types import AuthorizationCodeGrant as OAuth2AuthorizationCodeGrant
from oauthlib.oauth2.rfc6749.tokens import BearerToken
from oauthlib.openid.connect.core.endpoints.userinfo import UserInfoEndpoint
from oauthlib.openid.connect.core.grant_types import AuthorizationCodeGrant as OidcAuthorizationCodeGrant
from oauthlib.openid.connect.core.grant_types.dispatchers import (
    AuthorizationCodeGrantDispatcher,
    AuthorizationTokenGrantDispatcher,
)

from smartcity.identity import services
from smartcity.identity.forms import IdpLoginForm
from smartcity.identity.models import IdpAccount, User
from smartcity.lib import ratelimit
from smartcity.lib.errors import ServiceError
from smartcity.population.models import Citizen, Sex

_GENDER: dict[str, str] = {Sex.MALE: "male", Sex.FEMALE: "female"}  # OpenID Connect Core §5.1 values


def _citizen(request: Any) -> Citizen:
    # ``request.user`` is the account's principal; related objects are cached on it, so one look-up per token.
    return request.user.idp_account.citizen


class AuthorizationCodeServer(AuthorizationEndpoint, TokenEndpoint, ResourceEndpoint, RevocationEndpoint,
                              UserInfoEndpoint):
    """oauthlib's OpenID Connect server with one grant: authorization code (PKCE required by the settings).

    oauthlib's all-in-one server also answers the password grant, and checks the username and password it is
    given (Django's ``authenticate``, any account, staff included) *before* it asks whether the client may use the
    grant: "invalid_grant" or "unauthorized_client" told a guesser whether a staff password was right, past the staff
    lockout, the second factor and the audit. Here every other grant type — password, client credentials, refresh
    token, device code — is ``unsupported_grant_type`` before anything is looked at, every other response type
    (implicit, hybrid) ``unsupported_response_type``, and no refresh token is issued: the portal redeems one code
    for one ID token and uses nothing else.
    """

    def __init__(self, request_validator: Any, token_expires_in: Any = None, token_generator: Any = None,
                 refresh_token_generator: Any = None, *args: Any, **kwargs: Any) -> None:
        plain = OAuth2AuthorizationCodeGrant(request_validator, refresh_token=False)
        oidc = OidcAuthorizationCodeGrant(request_validator, refresh_token=False)
        self.bearer = BearerToken(request_validator, token_generator, token_expires_in, refresh_token_generator)
        AuthorizationEndpoint.__init__(
            self, default_response_type="code", default_token_type=self.bearer,
            response_types={"code": AuthorizationCodeGrantDispatcher(default_grant=plain, oidc_grant=oidc)},
        )
        TokenEndpoint.__init__(
            self, default_grant_type="authorization_code", default_token_type=self.bearer,
            grant_types={"authorization_code": AuthorizationTokenGrantDispatcher(
                request_validator, default_grant=plain, oidc_grant=oidc)},
        )
        ResourceEndpoint.__init__(self, default_token="Bearer", token_types={"Bearer": self.bearer})
        RevocationEndpoint.__init__(self, request_validator)
        UserInfoEndpoint.__init__(self, request_validator)


class ClaimsValidator(OAuth2Validator):
    """django-oauth-toolkit's validator with the claims of a Vietnamese electronic identity.

    Behind ``AuthorizationCodeServer`` it refuses, again, anything but the authorization code: no grant here ever
    checks a password (the provider's own sign-in form does, with its lockout and audit).
    """

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "id_number": "id_number"}

    def validate_user(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def validate_grant_type(self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any,
                            **kwargs: Any) -> bool:
        return grant_type == "authorization_code" and super().validate_grant_type(
            client_id, grant_type, client, request, *args, **kwargs)

    def validate_response_type(self, client_id: str, response_type: str, client: Any, request: Any, *args: Any,
                               **kwargs: Any) -> bool:
        return response_type == "code" and super().validate_response_type(
            client_id, response_type, client, request, *args, **kwargs)

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        claims = super().get_claim_dict(request)
        claims["sub"] = lambda r: r.user.idp_account.subject  # stable and opaque; the default is the row id
        return claims

    def get_additional_claims(self) -> dict[str, Any]:  # request-agnostic, so discovery lists these claims
        return {
            "name": lambda r: _citizen(r).full_name,
            "birthdate": lambda r: _citizen(r).date_of_birth.isoformat(),
            "gender": lambda r: _GENDER.get(_citizen(r).sex, "other"),
            "id_number": lambda r: _citizen(r).id_number,
        }


def signed_in_account(session: SessionBase) -> IdpAccount | None:
    """The identity signed in at the provider in this browser session, if any."""
    account_id = session.get(services.IDP_SESSION_KEY)
    if account_id is None:
        return None
    return IdpAccount.objects.select_related("principal", "citizen").filter(pk=account_id).first()


class TokenView(oauth2_views.TokenView):
    """The token endpoint, every request through ``AuthorizationCodeServer`` (django-oauth-toolkit's own view
    answers device-code polling itself, before the server: here that grant is unsupported like the others)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.authorization_flow_token_response(request)


class AuthorizeView(AuthorizationView):
    """The authorization endpoint, signed in through the provider's own session rather than the portal's."""

    template_name = "identity/idp/authorize.html"
    login_url = reverse_lazy("oauth2_provider:login")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        account = signed_in_account(request.session)
        # django-oauth-toolkit attaches grants and tokens to request.user: here, the identity's principal.
        principal: User | AnonymousUser = account.principal if account else AnonymousUser()
        request.user = principal
        self.idp_account = account
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["citizen"] = self.idp_account.citizen if self.idp_account else None
        return context


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """The provider's sign-in page: a 12-digit ID number and the password, as on VNeID."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    status, retry_after = 200, None
    if request.method == "POST":
        form = IdpLoginForm(request.POST)
        if form.is_valid():
            try:
                account = services.authenticate_idp_account(
                    id_number=form.cleaned_data["id_number"], password=form.cleaned_data["password"],
                    address=ratelimit.client_address(request),
                )
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
                retry_after = getattr(exc, "retry_after", None)
            else:
                request.session.cycle_key()  # no session fixation across the sign-in
                request.session[services.IDP_SESSION_KEY] = account.pk
                if next_url:
                    return HttpResponseRedirect(next_url)
                return render(request, "identity/idp/signed_in.html", {"citizen": account.citizen})
        else:
            status = 400
    else:
        form = IdpLoginForm()
    response = render(request, "identity/idp/login.html", {"form": form, "next": next_url}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
