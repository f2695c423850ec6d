"""The one table of periodic jobs. Celery beat runs it (``smartcity jobs worker --beat`` in the demo,
``smartcity jobs beat`` beside the workers in production); a city that prefers its system's timers prints the same
table as crontab lines with ``smartcity jobs timers`` and runs each with ``smartcity jobs run NAME``.

Times are Hà Nội time (``CELERY_TIMEZONE``). Each job is idempotent (see ``engine.job``), so a run that overlaps
another, or a timer and beat both running it, does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    name: str  # what `smartcity jobs run` takes
    task: str  # the job's dotted name (engine.job names it by module and function)
    cron: str  # minute hour day-of-month month day-of-week, as in crontab(5)
    description: str


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("audit.checkpoint", "smartcity.audit.tasks.write_checkpoint", "7 * * * *",
             "Neo đầu chuỗi nhật ký truy cập ra ngoài cơ sở dữ liệu (điểm kiểm tra có ký số và dấu thời gian)"),
    Periodic("audit.verify", "smartcity.audit.tasks.verify_log", "20 3 * * *",
             "Kiểm tra toàn bộ chuỗi nhật ký truy cập và các điểm kiểm tra"),
    Periodic("notifications.deliver", "smartcity.notifications.tasks.deliver_notifications", "* * * * *",
             "Gửi các thông báo đến hạn trong hàng đợi (gửi lại sau 1, 2, 4… phút khi kênh lỗi)"),
    Periodic("payments.announce", "smartcity.payments.tasks.announce_payments", "*/5 * * * *",
             "Báo lại cho hồ sơ các khoản đã thanh toán mà hồ sơ chưa nhận được tin"),
    Periodic("payments.reconcile", "smartcity.payments.tasks.reconcile_payments", "30 1 * * *",
             "Đối soát các giao dịch của ngày hôm qua với báo cáo của cổng thanh toán"),
    Periodic("dossiers.statistics", "smartcity.dossiers.tasks.refresh_statistics", "*/5 * * * *",
             "Tính trước số liệu thống kê và bộ chỉ số của tháng này cho trang công khai"),
    Periodic("environment.warnings", "smartcity.environment.tasks.check_warnings", "*/5 * * * *",
             "Tính giá trị hiện tại của các trạm, mở/đóng cảnh báo môi trường, gửi thông báo"),
    Periodic("environment.forecast", "smartcity.environment.tasks.refresh_forecasts", "12 * * * *",
             "Dự báo chất lượng không khí 24 giờ tới cho các trạm không khí (từ số liệu PM theo giờ của 60 ngày)"),
    Periodic("sensing.stale", "smartcity.sensing.tasks.check_stale", "*/5 * * * *",
             "Mở/đóng cảnh báo cảm biến ngừng gửi dữ liệu"),
    Periodic("sensing.rollup", "smartcity.sensing.tasks.rollup_recent", "*/10 * * * *",
             "Tính lại bảng tổng hợp theo giờ và theo ngày của 2 ngày gần nhất"),
    Periodic("sensing.partitions", "smartcity.sensing.tasks.ensure_partitions", "15 0 * * *",
             "PostgreSQL: tạo trước các phân vùng dữ liệu quan trắc theo tháng"),
    Periodic("sensing.retention", "smartcity.sensing.tasks.apply_retention", "45 2 * * *",
             "Xóa dữ liệu quan trắc gốc quá hạn lưu trữ và bản ghi bị từ chối cũ"),
    Periodic("ops.orphan_files", "smartcity.ops.tasks.sweep_orphan_files", "50 2 * * *",
             "Xóa các tệp trong kho tệp không còn hồ sơ nào trỏ tới (quá 6 giờ, do giao dịch bị hủy)"),
    Periodic("interop.national_sync", "smartcity.interop.tasks.sync_national_portal", "* * * * *",
             "Đồng bộ hồ sơ, trạng thái lên Cổng dịch vụ công quốc gia (hộp thư đi, gửi lại khi lỗi)"),
    Periodic("interop.national_catalogue", "smartcity.interop.tasks.pull_national_catalogue", "30 1 * * *",
             "Lấy danh mục thủ tục hành chính từ Cổng dịch vụ công quốc gia"),
    Periodic("interop.purge_tokens", "smartcity.interop.tasks.purge_tokens", "40 3 * * *",
             "Xóa mã truy cập liên thông đã hết hạn"),
    Periodic("ioc.summary", "smartcity.ioc.tasks.refresh_summary", "* * * * *",
             "Tính trước các ô số liệu của trung tâm điều hành (hồ sơ, môi trường, cảm biến, sự cố)"),
    Periodic("ioc.collect", "smartcity.ioc.tasks.collect_events", "* * * * *",
             "Đưa sự kiện mới (cảnh báo, hồ sơ quá hạn, cảm biến mất tín hiệu) vào luồng trực tiếp; mở sự cố theo quy trình"),
    Periodic("feedback.close_settled", "smartcity.feedback.tasks.close_settled", "20 1 * * *",
             "Đóng các phản ánh đã trả lời quá 7 ngày mà người gửi không mở lại"),
    Periodic("opendata.refresh", "smartcity.opendata.tasks.refresh_live_tables", "25 * * * *",
             "Làm mới các bảng dữ liệu mở tính từ dữ liệu nền tảng (không khí, mực nước, mưa, hồ sơ, thủ tục, trạm)"),
)


def by_name(name: str) -> Periodic:
    for periodic in SCHEDULE:
        if periodic.name == name:
            return periodic
    raise KeyError(name)


def beat_schedule() -> dict[str, dict[str, object]]:
    """The table in the form Celery beat reads."""
    from celery.schedules import crontab

    schedule: dict[str, dict[str, object]] = {}
    for periodic in SCHEDULE:
        minute, hour, day_of_month, month_of_year, day_of_week = periodic.cron.split()
        schedule[periodic.name] = {
            "task": periodic.task,
            "schedule": crontab(minute=minute, hour=hour, day_of_month=day_of_month,
                                month_of_year=month_of_year, day_of_week=day_of_week),
        }
    return schedule
