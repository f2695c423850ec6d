"""Back office for accounts, and the rule that the back office needs the staff second factor.

``/admin/`` is reached only through the staff sign-in (password + TOTP): the admin's own login page sends people
there, and ``has_permission`` asks for the session flag that only a completed TOTP step sets. Installed here, when
the admin autodiscovers this module, so no other file has to know.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartcity.identity import services
from smartcity.identity.models import IdpAccount, User


def _admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(next_url, reverse("identity:login"))


def protect_admin_site(site: admin.AdminSite) -> None:
    """Send the site's sign-in to the staff sign-in and require the second factor on every admin page."""
    if getattr(site, "_second_factor_required", False):
        return
    default_has_permission = site.has_permission

    def has_permission(request: HttpRequest) -> bool:
        return bool(default_has_permission(request)) and request.session.get(
            services.SECOND_FACTOR_SESSION_KEY) is True

    site.login = _admin_login  # type: ignore[method-assign]
    site.has_permission = has_permission  # type: ignore[method-assign]
    site._second_factor_required = True  # type: ignore[attr-defined]


protect_admin_site(admin.site)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts. The TOTP secret is never shown; its reset and the unlocking go through services (audited)."""

    list_display = ["username", "get_full_name", "kind", "is_staff", "totp_confirmed", "locked_until", "is_active"]
    list_filter = ["kind", "is_staff", "is_active", "totp_confirmed"]
    search_fields = ["username", "first_name", "last_name", "email"]
    readonly_fields = ["person", "oidc_issuer", "oidc_subject", "totp_confirmed", "failed_logins", "locked_until",
                       "last_login", "date_joined"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (gettext_lazy("Định danh"), {"fields": ["kind", "person", "oidc_issuer", "oidc_subject"]}),
        (gettext_lazy("Xác thực hai lớp và khóa tài khoản"), {"fields": ["totp_confirmed", "failed_logins", "locked_until"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "kind", "usable_password", "password1", "password2"]}),
    ]
    actions = ["reset_totp", "unlock"]

    @admin.action(description=gettext_lazy("Đặt lại xác thực hai lớp (TOTP) — lần đăng nhập sau sẽ kích hoạt lại"))
    def reset_totp(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.filter(kind=User.Kind.STAFF):
            services.reset_staff_totp(actor=request.user, user=user)  # type: ignore[arg-type]
        messages.success(request, _("Đã đặt lại xác thực hai lớp."))

    @admin.action(description=gettext_lazy("Mở khóa tài khoản"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.unlock_staff(actor=request.user, user=user)  # type: ignore[arg-type]
        messages.success(request, _("Đã mở khóa tài khoản."))


@admin.register(IdpAccount)
class IdpAccountAdmin(admin.ModelAdmin):
    """Read-only: identities at the development provider are made by ``services.set_idp_password``."""

    list_display = ["citizen", "subject", "created_at"]
    search_fields = ["citizen__full_name", "subject"]
    fields = ["citizen", "subject", "created_at"]
    readonly_fields = ["citizen", "subject", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# The demo identity provider's OpenID Connect clients and tokens (django-oauth-toolkit) in Vietnamese: the package
# derives its model names from the class names, which no translation catalogue reaches, so the back office is told
# them here, for its index and its page titles. The fields' names come from locale/vi (they are translatable there).
THIRD_PARTY_APPS = {"oauth2_provider": gettext_lazy("Nhà cung cấp định danh thử nghiệm (OpenID Connect)")}
THIRD_PARTY_MODELS = {
    "oauth2_provider.application": gettext_lazy("ứng dụng kết nối"),
    "oauth2_provider.accesstoken": gettext_lazy("mã truy cập"),
    "oauth2_provider.refreshtoken": gettext_lazy("mã làm mới"),
    "oauth2_provider.grant": gettext_lazy("mã cấp quyền"),
    "oauth2_provider.idtoken": gettext_lazy("mã định danh (ID token)"),
}


def name_third_party_models(site: admin.AdminSite) -> None:
    """Give the third-party apps and models above their Vietnamese names on ``site`` (index, sidebar, titles)."""
    from django.apps import apps
    from django.utils.text import capfirst

    for label, name in THIRD_PARTY_APPS.items():
        if apps.is_installed(label):
            apps.get_app_config(label).verbose_name = name  # not a model option: no migration follows from it
    default_build = site._build_app_dict

    def build_app_dict(request: HttpRequest, label: str | None = None) -> dict[str, Any]:
        app_dict = default_build(request, label)
        apps_ = [app_dict] if label and app_dict else app_dict.values() if not label else []
        for app in apps_:
            for model in app.get("models", []):
                name = THIRD_PARTY_MODELS.get(model["model"]._meta.label_lower)
                if name is not None:
                    model["name"] = capfirst(name)
        return app_dict

    site._build_app_dict = build_app_dict  # type: ignore[method-assign]
    for model, model_admin in list(site._registry.items()):
        name = THIRD_PARTY_MODELS.get(model._meta.label_lower)
        if name is not None:
            _titled(model_admin, name)


def _titled(model_admin: admin.ModelAdmin, name: Any) -> None:
    """The list and form pages of ``model_admin`` titled with ``name`` instead of the model's English name."""
    changelist_view, changeform_view = model_admin.changelist_view, model_admin.changeform_view

    def titled_changelist(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return changelist_view(request, {"title": _("Select %s to view") % name, **(extra_context or {})})

    def titled_changeform(request: HttpRequest, object_id: str | None = None, form_url: str = "",
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        title = (_("Add %s") if object_id is None else _("Change %s")) % name
        return changeform_view(request, object_id, form_url, {"title": title, **(extra_context or {})})

    model_admin.changelist_view = titled_changelist  # type: ignore[method-assign]
    model_admin.changeform_view = titled_changeform  # type: ignore[method-assign]


name_third_party_models(admin.site)
