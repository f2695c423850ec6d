"""The demo's staff accounts: one of every role, with a known password and a fixed TOTP secret.

The passwords and secrets are for the local demo only — ``services.load_demo`` refuses to run without DEBUG. The
fixed base32 secrets let an authenticator app (or ``smartcity demo totp USER``) give the codes of the second factor.
``accounts_text`` is what `smartcity demo load` prints at the end: the README's demo-accounts table, in short.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from django.conf import settings

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Role
from smartcity.demo.people import CITIZEN_PASSWORD, CITIZENS, hanoi_commune
from smartcity.identity import services as identity
from smartcity.identity.models import User

STAFF_PASSWORD = "demo-HaNoi-2026"
# A fixed base32 secret per demo staff account, so an authenticator app (or `smartcity demo totp`) gives codes.
TOTP_SECRETS = {
    "officer.badinh": "JBSWY3DPEHPK3PXPBADINHAAAAAAAAAA",
    "officer.hoankiem": "JBSWY3DPEHPK3PXPHOANKIEMAAAAAAAA",
    "specialist.tuphap": "JBSWY3DPEHPK3PXPTUPHAPAAAAAAAAAA",
    "leader.badinh": "JBSWY3DPEHPK3PXPLEADERAAAAAAAAAA",
    "admin.city": "JBSWY3DPEHPK3PXPCITYADMINAAAAAAA",
    "specialist.sgd": "JBSWY3DPEHPK3PXPSGDAAAAAAAAAAAAA",
    "giaovu.pdp": "JBSWY3DPEHPK3PXPGIAOVUPDPAAAAAAA",
}


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    agency: str  # "commune:<name>" or a department name or "city"
    role: Role
    title: str


STAFF = (
    DemoStaff("officer.badinh", "Lê Thị Hoa", "commune:Phường Ba Đình", Role.RECEPTION, "Công chức một cửa"),
    DemoStaff("officer.hoankiem", "Phạm Văn Minh", "commune:Phường Hoàn Kiếm", Role.RECEPTION, "Công chức một cửa"),
    DemoStaff("specialist.tuphap", "Đỗ Thu Trang", "Sở Tư pháp", Role.SPECIALIST, "Chuyên viên"),
    DemoStaff("leader.badinh", "Vũ Quang Huy", "commune:Phường Ba Đình", Role.LEADER, "Chủ tịch UBND phường"),
    DemoStaff("admin.city", "Hoàng Minh Tuấn", "city", Role.CITY_ADMIN, "Quản trị hệ thống"),
)


def _agency(ref: str) -> Agency:
    if ref == "city":
        return Agency.objects.get(code=f"000.00.00.{agencies.HANOI_CODE}")
    if ref.startswith("commune:"):
        return agencies.commune_committee(hanoi_commune(ref.split(":", 1)[1]))
    return agencies.department(ref)


def load_staff() -> None:
    """The staff accounts, each a member of its agency in its role, with its TOTP confirmed. Idempotent: an
    existing account keeps the password it has (a visitor may have changed it)."""
    for staff in STAFF:
        last, first = staff.full_name.rsplit(" ", 1)
        user, created = User.objects.get_or_create(
            username=staff.username,
            defaults=dict(kind=User.Kind.STAFF, is_staff=True, first_name=first, last_name=last,
                          is_superuser=staff.role == Role.CITY_ADMIN),
        )
        if created:
            user.set_password(STAFF_PASSWORD)
            user.save(update_fields=["password"])
        identity.set_staff_totp(user, TOTP_SECRETS[staff.username])
        agencies.add_membership(user=user, agency=_agency(staff.agency), role=staff.role, title=staff.title)


def totp_code(username: str) -> str | None:
    """The current TOTP code of a demo staff account, or None for an account that is not one of the demo's."""
    secret = TOTP_SECRETS.get(username)
    return None if secret is None else pyotp.TOTP(secret).now()


def accounts_text() -> str:
    lines = [
        "",
        f"Nền tảng đô thị thông minh — {settings.SITE_URL}/",
        "",
        f"Công dân (đăng nhập bằng VNeID thử nghiệm, mật khẩu {CITIZEN_PASSWORD}):",
    ]
    lines += [f"  {name:<16} số định danh {number}" for number, name, *_ in CITIZENS]
    lines += ["", f"Cán bộ (mật khẩu {STAFF_PASSWORD}, mã TOTP: `smartcity demo totp <tên đăng nhập>`):"]
    lines += [f"  {s.username:<18} {s.full_name:<16} {s.role.label}" for s in STAFF]
    lines += ["", f"Trang quản trị: {settings.SITE_URL}/admin/   API: {settings.SITE_URL}/api/v1/docs", ""]
    return "\n".join(lines)
