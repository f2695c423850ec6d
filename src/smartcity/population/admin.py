"""Back office of the registry. Staff see only residents of their jurisdiction; opening a record is audited."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from smartcity.agencies import services as agencies
from smartcity.audit import services as audit
from smartcity.audit.models import Action
from smartcity.population.models import Citizen, Household


def _scoped(request: HttpRequest, queryset):
    if request.user.is_superuser:
        return queryset
    return queryset.residing_in(list(agencies.scope_of(request.user).unit_ids))


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ["full_name", "masked_id_number", "date_of_birth", "sex", "permanent_unit"]
    list_filter = ["sex"]
    search_fields = ["=id_number", "full_name"]
    list_select_related = ["permanent_unit__parent"]
    raw_id_fields = ["permanent_unit", "temporary_unit", "household"]
    readonly_fields = ["id_warnings", "created_at", "updated_at"]
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    @admin.display(description="số định danh")
    def masked_id_number(self, obj: Citizen) -> str:
        return obj.masked_id_number

    def get_queryset(self, request: HttpRequest):
        return _scoped(request, super().get_queryset(request))

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """A page of the list shows names and dates of birth: each person on it is a read, and audited."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}) or {}
        shown = changelist.get("cl").result_list if changelist.get("cl") is not None else []
        actor = agencies.actor_for(request.user)
        for citizen in shown:
            audit.record(actor=actor, action=Action.READ, subject_type="population.citizen", subject_id=citizen.pk,
                         person_id=citizen.pk, purpose="Xem danh sách trong trang quản trị")
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit.record(actor=agencies.actor_for(request.user), action=Action.READ,
                         subject_type="population.citizen", subject_id=object_id, person_id=int(object_id),
                         purpose="Xem hồ sơ trong trang quản trị")
        return response

    def save_model(self, request: HttpRequest, obj: Citizen, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(actor=agencies.actor_for(request.user), action=Action.UPDATE if change else Action.CREATE,
                     subject_type="population.citizen", subject_id=obj.pk, person_id=obj.pk,
                     detail={"fields": sorted(form.changed_data)})


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["code", "head", "unit"]
    search_fields = ["=code"]
    raw_id_fields = ["unit", "head"]
    list_select_related = ["head", "unit"]

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(unit_id__in=agencies.scope_of(request.user).unit_ids)
