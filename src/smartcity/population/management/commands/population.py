"""`smartcity population import FILE.csv [--report errors.csv]` and `smartcity population synth --n N …`.

``import`` loads citizens from a UTF-8 CSV file (see ``smartcity.population.importing`` for the columns and the
rules); ``synth`` makes realistic synthetic citizens for demos and benchmarks, written to a file or imported.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from smartcity.lib.errors import ServiceError
from smartcity.population import synth
from smartcity.population.importing import ImportResult, import_citizens, write_report

SHOWN_ERRORS = 20


class _Bars:
    """The import's progress as one tqdm bar per phase, on stderr (stdout keeps the summary)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: tqdm[Any] | None = None

    def phase(self, name: str, total: int) -> None:
        self.close()
        self.bar = tqdm(total=total, desc=name, unit=" dòng", file=sys.stderr,
                        disable=not self.enabled)

    def advance(self, rows: int) -> None:
        if self.bar is not None:
            self.bar.update(rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Sổ dân cư: nhập công dân từ tệp CSV, tạo dữ liệu giả lập (population registry: import, synth)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Nhập công dân từ tệp CSV UTF-8 (import citizens from a CSV file)")
        imp.add_argument("file", type=Path, help="tệp CSV có dòng tiêu đề (id_number, full_name, …)")
        imp.add_argument("--report", type=Path, help="ghi các dòng bị từ chối ra tệp CSV này (row, field, reason)")
        syn = sub.add_parser("synth", help="Tạo công dân giả lập (synthetic citizens for demos and benchmarks)")
        syn.add_argument("--n", type=int, required=True, help="số công dân")
        syn.add_argument("--out", type=Path, help="ghi ra tệp CSV này thay vì nhập vào sổ")
        syn.add_argument("--province", default="01", help="mã tỉnh 2025 (mặc định 01, Hà Nội)")
        syn.add_argument("--seed", type=int, help="hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu")
        syn.add_argument("--report", type=Path, help="khi nhập trực tiếp: ghi các dòng bị từ chối ra tệp này")

    def handle(self, *args: object, action: str, **options: Any) -> None:
        bars = _Bars(enabled=options.get("verbosity", 1) > 0)
        try:
            if action == "import":
                self._import(options["file"], options.get("report"), bars)
            else:
                self._synth(options, bars)
        except (ServiceError, LookupError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        finally:
            bars.close()

    def _import(self, path: Path, report: Path | None, bars: _Bars) -> ImportResult:
        result = import_citizens(path=path, progress=bars)
        bars.close()
        self._summary(result, report)
        return result

    def _synth(self, options: dict[str, Any], bars: _Bars) -> None:
        n, out = options["n"], options.get("out")
        if n < 1:
            raise CommandError("--n phải lớn hơn 0")
        if out is not None:
            bars.phase("tạo dữ liệu", n)
            made = synth.write_csv(out, n=n, province=options["province"], seed=options.get("seed"),
                                   progress=bars.advance)
            bars.close()
            self.stdout.write(f"Đã ghi {made.rows} công dân, {made.households} hộ vào {out} (seed {made.seed})")
            return
        with tempfile.TemporaryDirectory(prefix="smartcity-synth-") as tmp:
            path = Path(tmp) / "synth.csv"
            bars.phase("tạo dữ liệu", n)
            made = synth.write_csv(path, n=n, province=options["province"], seed=options.get("seed"),
                                   progress=bars.advance)
            bars.close()
            self.stdout.write(f"Đã tạo {made.rows} công dân, {made.households} hộ (seed {made.seed})")
            self._import(path, options.get("report"), bars)

    def _summary(self, result: ImportResult, report: Path | None) -> None:
        self.stdout.write(
            f"{result.rows} dòng: thêm mới {result.inserted}, không đổi {result.unchanged}, "
            f"bị từ chối {result.rejected}; {result.households} hộ mới; {result.warnings} số định danh có cảnh báo "
            f"(rows {result.rows}: inserted {result.inserted}, unchanged {result.unchanged}, "
            f"rejected {result.rejected})"
        )
        for error in result.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  dòng {error.row}  {error.field or '-'}: {error.reason}")
        if len(result.errors) > SHOWN_ERRORS:
            more = len(result.errors) - SHOWN_ERRORS
            hint = f"xem {report}" if report else "dùng --report để ghi tất cả"
            self.stdout.write(f"  … và {more} dòng lỗi khác ({hint})")
        if report is not None:
            write_report(result.errors, report)
            self.stdout.write(f"Đã ghi {len(result.errors)} dòng lỗi vào {report}")
