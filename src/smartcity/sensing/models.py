"""The OGC SensorThings API v1.1 data model (OGC 18-088, clause 8), plus what storage and quality control need.

The eight SensorThings entities map one to one onto models. Observations are the big table: narrow columns (a
numeric ``result`` as a double, JSON only for non-numeric results), one row per (datastream, phenomenon time) — the
key that makes ingest idempotent — and on PostgreSQL the table is range-partitioned by month (migration 0002).
``LatestObservation`` keeps "now" per datastream so dashboards never scan the big table; ``ObservationHourly`` and
``ObservationDaily`` are the roll-ups charts read.

Quality-control settings ride in the standard ``properties`` of the entities (so any SensorThings client can set
them) and are mirrored into columns the ingest reads:

* ``ObservedProperty.properties.plausibleRange = [min, max]``: physically possible values; others are refused;
* ``Datastream.properties.expectedRange = [min, max]``: readings outside are kept, flagged ``range``;
* ``Datastream.properties.maxRateOfChange``: units per minute; a faster change from the previous reading is flagged
  ``rate``;
* ``Datastream.properties.reportingInterval``: seconds between readings; no data for
  ``SENSING_STALE_INTERVALS`` intervals opens a maintenance alert.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ObservationType(models.TextChoices):
    """The observation types of OGC 18-088, Table 12 (O&M 2.0)."""

    MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement", "Measurement"
    CATEGORY = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation", "Category"
    COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation", "Count"
    TRUTH = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation", "Truth"
    OBSERVATION = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation", "Any"


NUMERIC_TYPES = frozenset({ObservationType.MEASUREMENT.value, ObservationType.COUNT.value})


class QualityFlag(enum.IntFlag):
    """Why quality control marked a reading suspect (kept, not refused)."""

    RANGE = 1  # outside the datastream's expected range
    RATE = 2  # changed faster than the datastream's maximum rate of change

    @classmethod
    def names(cls, value: int) -> list[str]:
        return [flag.name.lower() for flag in cls if value & flag]  # type: ignore[union-attr]


class BoundingBox(models.Model):
    """Envelope of a GeoJSON geometry, kept beside it so spatial filters narrow candidates in SQL (no PostGIS)."""

    min_x = models.FloatField("kinh độ nhỏ nhất", null=True, blank=True, editable=False)
    min_y = models.FloatField("vĩ độ nhỏ nhất", null=True, blank=True, editable=False)
    max_x = models.FloatField("kinh độ lớn nhất", null=True, blank=True, editable=False)
    max_y = models.FloatField("vĩ độ lớn nhất", null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Thing(models.Model):
    name = models.CharField("tên", max_length=255)
    description = models.TextField("mô tả", blank=True)
    properties = models.JSONField("thuộc tính", null=True, blank=True)
    locations = models.ManyToManyField("Location", verbose_name="vị trí", related_name="things", blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "thiết bị (Thing)"
        verbose_name_plural = "thiết bị (Things)"

    def __str__(self) -> str:
        return self.name


class Location(BoundingBox):
    name = models.CharField("tên", max_length=255)
    description = models.TextField("mô tả", blank=True)
    encoding_type = models.CharField("kiểu mã hóa", max_length=100)
    location = models.JSONField("vị trí (GeoJSON)")
    properties = models.JSONField("thuộc tính", null=True, blank=True)

    class Meta:
        verbose_name = "vị trí (Location)"
        verbose_name_plural = "vị trí (Locations)"

    def __str__(self) -> str:
        return self.name


class HistoricalLocation(models.Model):
    thing = models.ForeignKey(
        Thing, verbose_name="thiết bị", on_delete=models.CASCADE, related_name="historical_locations",
    )
    time = models.DateTimeField("thời điểm")
    locations = models.ManyToManyField(Location, verbose_name="vị trí", related_name="historical_locations")

    class Meta:
        verbose_name = "lịch sử vị trí"
        verbose_name_plural = "lịch sử vị trí"

    def __str__(self) -> str:
        return f"{self.thing_id} @ {self.time:%Y-%m-%d %H:%M}"


class Sensor(models.Model):
    name = models.CharField("tên", max_length=255)
    description = models.TextField("mô tả", blank=True)
    encoding_type = models.CharField("kiểu mã hóa", max_length=100)
    metadata = models.JSONField("siêu dữ liệu", null=True, blank=True)
    properties = models.JSONField("thuộc tính", null=True, blank=True)

    class Meta:
        verbose_name = "cảm biến (Sensor)"
        verbose_name_plural = "cảm biến (Sensors)"

    def __str__(self) -> str:
        return self.name


class ObservedProperty(models.Model):
    name = models.CharField("tên", max_length=255)
    definition = models.CharField("định nghĩa (URI)", max_length=500)
    description = models.TextField("mô tả", blank=True)
    properties = models.JSONField("thuộc tính", null=True, blank=True)
    # Mirrors properties.plausibleRange: readings outside are refused (dead letters).
    plausible_min = models.FloatField("giá trị hợp lý nhỏ nhất", null=True, blank=True, editable=False)
    plausible_max = models.FloatField("giá trị hợp lý lớn nhất", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "đại lượng quan trắc"
        verbose_name_plural = "đại lượng quan trắc (ObservedProperties)"

    def __str__(self) -> str:
        return self.name


class Datastream(models.Model):
    name = models.CharField("tên", max_length=255)
    description = models.TextField("mô tả", blank=True)
    unit_of_measurement = models.JSONField("đơn vị đo", default=dict)
    observation_type = models.CharField("kiểu quan trắc", max_length=100, choices=ObservationType.choices)
    observed_area = models.JSONField("vùng quan trắc", null=True, blank=True)
    # Server-maintained envelopes of the observations' times (updated per ingest batch).
    phenomenon_time_start = models.DateTimeField(
        "thời điểm quan trắc đầu tiên", null=True, blank=True, editable=False,
    )
    phenomenon_time_end = models.DateTimeField(
        "thời điểm quan trắc cuối cùng", null=True, blank=True, editable=False,
    )
    result_time_start = models.DateTimeField("thời điểm có kết quả đầu tiên", null=True, blank=True, editable=False)
    result_time_end = models.DateTimeField("thời điểm có kết quả cuối cùng", null=True, blank=True, editable=False)
    properties = models.JSONField("thuộc tính", null=True, blank=True)
    thing = models.ForeignKey(Thing, verbose_name="thiết bị", on_delete=models.CASCADE, related_name="datastreams")
    sensor = models.ForeignKey(
        Sensor, verbose_name="cảm biến", on_delete=models.CASCADE, related_name="datastreams",
    )
    observed_property = models.ForeignKey(
        ObservedProperty, verbose_name="đại lượng quan trắc", on_delete=models.CASCADE,
        related_name="datastreams",
    )
    # Mirrors of properties.expectedRange / maxRateOfChange / reportingInterval (see the module docstring).
    expected_min = models.FloatField("giá trị dự kiến nhỏ nhất", null=True, blank=True, editable=False)
    expected_max = models.FloatField("giá trị dự kiến lớn nhất", null=True, blank=True, editable=False)
    max_rate_per_minute = models.FloatField(
        "tốc độ thay đổi tối đa (mỗi phút)", null=True, blank=True, editable=False,
    )
    reporting_interval = models.PositiveIntegerField("chu kỳ gửi (giây)", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "chuỗi dữ liệu (Datastream)"
        verbose_name_plural = "chuỗi dữ liệu (Datastreams)"

    def __str__(self) -> str:
        return self.name

    @property
    def is_numeric(self) -> bool:
        return self.observation_type in NUMERIC_TYPES


class FeatureOfInterest(BoundingBox):
    name = models.CharField("tên", max_length=255)
    description = models.TextField("mô tả", blank=True)
    encoding_type = models.CharField("kiểu mã hóa", max_length=100)
    feature = models.JSONField("đối tượng (GeoJSON)")
    properties = models.JSONField("thuộc tính", null=True, blank=True)
    # Set when the server generated this feature from a Thing's Location (OGC 18-088, 10.2.1.1), so the next
    # observation at the same place reuses it.
    source_location = models.ForeignKey(
        Location, verbose_name="vị trí gốc", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False
    )

    class Meta:
        verbose_name = "đối tượng quan trắc"
        verbose_name_plural = "đối tượng quan trắc (FeaturesOfInterest)"

    def __str__(self) -> str:
        return self.name


class ObservationQuerySet(models.QuerySet["Observation"]):
    def of_datastream(self, datastream_id: int, start=None, end=None) -> ObservationQuerySet:
        """One datastream's readings with start <= phenomenon time < end, oldest first (served by the
        (datastream_id, phenomenon_time DESC) index)."""
        qs = self.filter(datastream_id=datastream_id)
        if start is not None:
            qs = qs.filter(phenomenon_time__gte=start)
        if end is not None:
            qs = qs.filter(phenomenon_time__lt=end)
        return qs.order_by("phenomenon_time")


class Observation(models.Model):
    """A reading. On PostgreSQL the table is partitioned by month of ``phenomenon_time`` (primary key
    (id, phenomenon_time)); ``id`` stays unique through its sequence."""

    id = models.BigAutoField("ID", primary_key=True)
    datastream = models.ForeignKey(Datastream, verbose_name="chuỗi dữ liệu", on_delete=models.CASCADE,
                                   related_name="observations",
                                   db_index=False)  # the unique (datastream, phenomenon_time) index serves it
    phenomenon_time = models.DateTimeField("thời điểm quan trắc")
    # Set when the phenomenon time is an interval.
    phenomenon_time_end = models.DateTimeField("kết thúc khoảng quan trắc", null=True, blank=True)
    result_time = models.DateTimeField("thời điểm có kết quả", null=True, blank=True)
    result = models.FloatField("kết quả", null=True, blank=True)  # numeric results (and numbers of OM_Observation)
    # Non-numeric results: text, booleans, objects.
    result_json = models.JSONField("kết quả (JSON)", null=True, blank=True)
    result_quality = models.JSONField("chất lượng kết quả", null=True, blank=True)
    valid_time_start = models.DateTimeField("hiệu lực từ", null=True, blank=True)
    valid_time_end = models.DateTimeField("hiệu lực đến", null=True, blank=True)
    parameters = models.JSONField("tham số", null=True, blank=True)
    feature_of_interest = models.ForeignKey(
        FeatureOfInterest, verbose_name="đối tượng quan trắc", on_delete=models.CASCADE,
        related_name="observations",
    )
    quality_flags = models.PositiveSmallIntegerField("cờ chất lượng", default=0)  # QualityFlag bits

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "quan trắc (Observation)"
        verbose_name_plural = "quan trắc (Observations)"
        constraints = [
            # The idempotency key of ingest, and the index of "latest per datastream" and "range of one datastream".
            models.UniqueConstraint(F("datastream"), F("phenomenon_time").desc(), name="sensing_observation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id} @ {self.phenomenon_time:%Y-%m-%d %H:%M:%S}"

    @property
    def value(self):
        return self.result if self.result is not None else self.result_json


class LatestObservationQuerySet(models.QuerySet["LatestObservation"]):
    def for_datastreams(self, datastream_ids=None) -> LatestObservationQuerySet:
        qs = self.select_related("datastream__observed_property", "datastream__thing")
        return qs if datastream_ids is None else qs.filter(datastream_id__in=list(datastream_ids))


class LatestObservation(models.Model):
    """The newest reading of each datastream, upserted with every ingest batch."""

    datastream = models.OneToOneField(
        Datastream, verbose_name="chuỗi dữ liệu", primary_key=True, on_delete=models.CASCADE,
        related_name="latest",
    )
    observation_id = models.BigIntegerField("mã quan trắc")
    phenomenon_time = models.DateTimeField("thời điểm quan trắc")
    result_time = models.DateTimeField("thời điểm có kết quả", null=True, blank=True)
    result = models.FloatField("kết quả", null=True, blank=True)
    result_json = models.JSONField("kết quả (JSON)", null=True, blank=True)
    quality_flags = models.PositiveSmallIntegerField("cờ chất lượng", default=0)

    objects = LatestObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "giá trị mới nhất"
        verbose_name_plural = "giá trị mới nhất"

    def __str__(self) -> str:
        return f"{self.datastream_id}: {self.value} @ {self.phenomenon_time:%Y-%m-%d %H:%M:%S}"

    @property
    def value(self):
        return self.result if self.result is not None else self.result_json


class RollUp(models.Model):
    datastream = models.ForeignKey(
        Datastream, verbose_name="chuỗi dữ liệu", on_delete=models.CASCADE, related_name="+", db_index=False,
    )
    bucket = models.DateTimeField("đầu khoảng")  # start of the hour (UTC) / of the local day, stored in UTC
    count = models.PositiveIntegerField("số giá trị")
    minimum = models.FloatField("nhỏ nhất")
    maximum = models.FloatField("lớn nhất")
    mean = models.FloatField("trung bình")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.datastream_id} @ {self.bucket:%Y-%m-%d %H:%M}: {self.mean:.3g} (n={self.count})"


class ObservationHourly(RollUp):
    class Meta:
        verbose_name = "tổng hợp theo giờ"
        verbose_name_plural = "tổng hợp theo giờ"
        constraints = [models.UniqueConstraint(fields=["datastream", "bucket"], name="sensing_hourly_once")]


class ObservationDaily(RollUp):
    class Meta:
        verbose_name = "tổng hợp theo ngày"
        verbose_name_plural = "tổng hợp theo ngày"
        constraints = [models.UniqueConstraint(fields=["datastream", "bucket"], name="sensing_daily_once")]


class DeadLetter(models.Model):
    """A reading the ingest refused, kept with its raw payload and the reason, for an operator to look at."""

    received_at = models.DateTimeField("nhận lúc", db_index=True)
    source = models.CharField("nguồn", max_length=40)  # http, create-observations, mqtt, …
    # As sent; may name no datastream.
    datastream_id = models.BigIntegerField("mã chuỗi dữ liệu (như đã gửi)", null=True, blank=True)
    payload = models.JSONField("dữ liệu gốc", null=True)
    reason = models.TextField("lý do")

    class Meta:
        verbose_name = "bản ghi bị từ chối"
        verbose_name_plural = "bản ghi bị từ chối (dead letters)"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.reason}"


class MaintenanceAlert(models.Model):
    class Kind(models.TextChoices):
        STALE = "stale", "Không có dữ liệu (cảm biến ngừng gửi)"

    datastream = models.ForeignKey(
        Datastream, verbose_name="chuỗi dữ liệu", on_delete=models.CASCADE,
        related_name="maintenance_alerts",
    )
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    opened_at = models.DateTimeField("mở lúc")
    closed_at = models.DateTimeField("đóng lúc", null=True, blank=True)
    last_seen = models.DateTimeField("dữ liệu cuối", null=True, blank=True)
    detail = models.TextField("chi tiết", blank=True)

    class Meta:
        verbose_name = "cảnh báo bảo trì"
        verbose_name_plural = "cảnh báo bảo trì"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["datastream", "kind"], condition=Q(closed_at__isnull=True),
                                    name="sensing_alert_open_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.datastream_id}"


class IngestKey(models.Model):
    """A gateway's or integration's key for writing without a staff session. Only a SHA-256 of the secret is kept
    (the key is 256 random bits, so a fast hash is enough); the key is shown once when issued."""

    class Scope(models.TextChoices):
        OBSERVATIONS = "observations", "Chỉ gửi dữ liệu quan trắc"
        ALL = "all", "Ghi mọi thực thể SensorThings"

    name = models.CharField("tên", max_length=120)
    prefix = models.CharField("tiền tố", max_length=16, unique=True)
    secret_hash = models.CharField("mã băm của khóa bí mật", max_length=64)
    scope = models.CharField("phạm vi", max_length=20, choices=Scope.choices, default=Scope.OBSERVATIONS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người tạo", null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    last_used_at = models.DateTimeField("lần dùng gần nhất", null=True, blank=True)
    revoked_at = models.DateTimeField("thời điểm thu hồi", null=True, blank=True)

    class Meta:
        verbose_name = "khóa gửi dữ liệu"
        verbose_name_plural = "khóa gửi dữ liệu (ingest keys)"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
