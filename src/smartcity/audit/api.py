"""GET /api/v1/audit/my-data-accesses: who read my record (the citizen's own view of the audit log)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from smartcity.audit import services
from smartcity.audit.schemas import AccessOut
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
