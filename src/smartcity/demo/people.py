"""The demo's people: the two named citizens a visitor signs in as, and the synthetic residents around them.

An (ward Ba Đình) and Bình (ward Hoàn Kiếm) are the citizens of the README's accounts table; each gets the demo
VNeID password at the development identity provider. The synthetic residents come from ``population.synth`` (also
``smartcity population synth``, which the benchmarks use) through the registry's ordinary CSV import.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from smartcity.identity import services as identity
from smartcity.identity.models import User
from smartcity.places.models import Level, Structure, Unit
from smartcity.population import synth
from smartcity.population.importing import import_citizens
from smartcity.population.models import Citizen

CITIZEN_PASSWORD = "vneid-demo-2026"

CITIZENS = (
    # id_number, full name, date of birth, sex, ward, street address, phone, e-mail
    ("001090012345", "Nguyễn Văn An", dt.date(1990, 5, 17), "M", "Phường Ba Đình", "12 Phan Đình Phùng",
     "0912345678", "an@example.vn"),
    ("001185004321", "Trần Thị Bình", dt.date(1985, 11, 2), "F", "Phường Hoàn Kiếm", "5 Tràng Tiền",
     "0987654321", "binh@example.vn"),
)


def hanoi_commune(name: str) -> Unit:
    """A Hà Nội commune or ward of the 2025 structure, by its name."""
    return Unit.objects.get(structure=Structure.Y2025, level=Level.COMMUNE, province_code="01", name=name)


def load_citizens() -> None:
    """An and Bình in the population registry, with their demo VNeID password. Idempotent (matched on ID number)."""
    for number, name, dob, sex, ward, street, phone, email in CITIZENS:
        citizen, _ = Citizen.objects.update_or_create(
            id_number=number,
            defaults=dict(full_name=name, date_of_birth=dob, sex=sex, permanent_unit=hanoi_commune(ward),
                          permanent_address=street, phone=phone, email=email),
        )
        identity.set_idp_password(citizen, CITIZEN_PASSWORD)


def citizen_account(id_number: str) -> User:
    """The portal account a citizen gets on first signing in through the demo VNeID (made now, so the demo's
    dossiers have their owner; the same account is found when they sign in)."""
    citizen = Citizen.objects.select_related("idp_account").get(id_number=id_number)
    return identity.sign_in_citizen(issuer=settings.OIDC_ISSUER,
                                    claims={"sub": citizen.idp_account.subject, "id_number": id_number})


def load_residents(*, n: int, out: Callable[[str], object]) -> None:
    """Synthetic residents of Hà Nội until the registry holds ``n`` citizens (none when it already does, or n=0);
    the same seed every time, so every demo has the same people."""
    if n and Citizen.objects.count() < n:
        out(f"Tạo {n} cư dân tổng hợp…")
        with tempfile.TemporaryDirectory(prefix="smartcity-demo-") as tmp:
            path = Path(tmp) / "residents.csv"
            synth.write_csv(path, n=n, province="01", seed=2026)
            result = import_citizens(path=path)
        out(f"  {result.inserted} cư dân, {result.households} hộ gia đình")
