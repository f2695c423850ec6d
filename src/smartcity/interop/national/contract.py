"""The national public-service portal's synchronisation contract, as we implement it (docs/interop.md).

The field names follow the national portal's published dossier-sync fields as far as we know them (MaHoSo,
MaTTHC, TrangThaiHoSo, KenhThucHien, NgayTiepNhan, NgayHenTra, …); we could not find the official document in
our references, so the exact JSON shape here is OUR ASSUMPTION, kept in this one module. Statuses and channels
are the national codes already (dossiers.models: 1–10 and 1/2/3), so they pass through unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

_HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def national_status(status: int) -> str:
    """TrangThaiHoSo: the national code is our status number (``dossiers.models.Status``), as a string."""
    return str(int(status))


def _moment(value: dt.datetime | None) -> str | None:
    # yyyyMMddHHmmss in Hà Nội time, the national portal's date format (assumed).
    return value.astimezone(_HANOI).strftime("%Y%m%d%H%M%S") if value else None


def dossier_message(dossier: Any, *, events: list[Any], result_url: str | None) -> dict[str, Any]:
    """One dossier with its processing history (QuaTrinhXuLy), fee (LePhi) and result link (KetQua)."""
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code or "",
        "TenTTHC": dossier.procedure.name,
        "MaCoQuan": dossier.agency.code,
        "KenhThucHien": str(int(dossier.channel)),
        "TrangThaiHoSo": national_status(dossier.status),
        "NgayTiepNhan": _moment(dossier.received_at),
        "NgayHenTra": _moment(dossier.appointment_at),
        "NgayKetThucXuLy": _moment(dossier.finished_at),
        "NgayTraKetQua": _moment(dossier.returned_at),
        "LePhi": {"SoTien": int(dossier.fee_due), "DonVi": "VND"},
        "KetQua": {"CoKetQuaDienTu": bool(dossier.result), "DuongDan": result_url},
        "QuaTrinhXuLy": [
            {"MaSuKien": e.pk, "ThaoTac": e.operation, "ThoiDiem": _moment(e.at),
             "TuTrangThai": national_status(e.from_status) if e.from_status else None,
             "SangTrangThai": national_status(e.to_status), "MaCoQuanXuLy": e.actor_agency.code if e.actor_agency
             else None}
            for e in events
        ],
    }


def status_message(dossier: Any, event: Any) -> dict[str, Any]:
    """One status change (a history row after the dossier itself was sent)."""
    return {
        "MaHoSo": dossier.code,
        "MaSuKien": event.pk,
        "TrangThaiHoSo": national_status(event.to_status),
        "TuTrangThai": national_status(event.from_status) if event.from_status else None,
        "ThaoTac": event.operation,
        "ThoiDiem": _moment(event.at),
        "KenhThucHien": str(int(dossier.channel)),
        "NgayHenTra": _moment(dossier.appointment_at),
    }


#: The paths of the contract below NATIONAL_PORTAL_URL.
DOSSIER_PATH = "/dong-bo/ho-so"
STATUS_PATH = "/dong-bo/trang-thai"
CATALOGUE_PATH = "/danh-muc/thu-tuc"
