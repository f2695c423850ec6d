from __future__ import annotations

from django.contrib import admin

from smartcity.agencies.models import Agency, Membership, WorkingDayOverride

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "level", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "unit", "jurisdiction"]  # ~14,000 units: no select boxes
    inlines = [MembershipInline]
    list_select_related = ["parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "title", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__last_name", "agency__name"]
    raw_id_fields = ["user", "agency"]


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(admin.ModelAdmin):
    """Where the city enters its swapped working days and extra holidays; deadlines counted from then on use them
    (``agencies.services.working_calendar``)."""

    list_display = ["day", "weekday", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    search_fields = ["reason"]
    date_hierarchy = "day"

    @admin.display(description="thứ", ordering="day")
    def weekday(self, obj: WorkingDayOverride) -> str:
        return WEEKDAYS[obj.day.weekday()]
