"""Document store API: my documents, download, share links (create, list, revoke), open a shared link."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import FileResponse, HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from smartcity.lib import ratelimit
from smartcity.lib.contract import MAX_ID, SIGNED_IN, errors, session_auth
from smartcity.lib.http import pdf_attachment
from smartcity.vault import services

router = Router(auth=session_auth)

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
Token = Annotated[str, Path(max_length=128)]

_PDF = {"responses": {200: {"description": "The document (PDF)",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    issuer: str | None
    issued_at: dt.datetime
    reference: str
    procedure_code: str
    size: int
    sha256: str
    signed: bool

    @staticmethod
    def resolve_issuer(obj: object) -> str | None:
        return obj.issuer.name if obj.issuer else None  # type: ignore[attr-defined]


class ShareIn(Schema):
    days: int = Field(7, ge=1, le=services.MAX_SHARE_DAYS)
    # an agency: its code, its name, or "name (code)"; empty: anyone holding the link
    recipient: str = Field("", max_length=services.MAX_AGENCY_QUERY + 40)


class ShareOut(Schema):
    id: int
    url: str
    expires_at: dt.datetime
    recipient: str | None


@router.get("/documents", response={200: list[DocumentOut], **errors(401)}, summary="My documents (citizen)")
def my_documents(request: HttpRequest) -> object:
    return services.documents_of(request.user)


@router.get("/documents/{document_id}/file", response=errors(401, 404), openapi_extra=_PDF,
            summary="Download one of my documents (PDF)")
def download(request: HttpRequest, document_id: RowId) -> FileResponse:
    document = services.own_document(request.user, document_id)
    return pdf_attachment(document.file, document.download_name)


@router.post("/documents/{document_id}/shares", response={201: ShareOut, **errors(400, SIGNED_IN, 404)},
             summary="Share a document by a link")
def share(request: HttpRequest, payload: ShareIn, document_id: RowId) -> Status:
    """The link's token is in ``url`` and shown only now; it expires after ``days`` (1–30)."""
    new = services.share(user=request.user, document_id=document_id, days=payload.days,
                         recipient_code=payload.recipient)
    url = request.build_absolute_uri(f"/kho-du-lieu/chia-se/{new.token}/")
    return Status(201, {"id": new.link.pk, "url": url, "expires_at": new.link.expires_at,
                        "recipient": new.link.recipient.name if new.link.recipient else None})


@router.delete("/shares/{link_id}", response={204: None, **errors(400, SIGNED_IN, 404)},
               summary="Revoke a share link")
def revoke(request: HttpRequest, link_id: RowId) -> Status:
    services.revoke(user=request.user, link_id=link_id)
    return Status(204, None)


@router.get("/shared/{token}", auth=None, response={200: DocumentOut, **errors(400, 403, 404, 410, 429)},
            summary="The document behind a share link")
@ratelimit.limit_operation("share_link")
def shared(request: HttpRequest, token: Token) -> object:
    return services.open_shared(token=token, user=request.user)


@router.get("/shared/{token}/file", auth=None, response=errors(400, 403, 404, 410, 429), openapi_extra=_PDF,
            summary="Download the document behind a share link")
@ratelimit.limit_operation("share_link")
def shared_file(request: HttpRequest, token: Token) -> FileResponse:
    document = services.open_shared(token=token, user=request.user)
    return pdf_attachment(document.file, document.download_name)


class AgencyMatchOut(Schema):
    code: str
    name: str


@router.get("/agencies", response={200: list[AgencyMatchOut], **errors(400, 401, 429)},
            summary="Agencies to share with: name or code holding every word typed (at most 20)")
@ratelimit.limit_operation("agency_search")
def agencies(request: HttpRequest,
             q: str = Query("", max_length=services.MAX_AGENCY_QUERY)) -> object:  # noqa: B008
    """What the share form suggests as the citizen types (diacritics optional), in Vietnamese order."""
    return services.agencies_matching(q)
