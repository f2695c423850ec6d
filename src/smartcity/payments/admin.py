"""Back office: read-only views of payments, their attempts and reconciliation runs, for superusers. Every change
goes through ``services`` (the state machine and its audit entries), never through a form here."""

from __future__ import annotations

from django.contrib import admin

from smartcity.payments.models import Attempt, Payment, Reconciliation


class _ReadOnly(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = ["txn_ref", "created_at", "expires_at", "state", "response_code", "transaction_no", "confirmed_via"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ["code", "reference", "stage", "amount", "state", "agency", "created_at", "paid_at"]
    list_filter = ["state", "stage"]
    search_fields = ["=code", "=reference", "=transaction_no"]
    list_select_related = ["agency"]
    inlines = [AttemptInline]


@admin.register(Reconciliation)
class ReconciliationAdmin(_ReadOnly):
    list_display = ["day", "ran_at", "source", "platform_count", "gateway_count", "matched"]
