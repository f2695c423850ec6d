"""`smartcity sensors …`: maintenance of sensing, for cron or a task runner.

    smartcity sensors check-stale                      open/close "no data" maintenance alerts
    smartcity sensors rollup [--since ISO] [--until ISO] [--days N]   hourly and daily roll-ups (default: 2 days)
    smartcity sensors retention                        delete raw data older than SENSING_RETENTION_DAYS
    smartcity sensors partitions [--months-ahead N]    PostgreSQL: monthly observation partitions ahead
    smartcity sensors maintain                         all of the above, in that order (every few minutes)
    smartcity sensors issue-key --name NAME [--scope observations|all]   prints the key once
    smartcity sensors revoke-key PREFIX
    smartcity sensors simulate [--scenario NAME] [--days N] [--via inprocess|http|mqtt] …   a registered scenario
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smartcity.lib.errors import ServiceError
from smartcity.sensing import services, simulate
from smartcity.sensing.isotime import parse_datetime
from smartcity.sensing.models import IngestKey


def _moment(value: str) -> dt.datetime:
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


class Command(BaseCommand):
    help = "Cảm biến: cảnh báo mất dữ liệu, tổng hợp, lưu trữ, phân vùng, khóa gửi dữ liệu (sensing maintenance)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check-stale", help="Mở/đóng cảnh báo cảm biến ngừng gửi dữ liệu")
        roll = sub.add_parser("rollup", help="Tính lại bảng tổng hợp theo giờ và theo ngày")
        roll.add_argument("--since", help="từ thời điểm (ISO 8601 có múi giờ)")
        roll.add_argument("--until", help="đến thời điểm (mặc định: bây giờ)")
        roll.add_argument("--days", type=int, default=2, help="khi không có --since: số ngày gần nhất (mặc định 2)")
        sub.add_parser("retention", help="Xóa dữ liệu gốc cũ hơn SENSING_RETENTION_DAYS ngày")
        parts = sub.add_parser("partitions", help="PostgreSQL: tạo trước các phân vùng theo tháng")
        parts.add_argument("--months-ahead", type=int, help="số tháng tạo trước")
        sub.add_parser("maintain", help="Chạy tất cả việc bảo trì theo thứ tự")
        issue = sub.add_parser("issue-key", help="Cấp khóa gửi dữ liệu (in ra một lần duy nhất)")
        issue.add_argument("--name", required=True, help="tên gateway hoặc hệ thống dùng khóa")
        issue.add_argument("--scope", default=IngestKey.Scope.OBSERVATIONS, choices=IngestKey.Scope.values)
        revoke = sub.add_parser("revoke-key", help="Thu hồi khóa gửi dữ liệu")
        revoke.add_argument("prefix", help="tiền tố của khóa (sk_<tiền tố>_…)")
        simulate.add_arguments(sub.add_parser("simulate", help="Mô phỏng một mạng cảm biến và số liệu (kịch bản đã đăng ký)"))

    def handle(self, *args: object, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _simulate(self, options: dict[str, Any]) -> None:
        try:
            simulate.run_from_options(options, self.stdout.write)
        except (ValueError, RuntimeError, OSError) as exc:
            raise CommandError(str(exc)) from exc

    def _check_stale(self, options: dict[str, Any]) -> None:
        result = services.check_stale()
        for alert in result.opened:
            self.stdout.write(f"mở cảnh báo: {alert.detail}")
        self.stdout.write(f"Cảnh báo mở mới: {len(result.opened)}, đã đóng: {len(result.closed)}")

    def _rollup(self, options: dict[str, Any]) -> None:
        until = _moment(options["until"]) if options.get("until") else timezone.now()
        since = _moment(options["since"]) if options.get("since") else until - dt.timedelta(days=options["days"])
        result = services.rollup(since, until)
        self.stdout.write(f"Tổng hợp {result.since:%Y-%m-%d %H:%M} → {result.until:%Y-%m-%d %H:%M} (UTC): "
                          f"{result.hourly} dòng theo giờ, {result.daily} dòng theo ngày")

    def _retention(self, options: dict[str, Any]) -> None:
        result = services.apply_retention()
        if result.cutoff is None:
            self.stdout.write("SENSING_RETENTION_DAYS = 0: giữ toàn bộ dữ liệu gốc")
        else:
            self.stdout.write(f"Xóa dữ liệu trước {result.cutoff:%Y-%m-%d %H:%M} (UTC): "
                              f"{len(result.dropped_partitions)} phân vùng, {result.deleted_observations} dòng")
        self.stdout.write(f"Xóa {result.deleted_dead_letters} bản ghi bị từ chối cũ")

    def _partitions(self, options: dict[str, Any]) -> None:
        created = services.ensure_partitions(months_ahead=options.get("months_ahead"))
        self.stdout.write("Phân vùng mới: " + (", ".join(created) if created else "không có"))

    def _maintain(self, options: dict[str, Any]) -> None:
        self._partitions({"months_ahead": None})
        self._rollup({"days": 2})
        self._retention({})
        self._check_stale({})

    def _issue_key(self, options: dict[str, Any]) -> None:
        key, secret = services.issue_ingest_key(name=options["name"], scope=options["scope"])
        self.stdout.write(f"Khóa «{key.name}» ({key.scope}) — lưu lại ngay, sẽ không hiển thị lại:")
        self.stdout.write(secret)

    def _revoke_key(self, options: dict[str, Any]) -> None:
        key = services.revoke_ingest_key(prefix=options["prefix"])
        self.stdout.write(f"Đã thu hồi khóa «{key.name}»")
