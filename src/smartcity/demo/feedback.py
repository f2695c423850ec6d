"""Demo citizen reports in Hà Nội: the category tree and some forty reports across central wards in every state —
new, in progress, overdue, answered and rated, reopened — made through the feedback services, then back-dated so
the list, the map, the work queue and the statistics have something to show."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from smartcity.agencies.models import Membership
from smartcity.feedback import services
from smartcity.feedback.catalogue import seed_categories
from smartcity.feedback.models import Event, Report
from smartcity.identity.models import User
from smartcity.places.models import Level, Structure, Unit

WARDS = ("Phường Ba Đình", "Phường Hoàn Kiếm", "Phường Cửa Nam", "Phường Đống Đa", "Phường Hai Bà Trưng",
         "Phường Tây Hồ", "Phường Cầu Giấy")
TEXTS = {
    "o-ga": "Ổ gà sâu giữa làn đường, xe máy dễ ngã khi trời mưa.",
    "den-duong": "Cả dãy đèn chiếu sáng tắt từ ba hôm nay, ngõ rất tối.",
    "ngap-ung": "Mưa 30 phút đường đã ngập quá bánh xe, nước không thoát.",
    "rac-thai": "Rác sinh hoạt để ở góc phố hai ngày chưa được thu gom.",
    "o-nhiem": "Công trình bên cạnh đổ bê tông ban đêm gây ồn sau 22 giờ.",
    "xay-dung-trai-phep": "Nhà số bên cạnh đang cơi nới thêm tầng, không thấy biển cấp phép.",
    "lan-chiem-via-he": "Quán bày bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
    "quy-dinh-hanh-chinh": "Thủ tục yêu cầu nộp bản sao có chứng thực dù đã có dữ liệu dân cư.",
}


def load_feedback(out: Callable[[str], object] = print, *, n: int = 40) -> None:
    seed_categories()
    if Report.objects.exists():
        return
    rng = random.Random(13)
    units = list(Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01",
                                     name__in=WARDS, latitude__isnull=False))
    citizens = list(User.objects.filter(kind=User.Kind.CITIZEN).order_by("id")[:3])
    now = services.timezone.now()
    for i in range(n):
        code = list(TEXTS)[i % len(TEXTS)]
        unit = units[i % len(units)]
        lat = (unit.latitude or 0.0) + rng.uniform(-0.006, 0.006)
        lon = (unit.longitude or 0.0) + rng.uniform(-0.006, 0.006)
        reporter = citizens[i % len(citizens)] if citizens and i % 3 == 0 else None
        with transaction.atomic():
            report = services.submit_report(
                user=reporter, category_code=code, description=TEXTS[code], latitude=lat, longitude=lon,
                emergency=code == "ngap-ung" and i % 2 == 0, contact_phone="" if reporter else f"09120000{i:02d}",
                attributes={"size": "large"} if code == "o-ga" else {})
            staff = _staff_of(report)
            stage = i % 5
            if staff is not None and stage >= 1:
                services.accept(user=staff, report_id=report.pk)
            if staff is not None and stage >= 3:
                services.answer(user=staff, report_id=report.pk,
                                text="Đơn vị đã kiểm tra hiện trường và xử lý xong; cảm ơn người dân đã phản ánh.")
                services.rate(user=report.reporter, report_id=report.pk, token=report.token,
                              score=5 if stage == 3 else 2)
            # back-date: received 0–20 days ago, every step shifted with it
            shift = dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8))
            report.refresh_from_db()
            _, due = services.deadlines.deadlines(report.category, (now - shift).date())
            Report.objects.filter(pk=report.pk).update(
                received_at=report.received_at - shift, due_on=due,
                answered_at=report.answered_at - shift + dt.timedelta(days=2) if report.answered_at else None)
            for event in Event.objects.filter(report=report):
                Event.objects.filter(pk=event.pk).update(at=event.at - shift + dt.timedelta(
                    hours=event.pk % 7 if event.kind not in ("submitted", "routed") else 0))
    out(f"Nạp {n} phản ánh hiện trường mẫu")


def _staff_of(report: Report) -> User | None:
    if report.agency_id is None:
        return None
    membership = Membership.objects.active().filter(agency_id=report.agency_id).select_related("user").first()
    return membership.user if membership else None
