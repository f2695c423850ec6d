from django.contrib import admin

from smartcity.interop.models import (
    CallLog,
    ClientSystem,
    Consent,
    DataService,
    DossierSync,
    EdocEvent,
    EdocMessage,
    Grant,
    Outbox,
)


class GrantInline(admin.TabularInline):
    model = Grant
    extra = 0


@admin.register(ClientSystem)
class ClientSystemAdmin(admin.ModelAdmin):
    list_display = ["client_id", "name", "agency_name", "auth_method", "is_active"]
    search_fields = ["client_id", "name", "agency_name"]
    exclude = ["secret_hash"]  # secrets are made by `smartcity interop client` and shown once
    inlines = [GrantInline]


@admin.register(DataService)
class DataServiceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "needs_consent", "is_active"]


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = ["at", "client", "service", "purpose", "person_id", "request_id", "outcome"]
    list_filter = ["outcome", "service"]
    search_fields = ["request_id"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["citizen", "service", "given_at", "withdrawn_at"]
    readonly_fields = ["citizen", "service", "given_at", "withdrawn_at"]


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "kind", "state", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["state", "kind"]
    search_fields = ["dossier_code", "idempotency_key"]


@admin.register(DossierSync)
class DossierSyncAdmin(admin.ModelAdmin):
    list_display = ["dossier_code", "state", "synced_at", "last_error"]
    list_filter = ["state"]
    search_fields = ["dossier_code"]


class EdocEventInline(admin.TabularInline):
    model = EdocEvent
    extra = 0
    readonly_fields = ["status", "at", "note"]


@admin.register(EdocMessage)
class EdocMessageAdmin(admin.ModelAdmin):
    list_display = ["notation", "direction", "agency", "from_code", "to_code", "status", "updated_at"]
    list_filter = ["direction", "status"]
    search_fields = ["notation", "subject", "document_id"]
    exclude = ["package"]
    inlines = [EdocEventInline]
