"""Sign-in forms: the staff password and TOTP code, and the development provider's ID number + password."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Mật khẩu"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(forms.Form):
    code = forms.RegexField(
        label=_("Mã xác thực (6 chữ số)"), regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Mã xác thực gồm 6 chữ số.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "pattern": r"[0-9 ]{6,7}", "maxlength": 7}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").strip()


class IdpLoginForm(forms.Form):
    id_number = forms.RegexField(
        label=_("Số định danh cá nhân"), regex=r"^\s*\d{12}\s*$",
        error_messages={"invalid": _("Số định danh cá nhân gồm đúng 12 chữ số.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric", "autofocus": True,
                                      "maxlength": 12}),
    )
    password = forms.CharField(label=_("Mật khẩu"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
