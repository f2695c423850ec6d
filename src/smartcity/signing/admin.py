"""Back office: certificates, read-only; revocation goes through ``services.revoke_certificate`` (audited)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from smartcity.lib.errors import ServiceError
from smartcity.signing import services
from smartcity.signing.models import Certificate, RevocationReason


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "agency", "user", "serial", "not_after", "key_backend", "revoked_at"]
    list_filter = ["kind", "key_backend", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "serial", "fingerprint", "agency__code", "user__username"]
    list_select_related = ["agency", "user"]
    readonly_fields = [f.name for f in Certificate._meta.fields]
    actions = ["revoke_key_compromise", "revoke_affiliation_changed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # certificates come from `smartcity signing issue / import-pkcs12 / import-pkcs11`

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a signature made with it must stay verifiable: revoke instead

    def _revoke(self, request: HttpRequest, queryset, reason: str) -> None:
        done = 0
        for cert in queryset:
            try:
                services.revoke_certificate(actor=request.user, certificate=cert, reason=reason)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{cert.serial}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, f"Đã thu hồi {done} chứng thư số", messages.SUCCESS)

    @admin.action(description="Thu hồi — lộ khóa bí mật")
    def revoke_key_compromise(self, request: HttpRequest, queryset) -> None:
        self._revoke(request, queryset, RevocationReason.KEY_COMPROMISE)

    @admin.action(description="Thu hồi — thay đổi cơ quan, chức vụ")
    def revoke_affiliation_changed(self, request: HttpRequest, queryset) -> None:
        self._revoke(request, queryset, RevocationReason.AFFILIATION_CHANGED)
