"""Monitoring stations, warning rules, the warnings they open and close, and who is told.

A ``Station`` is what the public sees: one sensing Thing in one role (air, water quality, rain, water level,
noise), with its place (a 2025 ward or commune) and its own thresholds. A Thing measuring several things (a
hydrological station with a rain gauge) is one Station per kind. Readings stay in sensing; this app computes from
them and never writes them.

A ``WarningRule`` says when to warn (parameter, comparison, threshold, minimum duration, rising trend, area); each
time it holds at a station, a ``WarningEvent`` opens — with what triggered it — and closes when it no longer holds.
Events are never deleted: they are the record of every warning issued. A ``Subscription`` (a citizen's account, or
a confirmed e-mail address or phone number) receives a notification through the outbox when a warning opens in its
area.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from smartcity.environment.parameters import Kind
from smartcity.places.models import Unit
from smartcity.sensing.models import Thing


class NoiseZone(models.TextChoices):
    """The areas of QCVN 26:2010/BTNMT, Table 1. The zones a station may be in are those of the ``NoiseLimit``
    table (a later regulation may draw more); these two are the seeded ones and the default."""

    SPECIAL = "special", "Khu vực đặc biệt (bệnh viện, trường học, thư viện…)"
    NORMAL = "normal", "Khu vực thông thường (khu dân cư, cơ quan…)"


class StationQuerySet(models.QuerySet["Station"]):
    def active(self) -> StationQuerySet:
        return self.filter(is_active=True).select_related("unit__parent", "thing")

    def in_area(self, unit: Unit | None) -> StationQuerySet:
        """Stations in a commune/ward, or in any commune of a province (``None``: everywhere)."""
        if unit is None:
            return self
        return self.filter(Q(unit=unit) | Q(unit__parent=unit))


class Station(models.Model):
    thing = models.ForeignKey(Thing, verbose_name="thiết bị (Thing)", on_delete=models.CASCADE,
                              related_name="environment_stations")
    kind = models.CharField("loại trạm", max_length=12, choices=Kind.choices)
    code = models.SlugField("mã trạm", max_length=80, unique=True,
                            help_text="Dùng trong địa chỉ trang và mã thực thể NGSI-LD")
    name = models.CharField("tên trạm", max_length=255)
    unit = models.ForeignKey(Unit, verbose_name="phường/xã", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="environment_stations")
    latitude = models.FloatField("vĩ độ", null=True, blank=True)
    longitude = models.FloatField("kinh độ", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    # A zone code of the NoiseLimit table ("special", "normal" and whatever a later regulation adds).
    noise_zone = models.CharField("khu vực (tiếng ồn)", max_length=20, default=NoiseZone.NORMAL,
                                  help_text="Mã khu vực trong bảng giới hạn tiếng ồn, ví dụ normal, special")
    # Water level: elevation (m, station datum) of the sensor's reference point; level = elevation − distance.
    reference_elevation_m = models.FloatField("cao độ điểm chuẩn cảm biến (m)", null=True, blank=True)
    # Flood alarm levels I < II < III (m, station datum), per station (Decision 05/2020/QĐ-TTg).
    flood_level_i = models.FloatField("báo động I (m)", null=True, blank=True)
    flood_level_ii = models.FloatField("báo động II (m)", null=True, blank=True)
    flood_level_iii = models.FloatField("báo động III (m)", null=True, blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = "trạm quan trắc"
        verbose_name_plural = "trạm quan trắc"
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["thing", "kind"], name="environment_station_once_per_kind"),
            models.CheckConstraint(
                condition=Q(flood_level_i__isnull=True) | Q(flood_level_ii__isnull=True)
                | Q(flood_level_iii__isnull=True)
                | (Q(flood_level_i__lt=models.F("flood_level_ii")) & Q(flood_level_ii__lt=models.F("flood_level_iii"))),
                name="environment_flood_levels_rise"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_flood_levels(self) -> bool:
        return None not in (self.flood_level_i, self.flood_level_ii, self.flood_level_iii)


class Parameter(models.TextChoices):
    """What a warning rule watches. Each belongs to one station kind (``PARAMETER_KIND``)."""

    AQI = "aqi", "Chỉ số AQI giờ (VN_AQI)"
    PM25 = "pm25", "PM2.5 trung bình giờ (µg/m³)"
    PM10 = "pm10", "PM10 trung bình giờ (µg/m³)"
    WATER_LEVEL = "water_level", "Mực nước (m)"
    FLOOD_LEVEL = "flood_level", "Cấp báo động lũ (1–3)"
    RAIN_1H = "rain_1h", "Lượng mưa 1 giờ (mm)"
    RAIN_3H = "rain_3h", "Lượng mưa 3 giờ (mm)"
    RAIN_24H = "rain_24h", "Lượng mưa 24 giờ (mm)"
    LAEQ = "laeq", "Tiếng ồn LAeq giờ (dBA)"
    NOISE_EXCESS = "noise_excess", "Vượt giới hạn tiếng ồn (dB)"
    WQI = "wqi", "Chỉ số chất lượng nước (VN_WQI)"


PARAMETER_KIND: dict[str, str] = {
    Parameter.AQI: Kind.AIR, Parameter.PM25: Kind.AIR, Parameter.PM10: Kind.AIR,
    Parameter.WATER_LEVEL: Kind.WATER_LEVEL, Parameter.FLOOD_LEVEL: Kind.WATER_LEVEL,
    Parameter.RAIN_1H: Kind.RAIN, Parameter.RAIN_3H: Kind.RAIN, Parameter.RAIN_24H: Kind.RAIN,
    Parameter.LAEQ: Kind.NOISE, Parameter.NOISE_EXCESS: Kind.NOISE,
    Parameter.WQI: Kind.WATER,
}


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "từ ngưỡng trở lên (≥)"
    AT_MOST = "lte", "từ ngưỡng trở xuống (≤)"


class WarningRule(models.Model):
    name = models.CharField("tên cảnh báo", max_length=200)
    parameter = models.CharField("thông số", max_length=20, choices=Parameter.choices)
    comparison = models.CharField("so sánh", max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    threshold = models.FloatField("ngưỡng")
    unit = models.ForeignKey(Unit, verbose_name="khu vực (để trống: toàn thành phố)", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    min_duration_hours = models.PositiveSmallIntegerField(
        "duy trì tối thiểu (giờ)", default=0,
        help_text="0: cảnh báo ngay khi vượt ngưỡng; n: khi giờ hiện tại và n giờ liền trước đều vượt ngưỡng")
    rising = models.BooleanField("chỉ khi đang tăng", default=False,
                                 help_text="Chỉ mở cảnh báo khi giá trị hiện tại cao hơn giờ trước")
    advice = models.TextField("khuyến cáo gửi kèm", blank=True)
    is_active = models.BooleanField("đang áp dụng", default=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "quy tắc cảnh báo"
        verbose_name_plural = "quy tắc cảnh báo"
        ordering = ["parameter", "threshold", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(parameter__in=Parameter.values), name="environment_rule_parameter"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        return PARAMETER_KIND[self.parameter]

    def holds(self, value: float | None) -> bool:
        if value is None or value != value:  # missing or NaN
            return False
        return value >= self.threshold if self.comparison == Comparison.AT_LEAST else value <= self.threshold


class WarningEventQuerySet(models.QuerySet["WarningEvent"]):
    def open(self) -> WarningEventQuerySet:
        return self.filter(closed_at__isnull=True)

    def with_related(self) -> WarningEventQuerySet:
        return self.select_related("rule", "station__unit")


class WarningEvent(models.Model):
    rule = models.ForeignKey(WarningRule, verbose_name="quy tắc", on_delete=models.PROTECT, related_name="events")
    station = models.ForeignKey(Station, verbose_name="trạm", on_delete=models.PROTECT, related_name="warnings")
    opened_at = models.DateTimeField("mở lúc", db_index=True)
    closed_at = models.DateTimeField("đóng lúc", null=True, blank=True)
    close_reason = models.CharField("lý do đóng", max_length=200, blank=True)
    # What triggered it: the hourly values (and the current one) that met the rule, [{"time": ISO, "value": x}].
    trigger = models.JSONField("dữ liệu kích hoạt", default=list)
    first_value = models.FloatField("giá trị khi mở")
    peak_value = models.FloatField("giá trị cao nhất")
    last_value = models.FloatField("giá trị gần nhất")
    last_seen_at = models.DateTimeField("số liệu gần nhất lúc")
    message = models.TextField("nội dung")
    notified = models.PositiveIntegerField("số thông báo đã xếp hàng", default=0)

    objects = WarningEventQuerySet.as_manager()

    class Meta:
        verbose_name = "cảnh báo"
        verbose_name_plural = "cảnh báo (lịch sử)"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "station"], condition=Q(closed_at__isnull=True),
                                    name="environment_warning_open_once"),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Subscription(models.Model):
    """Who is told when a warning opens. Either a citizen's account (reached at the e-mail and phone of their
    population record, on the channels of ``NOTIFY_CHANNELS``) or a plain e-mail address or phone number, which
    must confirm through the link sent to it before anything else is sent there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="tài khoản", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="environment_subscriptions")
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("số điện thoại", max_length=15, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="khu vực (để trống: toàn thành phố)", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    # Kinds ("air", "water_level"…) and/or rule parameters ("aqi", "rain_3h"…); empty: every warning.
    parameters = models.JSONField("loại cảnh báo", default=list, blank=True)
    token = models.CharField("mã xác nhận và hủy đăng ký", max_length=43, unique=True, editable=False)
    confirmed_at = models.DateTimeField("xác nhận lúc", null=True, blank=True)
    cancelled_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "đăng ký nhận cảnh báo"
        verbose_name_plural = "đăng ký nhận cảnh báo"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(user__isnull=True, email="", phone=""),
                                   name="environment_subscription_has_recipient"),
        ]

    def __str__(self) -> str:
        who = self.user.get_username() if self.user_id else (self.email or self.phone)
        return f"{who}: {self.unit or 'toàn thành phố'}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.cancelled_at is None

    def wants(self, rule: WarningRule) -> bool:
        return not self.parameters or rule.parameter in self.parameters or rule.kind in self.parameters


class NoiseLimit(models.Model):
    """One line of a noise regulation's table: the maximum LAeq of a zone over a band of the day, in force from
    ``valid_from`` to ``valid_to`` (both days included; empty: no end known).

    A reading is judged by the regulation in force on its local date; where several are (a new one and an old one
    still allowed during a transition), the one in force from the latest date wins. A regulation is all the lines
    with the same ``legal_source``; its bands of one zone cover the 24 hours once. The city enters a new regulation
    here from its official text, with no code change (``smartcity.environment.noise_limits`` reads the table).
    """

    zone = models.SlugField("mã khu vực", max_length=20,
                            help_text="Mã khu vực, trùng với khu vực của trạm: normal, special…")
    zone_name = models.CharField("khu vực", max_length=200,
                                 help_text="Tên khu vực theo quy chuẩn, ví dụ «Khu vực thông thường»")
    start_hour = models.PositiveSmallIntegerField("từ giờ", help_text="Giờ bắt đầu (0–23, giờ Việt Nam)")
    end_hour = models.PositiveSmallIntegerField(
        "đến giờ", help_text="Giờ kết thúc (1–24); nhỏ hơn hoặc bằng giờ bắt đầu: qua nửa đêm (21 → 6)")
    limit_dba = models.FloatField("giới hạn LAeq (dBA)")
    legal_source = models.CharField("quy chuẩn", max_length=200,
                                    help_text="Văn bản quy định giới hạn, ví dụ «QCVN 26:2010/BTNMT»")
    valid_from = models.DateField("hiệu lực từ ngày")
    valid_to = models.DateField("hiệu lực đến hết ngày", null=True, blank=True,
                                help_text="Để trống khi chưa có ngày hết hiệu lực")
    note = models.TextField("ghi chú", blank=True,
                            help_text="Hiển thị trên trang trạm khi số liệu được so với quy chuẩn này "
                                      "(ví dụ: thời hạn chuyển tiếp)")
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    class Meta:
        verbose_name = "giới hạn tiếng ồn"
        verbose_name_plural = "giới hạn tiếng ồn"
        ordering = ["-valid_from", "legal_source", "zone", "start_hour"]
        constraints = [
            models.CheckConstraint(condition=Q(start_hour__lte=23) & Q(end_hour__gte=1) & Q(end_hour__lte=24),
                                   name="environment_noise_limit_hours"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="environment_noise_limit_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_source}: {self.zone_name}, {self.start_hour}–{self.end_hour} giờ: {self.limit_dba:g} dBA"

    def hours(self) -> set[int]:
        """The clock hours (0–23) the band covers, wrapping past midnight."""
        if self.end_hour > self.start_hour:
            return set(range(self.start_hour, self.end_hour))
        return set(range(self.start_hour, 24)) | set(range(0, self.end_hour % 24))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.start_hour is None or self.end_hour is None:
            return
        if self.start_hour > 23 or not 1 <= self.end_hour <= 24:
            raise ValidationError("Giờ bắt đầu 0–23, giờ kết thúc 1–24")
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "Ngày hết hiệu lực phải từ ngày có hiệu lực trở đi"})
        others = NoiseLimit.objects.filter(legal_source=self.legal_source, zone=self.zone).exclude(pk=self.pk)
        for other in others:
            if self.hours() & other.hours():
                raise ValidationError(f"Khung giờ trùng với dòng «{other}» của cùng quy chuẩn và khu vực")


class AirForecast(models.Model):
    """One hour of an air station's current next-24-hour forecast (``forecast``'s model, issued by the hourly job
    ``environment.forecast``). Only the latest forecast is kept: each run replaces a station's 24 rows in one
    transaction, so the page and the API read it without recomputing, and a station that no longer has enough data
    loses its stale forecast instead of showing it."""

    station = models.ForeignKey(Station, verbose_name="trạm", on_delete=models.CASCADE, related_name="forecasts")
    issued_at = models.DateTimeField("phát hành lúc")
    hour_start = models.DateTimeField("đầu giờ dự báo")
    pm25 = models.FloatField("PM2.5 dự báo (µg/m³)")
    pm25_low = models.FloatField("PM2.5 cận dưới khoảng 80 % (µg/m³)")
    pm25_high = models.FloatField("PM2.5 cận trên khoảng 80 % (µg/m³)")
    aqi = models.PositiveSmallIntegerField("VN_AQI giờ dự báo", null=True, blank=True)
    degraded = models.BooleanField("thiếu số liệu gần đây", default=False,
                                   help_text="Một giá trị gần đây hoặc mức của tuần trước bị thiếu khi dự báo")

    class Meta:
        verbose_name = "dự báo không khí"
        verbose_name_plural = "dự báo không khí (24 giờ tới)"
        ordering = ["station", "hour_start"]
        constraints = [
            models.UniqueConstraint(fields=["station", "hour_start"], name="environment_forecast_hour_once"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} @ {self.hour_start:%Y-%m-%d %H:%M}: PM2.5 {self.pm25:.1f}"
