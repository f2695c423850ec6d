"""`smartcity audit verify`: re-compute the hash chain and name every edited or deleted entry."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.audit import services
from smartcity.audit.models import Entry


class Command(BaseCommand):
    help = "Nhật ký truy cập (audit log)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Kiểm tra tính toàn vẹn của chuỗi băm (verify the hash chain)")

    def handle(self, *args: object, action: str, **options: object) -> None:
        problems = list(services.verify())
        for problem in problems:
            self.stderr.write(problem.reason)
        if problems:
            raise CommandError(f"Nhật ký KHÔNG toàn vẹn: {len(problems)} vấn đề (audit log tampered)")
        self.stdout.write(f"Nhật ký toàn vẹn: {Entry.objects.count()} bản ghi (audit log intact)")
