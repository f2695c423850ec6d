"""The Hà Nội demo data: real units and agencies, two named citizens, synthetic residents, staff of every role.

Loaded by `smartcity demo load` (the README's run command); idempotent, so running it again changes nothing.
Passwords and TOTP secrets here are for the local demo only: DEBUG must be on for the command to run.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from smartcity.agencies import services as agencies
from smartcity.agencies.models import Agency, Role
from smartcity.identity import services as identity
from smartcity.identity.models import User
from smartcity.lib import fonts
from smartcity.places import services as places
from smartcity.places.models import Level, Structure, Unit
from smartcity.population import synth
from smartcity.population.importing import import_citizens
from smartcity.population.models import Citizen
from smartcity.procedures import services as procedures
from smartcity.signing import services as signing

STAFF_PASSWORD = "demo-HaNoi-2026"
CITIZEN_PASSWORD = "vneid-demo-2026"
# A fixed base32 secret per demo staff account, so an authenticator app (or `smartcity demo totp`) gives codes.
TOTP_SECRETS = {
    "officer.badinh": "JBSWY3DPEHPK3PXPBADINHAAAAAAAAAA",
    "officer.hoankiem": "JBSWY3DPEHPK3PXPHOANKIEMAAAAAAAA",
    "specialist.tuphap": "JBSWY3DPEHPK3PXPTUPHAPAAAAAAAAAA",
    "leader.badinh": "JBSWY3DPEHPK3PXPLEADERAAAAAAAAAA",
    "admin.city": "JBSWY3DPEHPK3PXPCITYADMINAAAAAAA",
}


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    agency: str  # "commune:<name>" or a department name or "city"
    role: str
    title: str


STAFF = (
    DemoStaff("officer.badinh", "Lê Thị Hoa", "commune:Phường Ba Đình", Role.RECEPTION, "Công chức một cửa"),
    DemoStaff("officer.hoankiem", "Phạm Văn Minh", "commune:Phường Hoàn Kiếm", Role.RECEPTION, "Công chức một cửa"),
    DemoStaff("specialist.tuphap", "Đỗ Thu Trang", "Sở Tư pháp", Role.SPECIALIST, "Chuyên viên"),
    DemoStaff("leader.badinh", "Vũ Quang Huy", "commune:Phường Ba Đình", Role.LEADER, "Chủ tịch UBND phường"),
    DemoStaff("admin.city", "Hoàng Minh Tuấn", "city", Role.CITY_ADMIN, "Quản trị hệ thống"),
)

CITIZENS = (
    # id_number, full name, date of birth, sex, ward, street address, phone, e-mail
    ("001090012345", "Nguyễn Văn An", dt.date(1990, 5, 17), "M", "Phường Ba Đình", "12 Phan Đình Phùng",
     "0912345678", "an@example.vn"),
    ("001185004321", "Trần Thị Bình", dt.date(1985, 11, 2), "F", "Phường Hoàn Kiếm", "5 Tràng Tiền",
     "0987654321", "binh@example.vn"),
)


def _hanoi_commune(name: str) -> Unit:
    return Unit.objects.get(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01", name=name)


def _agency(ref: str) -> Agency:
    if ref == "city":
        return Agency.objects.get(code=f"000.00.00.{agencies.HANOI_CODE}")
    if ref.startswith("commune:"):
        return agencies.commune_committee(_hanoi_commune(ref.split(":", 1)[1]))
    return agencies.department(ref)


def load(*, synthetic: int = 2000, out=print) -> None:
    if not settings.DEBUG:
        raise RuntimeError("The demo data holds known passwords: load it only with DEBUG on.")
    if Unit.objects.filter(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01").count() != 126:
        out("Nạp đơn vị hành chính (cả nước, hai cấu trúc)…")
        places.load_units()
    agencies.seed_hanoi()
    with transaction.atomic():
        for number, name, dob, sex, ward, street, phone, email in CITIZENS:
            citizen, _ = Citizen.objects.update_or_create(
                id_number=number,
                defaults=dict(full_name=name, date_of_birth=dob, sex=sex, permanent_unit=_hanoi_commune(ward),
                              permanent_address=street, phone=phone, email=email),
            )
            identity.set_idp_password(citizen, CITIZEN_PASSWORD)
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
    identity.ensure_demo_client(settings.SITE_URL)
    created = procedures.load_catalogue()
    if created:
        out(f"Nạp {created} thủ tục hành chính vào danh mục")
    if settings.SMARTCITY_SIGNING_DEMO_CA:  # the returned demo dossier's result is signed with its certificates
        signing.ensure_demo_pki(out=out)
        _demo_dossiers(out)
    _demo_sensors(out)
    if synthetic and Citizen.objects.count() < synthetic:
        out(f"Tạo {synthetic} cư dân tổng hợp…")
        with tempfile.TemporaryDirectory(prefix="smartcity-demo-") as tmp:
            path = Path(tmp) / "residents.csv"
            synth.write_csv(path, n=synthetic, province="01", seed=2026)
            result = import_citizens(path=path)
        out(f"  {result.inserted} cư dân, {result.households} hộ gia đình")


def _citizen_account(id_number: str) -> User:
    """The portal account a citizen gets on first signing in through the demo VNeID (made now, so the demo's
    dossiers have their owner; the same account is found when they sign in)."""
    citizen = Citizen.objects.select_related("idp_account").get(id_number=id_number)
    return identity.sign_in_citizen(issuer=settings.OIDC_ISSUER,
                                    claims={"sub": citizen.idp_account.subject, "id_number": id_number})


def _scan() -> SimpleUploadedFile:
    """A one-page PDF standing in for the scanned birth certificate of the demo's dossiers."""
    fonts.register()
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    sheet.setFont(fonts.REGULAR, 12)
    sheet.drawString(72, 760, "Giấy chứng sinh (bản chụp minh họa cho dữ liệu thử nghiệm)")
    sheet.save()
    return SimpleUploadedFile("giay-chung-sinh.pdf", buffer.getvalue(), "application/pdf")


def _birth_form(child: str, born: dt.date, parent: Citizen, relationship: str) -> dict[str, str]:
    return {"child_full_name": child, "child_date_of_birth": born.isoformat(), "child_sex": "Nam",
            "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội, phường Giảng Võ, Hà Nội", "child_ethnicity": "Kinh",
            "applicant_full_name": parent.full_name, "applicant_id_number": parent.id_number,
            "relationship": relationship}


@transaction.atomic
def _demo_dossiers(out) -> None:
    """Dossiers in the states a visitor wants to see: one returned with its signed result in An's document store
    and rated, one waiting for An to pay the copy fee online, and new ones in both wards' queues."""
    from smartcity.dossiers import services as dossiers
    from smartcity.dossiers.models import Dossier

    an, binh = _citizen_account(CITIZENS[0][0]), _citizen_account(CITIZENS[1][0])
    if Dossier.objects.filter(applicant_id=an.person_id).exists():
        return
    officer, leader = User.objects.get(username="officer.badinh"), User.objects.get(username="leader.badinh")
    today = dt.date.today()

    def submit(user, child, ward_code):
        return dossiers.submit_online(user=user, procedure_key="1.001193", unit_key=f"2025:commune:{ward_code}",
                                      data=_birth_form(child, today - dt.timedelta(days=3), user.person, "Cha"),
                                      files={"birth_certificate_file": _scan()}).code

    ba_dinh = _hanoi_commune("Phường Ba Đình").code
    returned = submit(an, "Nguyễn Minh Khôi", ba_dinh)
    for user, operation in [(officer, "receive"), (officer, "assign"), (leader, "approve"),
                            (officer, "return_result")]:
        dossiers.apply_operation(user=user, code=returned, operation=operation)
    dossiers.evaluate(user=an, code=returned, points=[2, 2, 2, 2, 1, 2, 2, 2, 2], satisfaction=1,
                      comment="Nhận kết quả điện tử ngay, không phải đến phường")
    to_pay = submit(an, "Nguyễn Minh Châu", ba_dinh)
    dossiers.apply_operation(user=officer, code=to_pay, operation="receive")
    dossiers.apply_operation(user=officer, code=to_pay, operation="request_payment")
    waiting = submit(an, "Nguyễn Minh Anh", ba_dinh)
    elsewhere = submit(binh, "Trần Gia Bảo", _hanoi_commune("Phường Hoàn Kiếm").code)
    out(f"Hồ sơ mẫu: {returned} (đã trả kết quả ký số), {to_pay} (chờ nộp phí), {waiting} và {elsewhere} (chờ tiếp nhận)")


def _demo_sensors(out) -> None:
    """Hà Nội's simulated monitoring network with the last three days of readings (a rain storm and a rising river
    included), registered as stations, rolled up, and the warning rules run once — so the map has colours."""
    from django.utils import timezone

    from smartcity.environment import services as environment
    from smartcity.environment import simulation
    from smartcity.sensing import services as sensing
    from smartcity.sensing.models import Thing

    if Thing.objects.exists():
        return
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sent = simulation.simulate_network(start=now - dt.timedelta(days=3), end=now,
                                       storm=simulation.default_storm(now))
    environment.ensure_demo_stations()
    sensing.rollup(now - dt.timedelta(days=3), now)
    environment.evaluate_warnings(now)
    out(f"Trạm quan trắc mô phỏng: {environment.stations().count()} trạm, {sent.accepted:,} số liệu 3 ngày qua")


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
