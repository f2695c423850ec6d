"""`smartcity jobs …`: the background work of the platform (Celery; see docs/jobs.md).

    smartcity jobs worker [--beat] [--concurrency N]   a worker (with the periodic schedule when --beat)
    smartcity jobs beat                                the periodic schedule alone (production: one per site)
    smartcity jobs list                                the schedule table
    smartcity jobs run NAME                            run one scheduled job now, here (what a system timer calls)
    smartcity jobs timers                              the schedule as crontab lines, for system timers
    smartcity jobs failed [--days N]                   jobs that failed after their retries
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from smartcity.jobs import services
from smartcity.jobs.engine import app
from smartcity.jobs.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Tác vụ nền: worker, lịch chạy định kỳ, chạy ngay một tác vụ, tác vụ lỗi"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        worker = sub.add_parser("worker", help="Chạy một worker nhận tác vụ từ hàng đợi")
        worker.add_argument("--beat", action="store_true", help="chạy cả lịch định kỳ trong worker này (demo)")
        worker.add_argument("--concurrency", type=int, default=None, help="số tiến trình (mặc định: số lõi CPU)")
        worker.add_argument("--pool", default=None, help="prefork (mặc định), solo hoặc threads")
        worker.add_argument("--include", default="", help="module tác vụ thêm (dùng trong kiểm thử)")
        sub.add_parser("beat", help="Chạy lịch định kỳ (một tiến trình cho cả hệ thống)")
        sub.add_parser("list", help="Liệt kê lịch chạy định kỳ")
        run = sub.add_parser("run", help="Chạy ngay một tác vụ định kỳ trong tiến trình này")
        run.add_argument("name", help="tên trong lịch, ví dụ notifications.deliver")
        sub.add_parser("timers", help="In lịch dưới dạng dòng crontab")
        failed = sub.add_parser("failed", help="Các tác vụ đã lỗi sau mọi lần thử lại")
        failed.add_argument("--days", type=int, default=7)

    def handle(self, *args: object, action: str, **options: Any) -> None:
        getattr(self, "_" + action)(options)

    def _worker(self, options: dict[str, Any]) -> None:
        argv = ["worker", "--loglevel", "INFO", "--queues", settings.CELERY_TASK_DEFAULT_QUEUE]
        if options["beat"]:
            argv += ["--beat", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        if options["concurrency"]:
            argv += ["--concurrency", str(options["concurrency"])]
        if options["pool"]:
            argv += ["--pool", options["pool"]]
        if options["include"]:
            argv += ["--include", options["include"]]
        app.worker_main(argv)

    def _beat(self, options: dict[str, Any]) -> None:
        app.start(["beat", "--loglevel", "INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME])

    def _list(self, options: dict[str, Any]) -> None:
        width = max(len(p.name) for p in SCHEDULE)
        for periodic in SCHEDULE:
            self.stdout.write(f"{periodic.name:<{width}}  {periodic.cron:<13}  {periodic.description}")

    def _run(self, options: dict[str, Any]) -> None:
        try:
            result = services.run_now(options["name"])
        except KeyError:
            names = ", ".join(p.name for p in SCHEDULE)
            raise CommandError(f"Không có tác vụ {options['name']!r} trong lịch; các tác vụ: {names}") from None
        except services.JobFailed as exc:
            raise CommandError(f"Tác vụ lỗi: {exc}") from None
        self.stdout.write(f"{options['name']}: {result}")

    def _timers(self, options: dict[str, Any]) -> None:
        command = shlex.quote(sys.argv[0] if sys.argv[0].endswith("smartcity") else "smartcity")
        self.stdout.write("# smartcity: the periodic jobs (Hà Nội time). Use these or `smartcity jobs beat`, not both.")
        self.stdout.write("CRON_TZ=Asia/Ho_Chi_Minh")
        for periodic in SCHEDULE:
            self.stdout.write(f"{periodic.cron} {command} jobs run {periodic.name}  # {periodic.description}")

    def _failed(self, options: dict[str, Any]) -> None:
        since = timezone.now() - dt.timedelta(days=options["days"])
        jobs = services.failed_jobs(since=since)
        for result in jobs:
            when = timezone.localtime(result.date_done)
            self.stdout.write(f"{when:%H:%M %d/%m/%Y}  {result.task_name}  {result.task_id}\n    {result.result}")
        self.stdout.write(f"{len(jobs)} tác vụ lỗi trong {options['days']} ngày qua")
