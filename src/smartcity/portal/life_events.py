"""The home page's way in: life events ("Sinh con", "Kết hôn"…), each a filter of the procedure catalogue.

A life event is a search the catalogue already understands (a field of administration, or words of the name), so
its link opens the catalogue filtered to its procedures and the city's catalogue decides what is in it. An event
whose search finds no published procedure is not shown."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from smartcity.procedures import services as procedures


@dataclass(frozen=True)
class LifeEvent:
    slug: str
    title: str
    hint: str
    field: str = ""  # a field of administration (lĩnh vực), by name
    q: str = ""  # words of the procedures' names

    def url(self) -> str:
        query = {k: v for k, v in (("field", self.field), ("q", self.q)) if v}
        return f"{reverse('procedures:catalogue')}?{urlencode(query)}"

    def count(self) -> int:
        return procedures.search(q=self.q, field=self.field or None).count()


LIFE_EVENTS: tuple[LifeEvent, ...] = (
    LifeEvent("sinh-con", _("Sinh con"), _("Khai sinh, bản sao giấy khai sinh"), q="khai sinh"),
    LifeEvent("ket-hon", _("Kết hôn"), _("Đăng ký kết hôn"), q="kết hôn"),
    LifeEvent("hon-nhan", _("Giấy tờ hôn nhân"), _("Xác nhận tình trạng hôn nhân"), q="tình trạng hôn nhân"),
    LifeEvent("cu-tru", _("Cư trú"), _("Thường trú, tạm trú, xác nhận cư trú"), field="Đăng ký, quản lý cư trú"),
    LifeEvent("dat-dai", _("Đất đai, nhà ở"), _("Giấy chứng nhận, đăng ký biến động"), field="Đất đai"),
    LifeEvent("xay-nha", _("Xây nhà"), _("Giấy phép xây dựng"), field="Hoạt động xây dựng"),
    LifeEvent("kinh-doanh", _("Kinh doanh"), _("Thành lập, thay đổi hộ kinh doanh"),
              field="Thành lập và hoạt động của hộ kinh doanh"),
    LifeEvent("chung-thuc", _("Chứng thực giấy tờ"), _("Bản sao, chữ ký, hợp đồng"), field="Chứng thực"),
    LifeEvent("di-hoc", _("Đi học"), _("Tuyển sinh, chuyển trường"), field="Giáo dục trung học"),
    LifeEvent("lai-xe", _("Lái xe"), _("Đổi giấy phép lái xe"), field="Đường bộ (giấy phép lái xe)"),
    LifeEvent("tro-cap", _("Trợ cấp xã hội"), _("Trợ cấp hằng tháng, mai táng phí"), field="Bảo trợ xã hội"),
    LifeEvent("nguoi-than-mat", _("Khi người thân mất"), _("Khai tử"), q="khai tử"),
    LifeEvent("ly-lich", _("Lý lịch tư pháp"), _("Phiếu lý lịch tư pháp"), field="Lý lịch tư pháp"),
)

CACHE_KEY = "portal:life-events:v1"


def life_events() -> list[tuple[LifeEvent, int]]:
    """The life events that lead to at least one published procedure, with how many (cached a few minutes)."""
    counts: dict[str, int] | None = cache.get(CACHE_KEY)
    if counts is None:
        counts = {event.slug: event.count() for event in LIFE_EVENTS}
        cache.set(CACHE_KEY, counts, settings.STATISTICS_CACHE_SECONDS)
    return [(event, counts.get(event.slug, 0)) for event in LIFE_EVENTS if counts.get(event.slug)]
