"""GET /api/v1/audit/my-data-accesses: who read my record (the citizen's own view of the audit log); ``/by-day``:
the same grouped by agency, purpose and Hà Nội day with counts, as the page shows it."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from smartcity.audit import services
from smartcity.audit.schemas import AccessGroupPage, AccessOut
from smartcity.lib.contract import errors, session_auth
from smartcity.lib.errors import Forbidden

router = Router(auth=session_auth)


@router.get("/my-data-accesses", response={200: list[AccessOut], **errors(401, 403)},
            summary="Who accessed my personal data")
def my_data_accesses(request: HttpRequest) -> object:
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise Forbidden("Chỉ công dân có hồ sơ mới xem được nhật ký truy cập của mình")
    return services.reads_of_person(person_id)


@router.get("/my-data-accesses/by-day", response={200: AccessGroupPage, **errors(400, 401, 403)},
            summary="Who accessed my personal data, by agency, purpose and day")
def my_data_accesses_by_day(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)) -> object:  # noqa: B008
    person_id = getattr(request.user, "person_id", None)
    if person_id is None:
        raise Forbidden("Chỉ công dân có hồ sơ mới xem được nhật ký truy cập của mình")
    groups, more = services.grouped_reads_of_person(person_id, page=page)
    return {"items": groups, "page": page, "has_next": more}
