"""`smartcity places load [--province 01 ...]`: load administrative units from the package data.

`smartcity places import-boundaries FILE.geojson [--province 01] [--code-property ma_xa] [--name-property ten_xa]`:
store the city's ward boundaries (a GeoJSON FeatureCollection of Polygons/MultiPolygons in WGS 84) on its current
communes and wards, matched by code or name; prints what it stored and every feature it could not place, and exits
with status 1 when the file is refused (nothing stored then). Running it again with the same file changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from smartcity.lib.errors import Invalid
from smartcity.lib.formats import number
from smartcity.places import services


class Command(BaseCommand):
    help = "Quản lý đơn vị hành chính (administrative units)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp đơn vị hành chính 2025 và trước 2025 (load units)")
        load.add_argument("--province", action="append", default=[], help="mã tỉnh, e.g. 01 (Hà Nội); repeatable")
        bounds = sub.add_parser("import-boundaries", help="Nhập ranh giới phường, xã từ tệp GeoJSON (ward boundaries)")
        bounds.add_argument("file", help="GeoJSON FeatureCollection (WGS 84)")
        bounds.add_argument("--province", default="", help="mã tỉnh (default: CITY_PROVINCE_CODE)")
        bounds.add_argument("--code-property", default="",
                            help="thuộc tính chứa mã phường, xã (default: SMARTCITY_MAP_BOUNDARY_CODE_PROPERTY)")
        bounds.add_argument("--name-property", default="",
                            help="thuộc tính chứa tên phường, xã (default: SMARTCITY_MAP_BOUNDARY_NAME_PROPERTY)")

    def handle(self, *args: object, action: str, **options: Any) -> None:
        if action == "import-boundaries":
            self._import_boundaries(**options)
            return
        province: list[str] = options["province"]
        with tqdm(desc="đơn vị hành chính", unit=" đơn vị", disable=options.get("verbosity", 1) == 0) as bar:
            result = services.load_units(province_codes=province or None, progress=bar.update)
        self.stdout.write(
            f"{result.provinces} tỉnh/thành, {result.districts} quận/huyện, {result.communes} xã/phường, "
            f"{result.successions} liên kết cũ→mới"
        )

    def _import_boundaries(self, *, file: str, province: str, code_property: str, name_property: str,
                           **options: object) -> None:
        path = Path(file)
        limit = settings.MAP_BOUNDARY_MAX_MB * 1024 * 1024
        try:
            with path.open("rb") as handle:
                data = handle.read(limit + 1)  # never more than the limit into memory
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from None
        try:
            result = services.import_boundaries(data=data, source=path.name, province_code=province or None,
                                                code_property=code_property or None,
                                                name_property=name_property or None)
        except Invalid as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        self.stdout.write(f"{number(result.features)} đối tượng: {number(result.created)} ranh giới mới, "
                          f"{number(result.updated)} thay đổi, {number(result.unchanged)} không đổi, "
                          f"{number(len(result.unmatched))} không khớp")
        for index, said, why in result.unmatched:
            self.stdout.write(f"  không khớp: đối tượng thứ {index} ({said}): {why}")
