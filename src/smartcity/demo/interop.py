"""The demo's data sharing: the city social-insurance office's system (registered for residence verification and
dossier status), the Ba Đình kiosk integration (the e-government API as officer.badinh, read only), citizen An's
consent to residence verification and two calls of the insurance system about An, so "Ai đã xem dữ liệu của tôi"
and "Đồng ý chia sẻ dữ liệu" show something. The client secrets are published (README): demo only."""

from __future__ import annotations

from collections.abc import Callable

from smartcity.demo.people import citizen_account
from smartcity.identity.models import User
from smartcity.interop import services as interop
from smartcity.interop.models import CallLog
from smartcity.lib.errors import ServiceError

INSURANCE_CLIENT, INSURANCE_SECRET = "bhxh-hanoi-demo", "demo-interop-2026-bhxh"
KIOSK_CLIENT, KIOSK_SECRET = "kiosk-ba-dinh-demo", "demo-interop-2026-kiosk"


def load_interop(out: Callable[[str], object]) -> None:
    interop.ensure_services()
    insurance, _ = interop.register_client(
        client_id=INSURANCE_CLIENT, name="Hệ thống nghiệp vụ BHXH Hà Nội",
        agency_name="Bảo hiểm xã hội thành phố Hà Nội", secret=INSURANCE_SECRET,
        grants={interop.RESIDENCE: ["residence-check", "social-benefit"],
                interop.DOSSIER_STATUS: ["social-benefit"], interop.DOSSIER_RESULT: ["social-benefit"]})
    officer = User.objects.filter(username="officer.badinh").first()
    interop.register_client(client_id=KIOSK_CLIENT, name="Kiosk một cửa phường Ba Đình",
                            agency_name="Ủy ban nhân dân Phường Ba Đình", secret=KIOSK_SECRET, grants={},
                            api_scopes=["api.read"], service_user=officer)
    if CallLog.objects.filter(client=insurance).exists():
        return
    an = citizen_account("001090012345")
    interop.give_consent(user=an, service_code=interop.RESIDENCE)
    for n, purpose in enumerate(["residence-check", "social-benefit"], start=1):
        try:
            interop.verify_residence(client=insurance, purpose=purpose, request_id=f"demo-bhxh-{n:04d}",
                                     id_number="001090012345")
        except ServiceError as exc:  # pragma: no cover — the demo's own data; say what went wrong, go on
            out(f"interop: {exc.message}")
    out("Nạp dữ liệu chia sẻ liên thông (2 hệ thống kết nối, 2 lượt xác minh cư trú)")
