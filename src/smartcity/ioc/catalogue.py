"""The tiles and layers the centre knows, with their definitions. The back office (``models.Tile``, ``models.Layer``)
hides, orders and sets thresholds; what each counts is the provider's, written here once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from smartcity.ioc.sources import TileSpec

TILES: tuple[TileSpec, ...] = (
    TileSpec("dossiers_received_today", _("Hồ sơ tiếp nhận hôm nay"),
             _("Hồ sơ được tiếp nhận từ 0 giờ hôm nay (giờ Hà Nội) đến lúc tính."),
             (_("Cơ quan"), _("Số hồ sơ"))),
    TileSpec("dossiers_on_time_month", _("Tỷ lệ đúng hạn tháng này"),
             _("Trong các hồ sơ xử lý xong từ đầu tháng: tỷ lệ xong trước hoặc đúng ngày hẹn, không gia hạn, "
               "bổ sung không quá một lần (quy tắc của thống kê một cửa)."),
             (_("Cơ quan"), _("Đã xử lý"), _("Đúng hạn"), _("Tỷ lệ"))),
    TileSpec("dossiers_overdue", _("Hồ sơ quá hạn"),
             _("Hồ sơ đang xử lý (đã tiếp nhận, đang xử lý) đã quá ngày hẹn trả, theo cơ quan."),
             (_("Cơ quan"), _("Số hồ sơ quá hạn")), warn_at=1),
    TileSpec("reports_open", _("Phản ánh đang mở"),
             _("Phản ánh của người dân chưa xử lý xong."), (_("Phản ánh"), _("Trạng thái"), _("Gửi lúc"))),
    TileSpec("reports_overdue", _("Phản ánh quá hạn"),
             _("Phản ánh chưa xử lý xong đã quá thời hạn xử lý."), (_("Phản ánh"), _("Trạng thái"), _("Gửi lúc")),
             warn_at=1),
    TileSpec("worst_aqi", _("AQI cao nhất hiện tại"),
             _("VN_AQI giờ cao nhất trong các trạm không khí đang hoạt động (Quyết định 1459/QĐ-TCMT)."),
             (_("Trạm"), _("AQI"), _("Mức"))),
    TileSpec("active_warnings", _("Cảnh báo đang mở"),
             _("Cảnh báo môi trường (ngập, mưa, không khí, tiếng ồn) chưa đóng."),
             (_("Cảnh báo"), _("Trạm"), _("Mở lúc")), warn_at=1),
    TileSpec("sensors_offline", _("Cảm biến mất tín hiệu"),
             _("Luồng dữ liệu cảm biến không gửi số liệu quá số chu kỳ cho phép (cảnh báo bảo trì đang mở)."),
             (_("Cảm biến"), _("Chi tiết"), _("Từ lúc")), warn_at=1),
    TileSpec("incidents_open", _("Sự cố đang xử lý"),
             _("Sự cố chưa đóng, và số bước quy trình đã quá hạn."), (_("Sự cố"), _("Loại"), _("Mở lúc")),
             warn_at=1),
)
BY_KEY = {t.key: t for t in TILES}

# key → label, in the default order.
LAYERS: tuple[tuple[str, Any], ...] = (
    ("aqi", _("Trạm không khí (AQI)")),
    ("flood", _("Trạm mực nước (ngập)")),
    ("warnings", _("Cảnh báo đang mở")),
    ("reports", _("Phản ánh của người dân")),
)
