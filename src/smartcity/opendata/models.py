"""The open-data catalogue: publishers (organizations, each a government agency), themes (groups), tags, datasets
and their resources, the rows of every tabular resource (the datastore), API keys with daily quotas, and the city's
catalogue of databases (danh mục cơ sở dữ liệu).

Names follow CKAN's, because the CKAN Action API (``opendata/ckan/``) serves them as they are: a dataset is a
"package", its description "notes", a publisher an "organization", a theme a "group".
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from smartcity.agencies.models import Agency
from smartcity.places.models import Unit


class Organization(models.Model):
    """A publisher: the agency that answers for its datasets."""

    uuid = models.UUIDField("mã định danh (UUID)", default=uuid.uuid4, unique=True, editable=False)  # CKAN's "id"
    name = models.SlugField("mã (URL)", max_length=100, unique=True)
    title = models.CharField("tên", max_length=200)
    description = models.TextField("mô tả", blank=True)
    agency = models.OneToOneField(Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "đơn vị công bố"
        verbose_name_plural = "đơn vị công bố"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class Group(models.Model):
    """A theme (chủ đề): environment, administration, population…"""

    uuid = models.UUIDField("mã định danh (UUID)", default=uuid.uuid4, unique=True, editable=False)  # CKAN's "id"
    name = models.SlugField("mã (URL)", max_length=100, unique=True)
    title = models.CharField("tên", max_length=200)
    description = models.TextField("mô tả", blank=True)

    class Meta:
        verbose_name = "chủ đề"
        verbose_name_plural = "chủ đề"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    name = models.CharField("từ khóa", max_length=100, unique=True)

    class Meta:
        verbose_name = "từ khóa"
        verbose_name_plural = "từ khóa"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", "Creative Commons Attribution 4.0"
    CC0 = "cc-zero", "Creative Commons CC0"
    ODC_BY = "odc-by", "Open Data Commons Attribution"
    OGL_VN = "other-open", "Giấy phép mở khác"


class Frequency(models.TextChoices):
    """EU Publications Office frequency vocabulary (what DCAT-AP's dct:accrualPeriodicity names)."""

    CONTINUOUS = "UPDATE_CONT", "Liên tục"
    HOURLY = "HOURLY", "Hằng giờ"
    DAILY = "DAILY", "Hằng ngày"
    WEEKLY = "WEEKLY", "Hằng tuần"
    MONTHLY = "MONTHLY", "Hằng tháng"
    ANNUAL = "ANNUAL", "Hằng năm"
    IRREGULAR = "IRREG", "Không định kỳ"


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def public(self) -> DatasetQuerySet:
        return self.filter(private=False)

    def with_relations(self) -> DatasetQuerySet:
        return self.select_related("organization", "spatial").prefetch_related("groups", "tags", "resources")


class Dataset(models.Model):
    uuid = models.UUIDField("mã định danh (UUID)", default=uuid.uuid4, unique=True, editable=False)  # CKAN's "id"
    name = models.SlugField("mã (URL)", max_length=100, unique=True)
    title = models.CharField("tên bộ dữ liệu", max_length=300)
    notes = models.TextField("mô tả", blank=True)
    organization = models.ForeignKey(Organization, verbose_name="đơn vị công bố", on_delete=models.PROTECT,
                                     related_name="datasets")
    licence = models.CharField("giấy phép", max_length=20, choices=Licence.choices, default=Licence.CC_BY)
    groups = models.ManyToManyField(Group, verbose_name="chủ đề", blank=True, related_name="datasets")
    tags = models.ManyToManyField(Tag, verbose_name="từ khóa", blank=True, related_name="datasets")
    temporal_start = models.DateField("thời gian từ", null=True, blank=True)
    temporal_end = models.DateField("thời gian đến", null=True, blank=True)
    spatial = models.ForeignKey(Unit, verbose_name="phạm vi không gian", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    frequency = models.CharField("tần suất cập nhật", max_length=12, choices=Frequency.choices,
                                 default=Frequency.IRREGULAR)
    private = models.BooleanField("không công khai", default=False)
    # Folded title, notes, tags, publisher (lib.text.fold): search with or without diacritics.
    search_text = models.TextField("văn bản tìm kiếm", editable=False, default="")
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    modified_at = models.DateTimeField("thời điểm sửa", auto_now=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = "bộ dữ liệu"
        verbose_name_plural = "bộ dữ liệu"
        ordering = ["name"]
        indexes = [models.Index(fields=["modified_at"])]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    uuid = models.UUIDField("mã định danh (UUID)", default=uuid.uuid4, unique=True, editable=False)  # CKAN's "id"
    class Kind(models.TextChoices):
        FILE = "file", "Tệp tải lên"
        LIVE = "live", "Bảng tính từ dữ liệu nền tảng"

    dataset = models.ForeignKey(Dataset, verbose_name="bộ dữ liệu", on_delete=models.CASCADE,
                                related_name="resources")
    name = models.CharField("tên", max_length=300)
    description = models.TextField("mô tả", blank=True)
    kind = models.CharField("loại", max_length=4, choices=Kind.choices)
    source = models.CharField("nguồn dữ liệu sống", max_length=60, blank=True,
                              help_text="Khóa trong danh sách nguồn (opendata.sources)")
    format = models.CharField("định dạng", max_length=12)  # CSV, XLSX, GeoJSON
    file = models.FileField("tệp", upload_to="opendata/", blank=True)
    size = models.PositiveBigIntegerField("kích thước (byte)", default=0)
    # [{"id": "station", "type": "text"}, …] as CKAN's datastore names them
    fields = models.JSONField("trường", default=list, blank=True)
    row_count = models.PositiveBigIntegerField("số dòng", default=0)
    geo = models.BooleanField("có tọa độ", default=False)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    refreshed_at = models.DateTimeField("làm mới lúc", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "tài nguyên"
        verbose_name_plural = "tài nguyên"
        ordering = ["dataset", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Row(models.Model):
    """One row of a tabular resource (CKAN's datastore): an uploaded file's, or a live table's last snapshot."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rows", verbose_name="tài nguyên")
    n = models.PositiveBigIntegerField("thứ tự")
    data = models.JSONField("dữ liệu")
    search = models.TextField("văn bản tìm kiếm", default="", blank=True)  # folded text of the values (datastore_search q)

    class Meta:
        verbose_name = "dòng dữ liệu"
        verbose_name_plural = "dòng dữ liệu"
        constraints = [models.UniqueConstraint(fields=["resource", "n"], name="opendata_row_order")]

    def __str__(self) -> str:
        return f"{self.resource_id}#{self.n}"


class ApiKey(models.Model):
    """A heavy user's key (header ``X-API-Key`` or ``Authorization``): its own daily quota instead of the
    per-address one. Only the SHA-256 of the key is kept."""

    name = models.CharField("tên", max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="người dùng", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    prefix = models.CharField("tiền tố", max_length=8, editable=False)
    digest = models.CharField("mã băm của khóa", max_length=64, unique=True, editable=False)
    daily_quota = models.PositiveIntegerField("hạn mức mỗi ngày", default=10_000)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyUsage(models.Model):
    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage", verbose_name="khóa API")
    day = models.DateField("ngày")
    count = models.PositiveIntegerField("số lượt", default=0)

    class Meta:
        verbose_name = "lượt dùng khóa API"
        verbose_name_plural = "lượt dùng khóa API"
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="opendata_key_day")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.count}"


class Sharing(models.TextChoices):
    OPEN = "open", "Mở (công khai)"
    SHARED = "shared", "Chia sẻ giữa các cơ quan"
    RESTRICTED = "restricted", "Hạn chế"


class DatabaseEntry(models.Model):
    """One database the city keeps (danh mục cơ sở dữ liệu, Decree 47/2020/NĐ-CP art. 5 and Decree
    47/2024/NĐ-CP): who owns it, on what legal basis, its fields, how widely it is shared, what exposes it."""

    slug = models.SlugField("mã (URL)", max_length=100, unique=True)
    name = models.CharField("tên cơ sở dữ liệu", max_length=300)
    description = models.TextField("mô tả", blank=True)
    owner = models.ForeignKey(Agency, verbose_name="cơ quan chủ quản", on_delete=models.PROTECT, related_name="+")
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    fields = models.JSONField("trường dữ liệu", default=list, blank=True)  # [{"name":…, "description":…}]
    sharing = models.CharField("mức chia sẻ", max_length=10, choices=Sharing.choices, default=Sharing.SHARED)
    services = models.JSONField("dịch vụ khai thác", default=list, blank=True)  # [{"name":…, "url":…}]
    datasets = models.ManyToManyField(Dataset, verbose_name="bộ dữ liệu mở", blank=True, related_name="databases")
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    class Meta:
        verbose_name = "cơ sở dữ liệu"
        verbose_name_plural = "danh mục cơ sở dữ liệu"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
