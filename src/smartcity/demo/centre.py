"""The operations centre's demo: the three incident types with their procedures, the demo staff in its roles
(leader.badinh a leader, officer.hoankiem an operator, admin.city an administrator), the feed filled from what the
other demo data holds, one flood incident opened by the operator with its first step done, and the tiles computed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from smartcity.identity.models import User
from smartcity.ioc import services as ioc
from smartcity.ioc.models import Incident

ROLES = {"leader.badinh": ioc.LEADER, "officer.hoankiem": ioc.OPERATOR, "admin.city": ioc.ADMIN}


def load_centre(out: Callable[[str], object] = print) -> None:
    with transaction.atomic():
        ioc.seed_incident_types()
        for username, role in ROLES.items():
            user = User.objects.filter(username=username).first()
            if user is not None:
                ioc.grant_role(user=user, role=role)
    collected = ioc.collect_events(lookback=dt.timedelta(days=30))  # what the demo's history holds
    operator = User.objects.filter(username="officer.hoankiem").first()
    if operator is not None and not Incident.objects.filter(source=Incident.Source.OPERATOR).exists():
        incident = ioc.open_incident(user=operator, type_code="ngap-ung",
                                     title="Ngập cục bộ phố Nguyễn Khuyến sau mưa lớn",
                                     description="Người dân báo nước ngập 30 cm đoạn trước số 20.")
        ioc.complete_step(user=operator, incident_id=incident.pk, position=1,
                          note="Tổ công tác phường đã có mặt, mức ngập 25–30 cm.")
    ioc.refresh_summary()
    out(f"Trung tâm điều hành: {collected.appended} sự kiện, {len(collected.incidents)} sự cố mở từ cảnh báo")
