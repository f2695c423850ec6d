from __future__ import annotations

import io

import pytest
from PIL import Image

from smartcity.feedback.catalogue import seed_categories
from smartcity.feedback.services import Upload


@pytest.fixture
def catalogue(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    seed_categories()


def jpeg_with_gps(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A phone photo: large, with an EXIF block holding a GPS position."""
    image = Image.new("RGB", size, (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (21.0, 2.0, 3.0), "E", (105.0, 50.0, 1.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=70)
    return out.getvalue()


def photo(data: bytes | None = None, name: str = "anh.jpg") -> Upload:
    return Upload(name=name, content_type="image/jpeg", data=data if data is not None else jpeg_with_gps())
