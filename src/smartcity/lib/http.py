"""Small HTTP helpers shared by pages and APIs."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def pdf_attachment(stored: FieldFile, filename: str) -> FileResponse:
    """A stored PDF as a download named ``filename``."""
    return FileResponse(stored.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
