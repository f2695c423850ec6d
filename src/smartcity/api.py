"""The JSON API at /api/v1 (OpenAPI 3 document at /api/v1/openapi.json, docs at /api/v1/docs): one ninja router per
app, errors in one shape.

Every error body is ``{"errors": [{"code": ..., "field": ..., "message": ...}]}`` (``lib.contract.ErrorsOut``): 400
for bad input (naming the field), 401 unauthenticated (before any CSRF check), 403 outside the caller's scope or a
signed-in write without its CSRF token, 404, 409, 410 gone, 413 too large, 503 storage down. Each route declares the
ones it can return and the bounds of its parameters, and a schemathesis run in the test suite holds every answer to
the document (``smartcity/tests/test_openapi_contract.py``).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from smartcity.agencies.api import router as agencies_router
from smartcity.audit.api import router as audit_router
from smartcity.dossiers.api import router as dossiers_router
from smartcity.dossiers.api import statistics_router, tracking_router
from smartcity.education.api import router as education_router
from smartcity.environment.api import router as environment_router
from smartcity.feedback.api import router as feedback_router
from smartcity.identity.api import router as identity_router
from smartcity.interop.api import router as interop_router
from smartcity.ioc.api import router as ioc_router
from smartcity.lib.errors import ServiceError
from smartcity.ops import readiness, unavailable
from smartcity.payments.api import router as payments_router
from smartcity.places.api import router as places_router
from smartcity.population.api import router as population_router
from smartcity.procedures.api import router as procedures_router
from smartcity.signing.api import router as signing_router
from smartcity.vault.api import router as vault_router


class CheckOut(Schema):
    name: str
    ok: bool
    detail: str


class ReadyOut(Schema):
    status: str
    checks: list[CheckOut]


api = NinjaAPI(
    title="Smart City Platform API",
    version="1",
    description="Nền tảng đô thị thông minh và chính quyền điện tử — API v1",
    urls_namespace="api",
    # The reference at /api/v1/docs is a portal page drawn from this API's OpenAPI document (smartcity.portal.api_docs):
    # no CDN, no script; the Swagger UI and ReDoc bundles fail the accessibility checks every page must pass.
    docs_url=None,
)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "retry_after", None):  # 429 (lib.ratelimit)
        response["Retry-After"] = str(exc.retry_after)
    return response


#: Pydantic's messages for the bounds the OpenAPI document declares, said in Vietnamese first (the English after).
_VIETNAMESE = {
    "literal_error": lambda ctx: f"Chọn một trong {str(ctx.get('expected', '')).replace(' or ', ' hoặc ')}",
    "string_too_long": lambda ctx: f"Dài quá {ctx.get('max_length')} ký tự",
    "string_too_short": lambda ctx: f"Cần ít nhất {ctx.get('min_length')} ký tự",
    "too_long": lambda ctx: f"Nhiều quá {ctx.get('max_length')} phần tử",
    "too_short": lambda ctx: f"Cần ít nhất {ctx.get('min_length')} phần tử",
    "greater_than_equal": lambda ctx: f"Phải từ {ctx.get('ge')} trở lên",
    "less_than_equal": lambda ctx: f"Phải không quá {ctx.get('le')}",
    "greater_than": lambda ctx: f"Phải lớn hơn {ctx.get('gt')}",
    "less_than": lambda ctx: f"Phải nhỏ hơn {ctx.get('lt')}",
    "missing": lambda ctx: "Thiếu trường bắt buộc",
    "int_parsing": lambda ctx: "Phải là số nguyên",
    "date_from_datetime_parsing": lambda ctx: "Ngày phải có dạng YYYY-MM-DD",
    "date_parsing": lambda ctx: "Ngày phải có dạng YYYY-MM-DD",
}


def _in_vietnamese(err: dict) -> str:
    english = err.get("msg", "invalid")
    say = _VIETNAMESE.get(err.get("type", ""))
    return f"{say(err.get('ctx') or {})} ({english})" if say else english


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "payload", "form")]
        message = _in_vietnamese(err)
        errors.append({"code": "invalid", "field": ".".join(loc) or None, "message": message})
    return api.create_response(request, {"errors": errors}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"errors": [{"code": "unauthenticated", "message": "Cần đăng nhập (authentication required)"}]}
    return api.create_response(request, body, status=401)


@api.exception_handler(MultiPartParserError)
def _malformed_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    body = {"errors": [{"code": "invalid", "field": None,
                        "message": f"Thân yêu cầu multipart không đọc được (malformed multipart body): {exc}"}]}
    return api.create_response(request, body, status=400)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
@api.exception_handler(OSError)
def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A database that is down or a disk that is full: 503 with Retry-After (ops/unavailable.py); any other OSError
    is a bug and goes on to the 500 handler."""
    if unavailable.is_unavailable(exc):
        return unavailable.unavailable_response(request, exc)
    raise exc


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"errors": [{"code": "error", "message": str(exc)}]}, status=exc.status_code)


api.add_router("/places", places_router, tags=["places"])
api.add_router("/agencies", agencies_router, tags=["agencies"])
api.add_router("/population", population_router, tags=["population"])
api.add_router("/identity", identity_router, tags=["identity"])
api.add_router("/audit", audit_router, tags=["audit"])
api.add_router("/procedures", procedures_router, tags=["procedures"])
api.add_router("/dossiers", dossiers_router, tags=["dossiers"])
api.add_router("/track", tracking_router, tags=["dossiers"])
api.add_router("/statistics", statistics_router, tags=["statistics"])
api.add_router("/signatures", signing_router, tags=["signatures"])
api.add_router("/payments", payments_router, tags=["payments"])
api.add_router("/vault", vault_router, tags=["vault"])
api.add_router("/environment", environment_router, tags=["environment"])
api.add_router("/interop", interop_router, tags=["interop"])
api.add_router("/ioc", ioc_router, tags=["ioc"])
api.add_router("/feedback", feedback_router, tags=["feedback"])
api.add_router("/education", education_router, tags=["education"])


@api.get("/health", auth=None, tags=["platform"], summary="Liveness: the process answers (no database, no session)")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}


@api.get("/ready", auth=None, tags=["platform"], response={200: ReadyOut, 503: ReadyOut},
         summary="Readiness: the database, cache, job broker and workers, each checked and named")
def ready(request: HttpRequest) -> tuple[int, dict[str, object]]:
    checks = readiness.readiness()
    ok = all(check.ok for check in checks)
    body = {"status": "ok" if ok else "unavailable",
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]}
    return (200, body) if ok else (503, body)
