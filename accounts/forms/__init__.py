from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.services import EnterpriseData
from districts.models import District


class EnterpriseRegistrationForm(forms.Form):
    """Shape only; the rules (USCC check character, duplicates, dates) live in accounts.services."""

    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_ 符号。")},
    )
    email = forms.EmailField(label=_("电子邮箱"))
    password1 = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("确认密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    name = forms.CharField(label=_("企业名称"), max_length=200)
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        min_length=18,
        max_length=18,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("18 位，见营业执照。"),
    )
    district = forms.ModelChoiceField(
        label=_("所在区"),
        queryset=District.objects.all(),
        to_field_name="code",
        empty_label=_("请选择"),
        error_messages={"invalid_choice": _("请选择天津市的区。")},
    )
    registered_on = forms.DateField(label=_("注册日期"), widget=forms.DateInput(attrs={"type": "date"}))
    address = forms.CharField(label=_("注册地址"), max_length=200)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_phone = forms.RegexField(
        label=_("联系电话"),
        max_length=20,
        regex=r"^[0-9+\- ]{7,20}$",
        error_messages={"invalid": _("请输入有效的电话号码。")},
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def enterprise_data(self) -> EnterpriseData:
        d = self.cleaned_data
        return EnterpriseData(
            name=d["name"],
            uscc=d["uscc"],
            district_code=d["district"].code,
            registered_on=d["registered_on"],
            address=d["address"],
            contact_name=d["contact_name"],
            contact_phone=d["contact_phone"],
        )

    # Service error keys → form fields.
    FIELD_FOR_KEY = {
        "username": "username",
        "email": "email",
        "password": "password1",
        "enterprise.name": "name",
        "enterprise.uscc": "uscc",
        "enterprise.district": "district",
        "enterprise.registered_on": "registered_on",
    }
