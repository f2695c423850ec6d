"""`smartcity notifications send [--loop]`: deliver due messages from the outbox (once, or every few seconds)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from smartcity.notifications import services


class Command(BaseCommand):
    help = "Gửi thông báo trong hàng đợi (deliver the outbox)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Gửi các thông báo đến hạn")
        send.add_argument("--loop", action="store_true", help="chạy liên tục (every 5 s)")

    def handle(self, *args: object, action: str, loop: bool = False, **options: object) -> None:
        while True:
            result = services.deliver_due()
            if result.sent or result.retried or result.failed or not loop:
                self.stdout.write(f"đã gửi {result.sent}, gửi lại sau {result.retried}, thất bại {result.failed}")
            if not loop:
                return
            time.sleep(5)
