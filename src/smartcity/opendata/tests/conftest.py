from __future__ import annotations

import pytest

from smartcity.opendata import services
from smartcity.opendata.models import Group, Organization


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_directory(settings, tmp_path):
    """Uploaded files go to a directory of the test's own, not the checkout's var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def catalogue(db):
    """Two publishers, two themes, three datasets (one private), one with an uploaded CSV."""
    from smartcity.agencies.models import Agency
    from smartcity.agencies.services import department

    env_agency = department("Sở Nông nghiệp và Môi trường") if Agency.objects.filter(
        name="Sở Nông nghiệp và Môi trường").exists() else Agency.objects.filter(kind="department").first()
    tnmt = Organization.objects.create(name="so-moi-truong", title="Sở Nông nghiệp và Môi trường", agency=env_agency)
    city = Organization.objects.create(name="ubnd-thanh-pho", title="Ủy ban nhân dân thành phố")
    env = Group.objects.create(name="moi-truong", title="Môi trường")
    admin = Group.objects.create(name="hanh-chinh", title="Hành chính")
    air = services.save_dataset(name="chat-luong-khong-khi", title="Chất lượng không khí", organization=tnmt,
                                notes="Chỉ số VN_AQI theo giờ của các trạm quan trắc", groups=[env],
                                tags=["không khí", "AQI"], frequency="HOURLY")
    services.save_dataset(name="thu-tuc-hanh-chinh", title="Danh mục thủ tục hành chính", organization=city,
                          notes="Các thủ tục đang áp dụng", groups=[admin], tags=["thủ tục"])
    services.save_dataset(name="noi-bo", title="Dữ liệu nội bộ không khí", organization=tnmt, private=True)
    return {"tnmt": tnmt, "city": city, "air": air}


CSV = "station,time,aqi\nhk-01,2026-03-01T01:00:00Z,57\nhk-01,2026-03-01T02:00:00Z,61.5\nbd-02,2026-03-01T01:00:00Z,\n"


@pytest.fixture
def air_csv(catalogue):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("od-admin", "od@example.vn", "x")
    return services.add_file_resource(user=admin, dataset=catalogue["air"], name="AQI tháng 3",
                                      filename="aqi.csv", data=CSV.encode())
