"""`smartcity payments reconcile [--date YYYY-MM-DD] [--report FILE.csv]`: compare a day's payments with the
gateway's report (downloaded from ``PAYMENT_GATEWAY_REPORT_URL`` unless a file is given), keep and print the result;
exit status 1 when something does not match. Default day: yesterday (run it daily after midnight).

`smartcity payments sandbox-report [--date YYYY-MM-DD]`: print the sandbox gateway's report of a day (the demo's
stand-in for the file a real gateway's merchant portal exports).

`smartcity payments announce`: send again the news of confirmed payments that a receiver (the dossier waiting for
the fee) has not taken yet; run it every few minutes. Exit status 1 when some still fail.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smartcity.lib import formats
from smartcity.lib.errors import ServiceError
from smartcity.payments import sandbox, services


def _day(text: str | None) -> dt.date:
    if not text:
        return timezone.localdate() - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date phải có dạng YYYY-MM-DD, không phải {text!r}") from None


class Command(BaseCommand):
    help = "Thanh toán trực tuyến: đối soát với cổng thanh toán (payments)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reconcile = sub.add_parser("reconcile", help="Đối soát một ngày với báo cáo của cổng thanh toán")
        reconcile.add_argument("--date", help="ngày đối soát YYYY-MM-DD (mặc định: hôm qua)")
        reconcile.add_argument("--report", help="tệp CSV báo cáo của cổng (mặc định: tải từ cổng)")
        report = sub.add_parser("sandbox-report", help="In báo cáo ngày của cổng thanh toán thử nghiệm")
        report.add_argument("--date", help="ngày YYYY-MM-DD (mặc định: hôm qua)")
        sub.add_parser("announce", help="Báo lại cho hồ sơ các khoản đã thanh toán mà hồ sơ chưa nhận được tin")

    def handle(self, *args: object, action: str, date: str | None = None, report: str | None = None,
               **options: object) -> None:
        if action == "announce":
            announced = services.announce_pending()
            self.stdout.write(f"Đã báo lại {announced.sent} khoản thanh toán; {announced.failed} vẫn lỗi; "
                              f"{announced.given_up} đã thôi báo sau {services.MAX_ANNOUNCE_ATTEMPTS} lần")
            if announced.failed:
                raise CommandError(f"{announced.failed} khoản thanh toán chưa báo được cho hồ sơ (xem nhật ký)")
            return
        day = _day(date)
        if action == "sandbox-report":
            self.stdout.write(sandbox.report_of(day), ending="")
            return
        text = None
        if report:
            try:
                text = Path(report).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"Không đọc được tệp báo cáo {report}: {exc}") from None
        try:
            result = services.reconcile(day=day, report_csv=text)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Đối soát ngày {day:%d/%m/%Y}: nền tảng {result.platform_count} giao dịch, cổng {result.gateway_count}, "
            f"khớp {result.matched}; tổng thu nền tảng {formats.money(result.platform_total)}, cổng {formats.money(result.gateway_total)}"
        )
        for m in result.mismatches:
            self.stdout.write(f"  {m['txn_ref']}: {m['message']} (nền tảng {m['platform_amount']} "
                              f"{m['platform_status'] or '—'}; cổng {m['gateway_amount']} {m['gateway_status'] or '—'})")
        if result.mismatches:
            raise CommandError(f"{len(result.mismatches)} chênh lệch cần xử lý")
        self.stdout.write("Không có chênh lệch.")
