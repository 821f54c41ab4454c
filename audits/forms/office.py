"""Forms of the office's, the districts' and the public's pages for targets, reports, checks and history.

Shape only: the services in :mod:`audits.services.office` decide what is valid for the domain.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import CheckKind, CheckStatus, ReportStatus
from core.real_name import RealNameForm, TrackingNumberForm
from districts.models import District

YEAR_MIN, YEAR_MAX = 2015, 2100


def year_from(value: Any, default: int | None = None) -> int:
    """A year from a query parameter, or this year (Beijing) when missing or out of range."""
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return default or timezone.localdate().year
    return year if YEAR_MIN <= year <= YEAR_MAX else (default or timezone.localdate().year)


def _district_choices() -> list[tuple[str, str]]:
    return [("", _("— 请选择 —"))] + [
        (d.code, f"{d.code} {d.name}") for d in District.objects.order_by("code")
    ]


class ReportForm(RealNameForm):
    """The public report (举报). The honeypot ``website`` is rendered by the template, not a field."""

    field_order = ["target", "name", "phone", "reason", "evidence"]

    target = forms.CharField(
        label=_("被举报企业的证书编号或统一社会信用代码"),
        max_length=30,
        error_messages={"required": _("请填写被举报企业的证书编号或统一社会信用代码。")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
        help_text=_("可在“证书查验”中查到企业的证书编号。"),
    )
    reason = forms.CharField(
        label=_("举报事项"),
        max_length=5000,
        error_messages={"required": _("请写明举报事项。")},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "写明举报的事实（10 至 5000 字），例如申报材料弄虚作假、发生重大安全或质量事故、严重环境违法行为等。"
        ),
    )


class TrackForm(TrackingNumberForm):
    required_message = _("请填写提交举报时得到的查询编号。")
    placeholder = "JB…"


class ReportResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("核查结论"),
        choices=[(ReportStatus.UPHELD, _("举报属实")), (ReportStatus.DISMISSED, _("举报不属实"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择举报是否属实。")},
    )
    finding = forms.CharField(
        label=_("核查情况说明"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("请填写核查情况说明。")},
    )
    revoke = forms.BooleanField(
        label=_("据此撤销该企业的高新技术企业证书"),
        required=False,
        help_text=_("仅在举报属实、且属于申报弄虚作假、重大安全或质量事故、严重环境违法等撤销情形时勾选。"),
    )
    confirm = forms.BooleanField(
        label=_("已核查，确认提交。提交后不能修改。"),
        error_messages={"required": _("请勾选确认后再提交核查结论。")},
    )


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("检查类型"), choices=CheckKind.choices)
    district = forms.ChoiceField(label=_("区"))
    certificate = forms.CharField(
        label=_("证书编号（企业抽查时填写）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "mono"}),
    )
    subject = forms.CharField(label=_("检查事项"), max_length=200)
    scheduled_on = forms.DateField(label=_("计划检查日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = _district_choices()


class RandomSpotCheckForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    count = forms.IntegerField(label=_("抽查企业数"), min_value=1, max_value=500)
    seed = forms.CharField(
        label=_("随机种子（可选）"),
        max_length=64,
        required=False,
        help_text=_("留空则由系统生成；种子和可抽取名单随抽取结果保存，可复核。"),
    )
    scheduled_on = forms.DateField(label=_("计划检查日期"), widget=forms.DateInput(attrs={"type": "date"}))


class CheckResultForm(forms.Form):
    result = forms.CharField(
        label=_("检查结果"), max_length=200, help_text=_("如：合格；责令整改；建议撤销认定。")
    )
    findings = forms.CharField(
        label=_("发现的问题及处理意见"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CheckFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False)
    kind = forms.ChoiceField(label=_("检查类型"), required=False)
    district = forms.ChoiceField(label=_("区"), required=False)

    def __init__(self, *args: Any, with_district: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("全部"))
        self.fields["status"].choices = [everything, *CheckStatus.choices]
        self.fields["kind"].choices = [everything, *CheckKind.choices]
        if with_district:
            self.fields["district"].choices = [everything] + _district_choices()[1:]
        else:
            del self.fields["district"]


class HistorySearchForm(forms.Form):
    person = forms.CharField(label=_("操作人（用户名或姓名）"), max_length=50, required=False)
    enterprise = forms.CharField(label=_("企业名称或统一社会信用代码"), max_length=100, required=False)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return data
