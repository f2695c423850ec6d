"""`smartcity demo load` loads the Hà Nội demo data; `smartcity demo totp USER` prints a demo account's code."""

from __future__ import annotations

import pyotp
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.portal import demo


class Command(BaseCommand):
    help = "Dữ liệu trình diễn Hà Nội (demo data)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp dữ liệu trình diễn (idempotent)")
        load.add_argument("--synthetic", type=int, default=2000, help="số cư dân tổng hợp (default 2000)")
        totp = sub.add_parser("totp", help="Mã TOTP hiện tại của một tài khoản cán bộ trình diễn")
        totp.add_argument("username")

    def handle(self, *args: object, action: str, **options: object) -> None:
        if action == "totp":
            secret = demo.TOTP_SECRETS.get(str(options["username"]))
            if secret is None:
                raise CommandError(f"Không phải tài khoản trình diễn: {options['username']}")
            self.stdout.write(pyotp.TOTP(secret).now())
            return
        try:
            demo.load(synthetic=int(options["synthetic"]), out=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(demo.accounts_text())
