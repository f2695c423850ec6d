"""Photos of a report: checked by ``lib.uploads`` first, then decoded by Pillow, resized and re-encoded as JPEG.

Re-encoding from pixels drops every metadata block (EXIF with the phone's GPS position and serial number, XMP,
comments), so what is published carries nothing but the picture; the orientation EXIF asked for is applied first.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from smartcity.lib.errors import Invalid
from smartcity.lib.uploads import JPEG, PNG, check_upload

MAX_PHOTOS = 5
MAX_SIDE = 1600  # pixels on the long side of what is stored and published
QUALITY = 82


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int
    sha256: str


def clean_photo(name: str, content_type: str | None, data: bytes, *, field: str = "photos") -> CleanPhoto:
    """The published form of an uploaded photo, or ``Invalid`` naming ``field``."""
    checked = check_upload(name, content_type, data, field=field)
    if checked.content_type not in (JPEG, PNG):
        raise Invalid("Chỉ nhận ảnh JPG hoặc PNG", field=field)
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened).convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=QUALITY, optimize=True)
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise Invalid("Không đọc được ảnh", field=field) from exc
    clean = out.getvalue()
    return CleanPhoto(data=clean, width=width, height=height, sha256=hashlib.sha256(clean).hexdigest())
