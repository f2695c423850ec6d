"""`smartcity backup [--out DIR]`: the database, then the files it points at, in one archive (ops/backups.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.ops import backups


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu, tệp hồ sơ, khóa ký số và khóa định danh vào một tệp (backup)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "backups"),
                            help="thư mục đặt bản sao lưu (mặc định var/backups)")

    def handle(self, *args: object, out: str, **options: Any) -> None:
        try:
            backups.create(Path(out), out=self.stdout.write)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
