"""`smartcity places load [--province 01 ...]`: load administrative units from the package data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from smartcity.places import services


class Command(BaseCommand):
    help = "Quản lý đơn vị hành chính (administrative units)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp đơn vị hành chính 2025 và trước 2025 (load units)")
        load.add_argument("--province", action="append", default=[], help="mã tỉnh, e.g. 01 (Hà Nội); repeatable")

    def handle(self, *args: object, action: str, province: list[str], **options: object) -> None:
        with tqdm(desc="đơn vị hành chính", unit=" đơn vị", disable=options.get("verbosity", 1) == 0) as bar:
            result = services.load_units(province_codes=province or None, progress=bar.update)
        self.stdout.write(
            f"{result.provinces} tỉnh/thành, {result.districts} quận/huyện, {result.communes} xã/phường, "
            f"{result.successions} liên kết cũ→mới"
        )
