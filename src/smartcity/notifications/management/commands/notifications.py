"""`smartcity notifications send`: deliver the due messages of the outbox once. The job worker does it every minute
(``notifications.deliver`` in ``smartcity.jobs.schedule``); this command is for an operator's one-off run."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from smartcity.notifications import services


class Command(BaseCommand):
    help = "Gửi thông báo trong hàng đợi (deliver the outbox)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="Gửi các thông báo đến hạn")

    def handle(self, *args: object, action: str, **options: object) -> None:
        result = services.deliver_due()
        self.stdout.write(f"đã gửi {result.sent}, gửi lại sau {result.retried}, thất bại {result.failed}")
