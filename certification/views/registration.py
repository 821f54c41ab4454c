"""The registration page of a new enterprise (``accounts:register``, wired in config/urls.py so that
accounts imports no domain app): its form, kept beside its only view, and the view."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from certification.registration import (
    EnterpriseData,
    RegistrationError,
    district_model,
    enterprise_register,
    field_problems,
)
from config.throttling import REGISTRATION_SCOPE, RegistrationRateThrottle, address_allowed


class EnterpriseRegistrationForm(forms.Form):
    """Shape only; the rules (USCC check character, duplicates, dates) live in certification.registration."""

    username = forms.RegexField(
        label=gettext_lazy("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": gettext_lazy("用户名只能包含字母、数字和 @/./+/-/_ 符号。")},
    )
    email = forms.EmailField(label=gettext_lazy("电子邮箱"))
    password1 = forms.CharField(
        label=gettext_lazy("密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
        strip=False,
    )
    password2 = forms.CharField(
        label=gettext_lazy("确认密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    name = forms.CharField(label=gettext_lazy("企业名称"), max_length=200)
    uscc = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        max_length=18,  # a short code gets the rules' own message (how many characters it has)
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        help_text=gettext_lazy("18 位，见营业执照。"),
    )
    district = forms.ModelChoiceField(
        label=gettext_lazy("所在区"),
        queryset=district_model().objects.all(),
        to_field_name="code",
        empty_label=gettext_lazy("请选择"),
        error_messages={"invalid_choice": gettext_lazy("请选择天津市的区。")},
    )
    registered_on = forms.DateField(
        label=gettext_lazy("注册日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=gettext_lazy("注册地址"), max_length=200)
    contact_name = forms.CharField(label=gettext_lazy("联系人"), max_length=50)
    contact_phone = forms.RegexField(
        label=gettext_lazy("联系电话"),
        max_length=20,
        regex=r"^[0-9+\- ]{7,20}$",
        error_messages={"invalid": gettext_lazy("请输入有效的电话号码。")},
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", gettext_lazy("两次输入的密码不一致。"))
        # The registration rules on every value that could be read, whatever else is wrong: all the
        # problems come back at once (the service checks them all again when it registers).
        district = data.get("district")
        problems = field_problems(
            username=data.get("username"),
            password=data.get("password1"),
            email=data.get("email"),
            name=data.get("name"),
            uscc=data.get("uscc"),
            district_code=district.code if district is not None else None,
            registered_on=data.get("registered_on"),
        )
        for key, found in problems.items():
            for message in found:
                self.add_error(self.FIELD_FOR_KEY[key], message)
        return self.cleaned_data

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


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = EnterpriseRegistrationForm(request.POST or None)
    if request.method == "POST" and not address_allowed(
        request, RegistrationRateThrottle, REGISTRATION_SCOPE
    ):
        form.add_error(None, _("来自您所在网络地址的注册过于频繁，请稍后再试。"))
        return render(request, "accounts/register.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            user = enterprise_register(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                email=form.cleaned_data["email"],
                enterprise=form.enterprise_data(),
            )
        except RegistrationError as exc:
            for key, problems in exc.errors.items():
                for problem in problems:
                    form.add_error(form.FIELD_FOR_KEY.get(key), problem)
        else:
            login(request, user, backend="accounts.backends.PortalBackend")
            messages.success(request, _("注册成功，欢迎使用天津市高新技术企业认定系统。"))
            return redirect("home")
    return render(request, "accounts/register.html", {"form": form})
