"""The starting category tree a city edits in the back office (``seed_categories``): street problems go to the
ward or commune, city-wide matters to a department, administrative regulations under Decree 20/2008/NĐ-CP."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from smartcity.agencies.models import Agency
from smartcity.feedback.models import Category, DeadlineKind, Level

_SIZE = {"code": "size", "datatype": "singlevaluelist", "required": True, "order": 1,
         "description": "Kích thước ổ gà", "datatype_description": "",
         "values": [{"key": "small", "name": "Nhỏ (dưới 30 cm)"}, {"key": "large", "name": "Lớn (từ 30 cm)"}]}

# (group code, group name, [(code, name, level, department or "", kind, days, administrative, attributes)])
TREE: list[tuple[str, str, list[tuple[Any, ...]]]] = [
    ("ha-tang", "Hạ tầng đô thị", [
        ("o-ga", "Ổ gà, hư hỏng mặt đường", Level.COMMUNE, "", DeadlineKind.WORKING, 5, False, [_SIZE]),
        ("den-duong", "Đèn chiếu sáng công cộng hỏng", Level.COMMUNE, "", DeadlineKind.WORKING, 3, False, []),
        ("ngap-ung", "Ngập úng đường phố", Level.PROVINCE, "Sở Xây dựng", DeadlineKind.CALENDAR, 2, False, []),
    ]),
    ("moi-truong", "Môi trường", [
        ("rac-thai", "Rác thải không được thu gom", Level.COMMUNE, "", DeadlineKind.CALENDAR, 2, False, []),
        ("o-nhiem", "Ô nhiễm tiếng ồn, khói bụi", Level.PROVINCE, "Sở Nông nghiệp và Môi trường",
         DeadlineKind.WORKING, 10, False, []),
    ]),
    ("trat-tu", "Trật tự đô thị, xây dựng", [
        ("xay-dung-trai-phep", "Xây dựng trái phép", Level.COMMUNE, "", DeadlineKind.WORKING, 10, False, []),
        ("lan-chiem-via-he", "Lấn chiếm vỉa hè, lòng đường", Level.COMMUNE, "", DeadlineKind.WORKING, 5, False, []),
    ]),
    ("hanh-chinh", "Thủ tục, quy định hành chính", [
        ("quy-dinh-hanh-chinh", "Phản ánh về quy định hành chính", Level.PROVINCE, "Sở Tư pháp",
         DeadlineKind.WORKING, 15, True, []),
        ("thai-do-phuc-vu", "Thái độ, hành vi của cán bộ", Level.COMMUNE, "", DeadlineKind.WORKING, 15, True, []),
    ]),
]


@transaction.atomic
def seed_categories() -> int:
    """Create the starting tree where missing (never overwrites what the city changed). Returns how many leaves."""
    count = 0
    for g, (group_code, group_name, leaves) in enumerate(TREE):
        group, _ = Category.objects.get_or_create(code=group_code, defaults={"name": group_name, "order": g})
        for i, (code, name, level, dept, kind, days, admin, attributes) in enumerate(leaves):
            agency = Agency.objects.filter(name=dept, kind=Agency.Kind.DEPARTMENT).first() if dept else None
            Category.objects.get_or_create(code=code, defaults={
                "name": name, "parent": group, "level": level, "agency": agency, "deadline_kind": kind,
                "deadline_days": days, "administrative": admin, "attributes": attributes, "order": i})
            count += 1
    return count
