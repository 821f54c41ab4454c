"""Forms of the two-factor pages: they check the shape of a code; accounts.two_factor checks the code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuthenticatorCodeForm(forms.Form):
    """The 6-digit code the authenticator app shows (enrolment needs the app, not a recovery code)."""

    token = forms.RegexField(
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=16,
        label=_("6 位动态验证码"),
        error_messages={"invalid": _("请输入验证器应用中显示的 6 位数字。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}),
    )


class SecondFactorForm(forms.Form):
    """A current code from the app or one of the recovery codes."""

    token = forms.CharField(
        label=_("动态验证码或恢复码"),
        max_length=32,
        help_text=_("输入验证器应用中显示的 6 位数字；手机不在身边时，可输入一个尚未使用的恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 12}),
    )
