"""`smartcity environment …`: warnings and stations of environmental monitoring, for cron or a task runner.

    smartcity environment check-warnings [--now ISO]   compute current values, open/close warnings, queue notices
                                                        (every few minutes, after `smartcity sensors maintain`)
    smartcity environment register-things             a Station for every sensing Thing that makes one, and the
                                                        default warning rules
    smartcity environment default-rules               only the default warning rules
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartcity.environment import services
from smartcity.lib.errors import ServiceError


class Command(BaseCommand):
    help = "Quan trắc môi trường: cảnh báo, trạm (environmental monitoring)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check-warnings", help="Tính giá trị hiện tại, mở/đóng cảnh báo, gửi thông báo")
        check.add_argument("--now", help="thời điểm đánh giá (ISO 8601; mặc định: bây giờ)")
        sub.add_parser("register-things", help="Đăng ký trạm cho các thiết bị cảm biến chưa có trạm và quy tắc cảnh báo mặc định")
        sub.add_parser("default-rules", help="Tạo các quy tắc cảnh báo mặc định còn thiếu")

    def handle(self, *args: object, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _check_warnings(self, options: dict[str, Any]) -> None:
        now = services.parse_moment(options["now"], "now") if options.get("now") else None
        result = services.evaluate_warnings(now)
        for event in result.opened:
            self.stdout.write(f"mở: {event.message}")
        for event in result.closed:
            self.stdout.write(f"đóng: {event.station.name} — {event.rule.name} ({event.close_reason})")
        self.stdout.write(f"Cảnh báo mở mới: {len(result.opened)}, tiếp diễn: {len(result.updated)}, "
                          f"đã đóng: {len(result.closed)}, thông báo xếp hàng: {result.notified}")

    def _register_things(self, options: dict[str, Any]) -> None:
        created = services.register_things()
        for station in created:
            self.stdout.write(f"trạm mới: {station.code} ({station.get_kind_display()})")
        self.stdout.write(f"Đã đăng ký {len(created)} trạm")

    def _default_rules(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"Đã tạo {len(services.ensure_default_rules())} quy tắc cảnh báo")
