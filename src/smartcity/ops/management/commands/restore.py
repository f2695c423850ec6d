"""`smartcity restore ARCHIVE`: restore a backup into an empty database and empty file stores, then check it
(every table's rows and every file's hash against the manifest, the audit chain). Exit status 1 on any problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.ops import backups


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống và kiểm tra (restore)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="tệp smartcity-backup-….tar.gz")

    def handle(self, *args: object, archive: str, **options: Any) -> None:
        try:
            report = backups.restore(Path(archive), out=self.stdout.write)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        for path in report.moved_aside:
            self.stdout.write(f"  tệp đã có ở nơi khôi phục được giữ lại là {path}")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.problems:
            raise CommandError(f"Khôi phục xong nhưng có {len(report.problems)} vấn đề (see above)")
        self.stdout.write(f"Khôi phục và kiểm tra xong: {report.rows} dòng trong {report.tables} bảng, "
                          f"{report.files} tệp, chuỗi nhật ký nguyên vẹn")
