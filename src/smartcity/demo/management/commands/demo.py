"""`smartcity demo load` loads the Hà Nội demo data; `smartcity demo totp USER` prints a demo account's code."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.demo import network
from smartcity.demo import services as demo


class Command(BaseCommand):
    help = "Dữ liệu trình diễn Hà Nội (demo data)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp dữ liệu trình diễn (idempotent)")
        load.add_argument("--synthetic", type=int, default=2000, help="số cư dân tổng hợp (default 2000)")
        load.add_argument("--network-days", type=int, default=network.DAYS,
                          help=f"số ngày số liệu quan trắc mô phỏng (default {network.DAYS}; dự báo cần ≥ 14)")
        totp = sub.add_parser("totp", help="Mã TOTP hiện tại của một tài khoản cán bộ trình diễn")
        totp.add_argument("username")

    def handle(self, *args: object, action: str, synthetic: int = 2000, username: str = "",
               network_days: int = network.DAYS, **options: object) -> None:
        if action == "totp":
            code = demo.totp_code(username)
            if code is None:
                raise CommandError(f"Không phải tài khoản trình diễn: {username}")
            self.stdout.write(code)
            return
        try:
            demo.load_demo(synthetic=synthetic, network_days=network_days, out=self.stdout.write)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(demo.accounts_text())
