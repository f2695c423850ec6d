"""Back office for accounts, and the rule that the back office needs the staff second factor.

``/admin/`` is reached only through the staff sign-in (password + TOTP): the admin's own login page sends people
there, and ``has_permission`` asks for the session flag that only a completed TOTP step sets. Installed here, when
the admin autodiscovers this module, so no other file has to know.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.db.models import ManyToManyField, QuerySet
from django.forms import ModelMultipleChoiceField
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


# Django stores a permission's name in English when the table is migrated ("Can add dossier"); the back office names
# the four standard ones from their codename and the model's Vietnamese name instead, at display time.
PERMISSION_ACTIONS = {"add": gettext_lazy("Được thêm"), "change": gettext_lazy("Được sửa"),
                      "delete": gettext_lazy("Được xóa"), "view": gettext_lazy("Được xem")}


def permission_label(permission: Permission) -> str:
    """``app | model | action`` in Vietnamese; a custom permission keeps the name its app gave it."""
    content_type = permission.content_type
    action, _sep, model_name = permission.codename.partition("_")
    model = content_type.model_class()
    name: Any = permission.name
    if action in PERMISSION_ACTIONS and model is not None and model_name == model._meta.model_name:
        name = f"{PERMISSION_ACTIONS[action]} {model._meta.verbose_name}"
    return f"{content_type} | {name}"


class VietnamesePermissions:
    """Mixin for the user and group admins: the permission selector lists the permissions in Vietnamese."""

    def formfield_for_manytomany(self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if isinstance(field, ModelMultipleChoiceField) and field.queryset.model is Permission:
            field.label_from_instance = permission_label  # type: ignore[method-assign]
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(VietnamesePermissions, DjangoGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(VietnamesePermissions, DjangoUserAdmin):
    """Accounts. The TOTP secret is never shown; its reset and the unlocking go through services (audited)."""

    list_display = ["username", "full_name", "kind", "is_staff", "totp_confirmed", "locked_until", "is_active"]
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

    @admin.display(description=gettext_lazy("họ và tên"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

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


# The third-party apps' models in Vietnamese: django-oauth-toolkit (the demo identity provider's OpenID Connect
# clients and tokens) and Django's own sessions derive their model names from the class names, which no translation
# catalogue reaches. They are set on the models' options here, at run time: the migration state reads only the
# options written in a model's Meta (``_meta.original_attrs``), so no migration follows in those apps, and every
# admin page (index, titles, breadcrumbs, the "Add …" button, the row count, the permission lists) shows these.
# The fields' names come from locale/vi (they are translatable there).
THIRD_PARTY_APPS = {"oauth2_provider": gettext_lazy("Nhà cung cấp định danh thử nghiệm (OpenID Connect)")}
THIRD_PARTY_MODELS = {
    "oauth2_provider.application": gettext_lazy("ứng dụng kết nối"),
    "oauth2_provider.accesstoken": gettext_lazy("mã truy cập"),
    "oauth2_provider.refreshtoken": gettext_lazy("mã làm mới"),
    "oauth2_provider.grant": gettext_lazy("mã cấp quyền"),
    "oauth2_provider.idtoken": gettext_lazy("mã định danh (ID token)"),
    "oauth2_provider.devicegrant": gettext_lazy("mã cấp quyền cho thiết bị"),
    "django_celery_results.chordcounter": gettext_lazy("bộ đếm nhóm tác vụ (chord)"),
    "sessions.session": gettext_lazy("phiên đăng nhập"),
}


def name_third_party_models() -> None:
    """Give the third-party apps and models above their Vietnamese names (singular and plural alike)."""
    from django.apps import apps

    for label, name in THIRD_PARTY_APPS.items():
        if apps.is_installed(label):
            apps.get_app_config(label).verbose_name = name  # not a model option: no migration follows from it
    for label, name in THIRD_PARTY_MODELS.items():
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed here
            continue
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = name


name_third_party_models()
