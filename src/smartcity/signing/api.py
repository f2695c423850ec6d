"""Signatures API: verify a signed PDF (public, like the page at /chu-ky-so/xac-minh/)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile

from smartcity.lib import ratelimit
from smartcity.lib.contract import errors
from smartcity.lib.errors import Invalid
from smartcity.signing import services
from smartcity.signing.schemas import VerificationOut

router = Router()


# ``file`` defaults to None only so that a request without it gets the Vietnamese message below; the document says
# it is required.
@router.post("/verify", response={200: VerificationOut, **errors(400, 413, 429)},
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "required": ["file"]}}}}},
             summary="Verify the signatures of a PDF (multipart field `file`)")
@ratelimit.limit_operation("signature_verify")
def verify(request: HttpRequest, file: UploadedFile = File(None)) -> object:  # type: ignore[assignment]  # noqa: B008
    """Who signed, when, whether the file changed after signing, whether each certificate chains to a trusted root
    and whether it was revoked. 400 for an empty or non-PDF file, 413 above the size limit."""
    if file is None:
        raise Invalid("Thiếu tệp PDF trong trường `file` (multipart field `file` is required)", field="file")
    services.check_size(file.size)  # before reading it
    return services.verify(file.read(), user=request.user, filename=file.name or "")
