"""The demo's sample dossiers, in the states a visitor wants to see.

Made through the one-stop shop's own use cases (submit, receive, assign, approve, return, evaluate, ask for the fee),
so they are exactly what a citizen and an officer would have produced. The returned one carries a signed result,
so ``services.load_demo`` makes them only when the demo certificate authority is on.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from smartcity.demo.people import CITIZENS, citizen_account, hanoi_commune
from smartcity.dossiers import services as dossiers
from smartcity.dossiers.models import Dossier
from smartcity.identity.models import User
from smartcity.lib import fonts
from smartcity.population.models import Citizen


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
            "child_nationality": "Việt Nam",
            "applicant_full_name": parent.full_name, "applicant_id_number": parent.id_number,
            "relationship": relationship}


@transaction.atomic
def load_dossiers(out: Callable[[str], object]) -> None:
    """Dossiers in the states a visitor wants to see: one returned with its signed result in An's document store
    and rated, one waiting for An to pay the copy fee online, and new ones in both wards' queues. Only once: An
    having any dossier means they are there."""
    an, binh = citizen_account(CITIZENS[0][0]), citizen_account(CITIZENS[1][0])
    if Dossier.objects.filter(applicant_id=an.person_id).exists():
        return
    officer, leader = User.objects.get(username="officer.badinh"), User.objects.get(username="leader.badinh")
    today = dt.date.today()

    def submit(user: User, child: str, ward_code: str) -> str:
        parent = user.person
        assert parent is not None  # a citizen's account always has its registry record
        return dossiers.submit_online(user=user, procedure_key="1.001193", unit_key=f"2025:commune:{ward_code}",
                                      data=_birth_form(child, today - dt.timedelta(days=3), parent, "Cha"),
                                      files={"birth_certificate_file": _scan()}).code

    ba_dinh = hanoi_commune("Phường Ba Đình").code
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
    elsewhere = submit(binh, "Trần Gia Bảo", hanoi_commune("Phường Hoàn Kiếm").code)
    out(f"Hồ sơ mẫu: {returned} (đã trả kết quả ký số), {to_pay} (chờ nộp phí), {waiting} và {elsewhere} (chờ tiếp nhận)")
