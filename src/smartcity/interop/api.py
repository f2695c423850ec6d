"""The data-sharing gateway (bearer token, client credentials) and the citizen's consents (session).

Subjects (ID numbers) travel in POST bodies, never in URLs, so they stay out of access logs; every call needs an
``X-Request-ID`` header (8–64 characters, once per client: a replay is a 409)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Header, Router

from smartcity.interop import services
from smartcity.interop.auth import gateway_bearer
from smartcity.interop.models import DataService, Grant
from smartcity.interop.schemas import (
    ConsentOut,
    DataServiceOut,
    DossierResultOut,
    DossierStatusOut,
    GatewayDossierIn,
    ResidenceVerificationIn,
    ResidenceVerificationOut,
)
from smartcity.lib.contract import SIGNED_IN, errors, session_auth

router = Router()
_REQUEST_ID = Header(..., alias="X-Request-ID", min_length=1, max_length=200)
_GATEWAY_ERRORS = errors(400, 401, 403, 404, 409)


@router.get("/services", auth=gateway_bearer, response={200: list[DataServiceOut], **errors(401)},
            summary="Published data services, with the purposes this client is registered for")
def list_services(request: HttpRequest) -> list[dict[str, Any]]:
    client = request.auth.client  # type: ignore[attr-defined]
    grants = {g.service_id: g.purposes for g in Grant.objects.filter(client=client)}
    return [{"code": s.code, "name": s.name, "purposes": s.purposes, "needs_consent": s.needs_consent,
             "registered_purposes": grants.get(s.pk, [])} for s in DataService.objects.filter(is_active=True)]


@router.post("/residence-verification", auth=gateway_bearer, response={200: ResidenceVerificationOut, **_GATEWAY_ERRORS},
             summary="Verify a citizen's residence (population registry); needs the citizen's consent")
def residence_verification(request: HttpRequest, body: ResidenceVerificationIn,
                           request_id: str = _REQUEST_ID) -> dict[str, Any]:
    return services.verify_residence(client=request.auth.client, purpose=body.purpose,  # type: ignore[attr-defined]
                                     request_id=request_id, id_number=body.id_number, unit_code=body.unit_code)


@router.post("/dossier-status", auth=gateway_bearer, response={200: DossierStatusOut, **_GATEWAY_ERRORS},
             summary="A dossier's status, with its national status code")
def dossier_status(request: HttpRequest, body: GatewayDossierIn, request_id: str = _REQUEST_ID) -> dict[str, Any]:
    return services.dossier_status(client=request.auth.client, purpose=body.purpose,  # type: ignore[attr-defined]
                                   request_id=request_id, id_number=body.id_number, code=body.code)


@router.post("/dossier-result", auth=gateway_bearer, response={200: DossierResultOut, **_GATEWAY_ERRORS},
             summary="A dossier's result (availability, signature, link); needs the citizen's consent")
def dossier_result(request: HttpRequest, body: GatewayDossierIn, request_id: str = _REQUEST_ID) -> dict[str, Any]:
    return services.dossier_result(client=request.auth.client, purpose=body.purpose,  # type: ignore[attr-defined]
                                   request_id=request_id, id_number=body.id_number, code=body.code)


def _consents(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"service": r.service.code, "name": r.service.name, "given": r.given_at is not None,
             "given_at": r.given_at, "agencies": r.clients} for r in services.consents_of(request.user)]


@router.get("/consents", auth=session_auth, response={200: list[ConsentOut], **errors(SIGNED_IN)},
            summary="My consents: each service that needs one, given or not")
def my_consents(request: HttpRequest) -> list[dict[str, Any]]:
    return _consents(request)


@router.put("/consents/{service}", auth=session_auth, response={200: list[ConsentOut], **errors(SIGNED_IN, 404)},
            summary="Give my consent to a service")
def give_consent(request: HttpRequest, service: str) -> list[dict[str, Any]]:
    services.give_consent(user=request.user, service_code=service[:60])  # type: ignore[arg-type]
    return _consents(request)


@router.delete("/consents/{service}", auth=session_auth,
               response={200: list[ConsentOut], **errors(SIGNED_IN, 404)},
               summary="Withdraw my consent: the next call of the service about me is refused")
def withdraw_consent(request: HttpRequest, service: str) -> list[dict[str, Any]]:
    services.withdraw_consent(user=request.user, service_code=service[:60])  # type: ignore[arg-type]
    return _consents(request)
