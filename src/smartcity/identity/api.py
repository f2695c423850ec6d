"""Identity API: who is signed in (session authentication; 401 when nobody is)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.security import django_auth

from smartcity.identity import services
from smartcity.identity.schemas import MeOut

router = Router(auth=django_auth)


@router.get("/me", response=MeOut, summary="The signed-in account (citizen: masked ID number; staff: roles)")
def me(request: HttpRequest) -> object:
    return services.describe_account(request.user)  # type: ignore[arg-type]  # django_auth: a signed-in User
