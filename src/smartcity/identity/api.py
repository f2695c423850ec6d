"""Identity API: who is signed in (session authentication; 401 when nobody is)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from smartcity.identity import services
from smartcity.identity.schemas import MeOut
from smartcity.lib.contract import errors, session_auth

router = Router(auth=session_auth)


@router.get("/me", response={200: MeOut, **errors(401)},
            summary="The signed-in account (citizen: masked ID number; staff: roles)")
def me(request: HttpRequest) -> object:
    return services.describe_account(request.user)  # type: ignore[arg-type]  # session_auth: a signed-in User
