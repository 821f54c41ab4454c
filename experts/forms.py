"""Browser forms of the expert pool. They check shape; the rules live in `experts.services.pool`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from certification.applications.selectors import fields_in_force
from experts.importing import MAX_BYTES
from experts.models import Expert, ExpertKind
from experts.services.pool import MAX_YEARLY_CAP, ExpertData, clean_expert_data, expert_as_data

# Form field name → `ExpertData` key, where they differ (a form cannot have a field called `fields`).
FORM_TO_DATA = {"field_codes": "fields", "relation_usccs": "relations"}
DATA_TO_FORM = {v: k for k, v in FORM_TO_DATA.items()}


def field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue in force grouped by top-level field; choosing a top-level field covers its children."""
    groups: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    for f in fields_in_force():
        top = f.parent.code if f.parent_id else f.code
        if f.parent_id is None:
            names[f.code] = f.label
            groups.setdefault(f.code, []).insert(0, (f.code, f"{f.code} {f.label}（{_('全部子领域')}）"))
        else:
            groups.setdefault(top, []).append((f.code, f"{f.code} {f.label}"))
    return [(f"{code} {names.get(code, '')}", options) for code, options in groups.items()]


class ExpertForm(forms.Form):
    """Create or edit an expert (the office). Relations are one USCC per line."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        required=False,
        help_text=_("可不填，系统自动生成。专家用“忘记密码”设置登录密码（需填写电子邮箱）。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=ExpertKind.choices)
    title = forms.CharField(label=_("高级职称"), max_length=50)
    field_codes = forms.MultipleChoiceField(
        label=_("专业领域"),
        required=False,
        help_text=_(
            "技术专家至少选一项（按住 Ctrl 可多选）；选一级领域即覆盖其全部子领域。财务专家适用于所有领域，不选。"
        ),
        widget=forms.SelectMultiple(attrs={"size": 14}),
    )
    employer = forms.CharField(label=_("工作单位"), max_length=200)
    employer_uscc = forms.CharField(label=_("工作单位统一社会信用代码"), max_length=18)
    relation_usccs = forms.CharField(
        label=_("回避企业统一社会信用代码"),
        required=False,
        max_length=2000,  # one code (18) a line: about a hundred
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
        help_text=_("每行一个。专家不会被抽取评审这些企业的申请。"),
    )
    yearly_cap = forms.IntegerField(
        label=_("年度评审上限"), min_value=1, max_value=MAX_YEARLY_CAP, initial=20
    )
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)

    def __init__(self, *args: Any, instance: Expert | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            data = expert_as_data(instance)
            kwargs["initial"] = {
                **{DATA_TO_FORM.get(k, k): v for k, v in data.items()},
                "relation_usccs": "\n".join(data["relations"]),
            }
        super().__init__(*args, **kwargs)
        self.fields["field_codes"].choices = field_choices()
        if instance is not None:
            # The username is the expert's sign-in name: fixed once the account exists.
            self.fields["username"].disabled = True
            self.fields["username"].help_text = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        _clean, problems = clean_expert_data(self.expert_data(), field_codes=self._codes())
        for key, messages in problems.items():
            target = DATA_TO_FORM.get(key, key)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
        return cleaned

    def _codes(self) -> list[str]:
        return [code for _group, options in self.fields["field_codes"].choices for code, _label in options]

    def expert_data(self) -> ExpertData:
        c = self.cleaned_data
        data: ExpertData = {
            "name": c["name"],
            "kind": c["kind"],
            "title": c["title"],
            "fields": list(c.get("field_codes") or []),
            "employer": c["employer"],
            "employer_uscc": c["employer_uscc"],
            "relations": [
                line.strip() for line in (c.get("relation_usccs") or "").splitlines() if line.strip()
            ],
            "yearly_cap": c["yearly_cap"],
            "email": c.get("email") or "",
            "phone": c.get("phone") or "",
        }
        if self.instance is None and c.get("username"):
            data["username"] = c["username"]
        return data


class ToggleActiveForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=90,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("停用时必填，记入变更历史。"),
    )

    def __init__(self, *args: Any, deactivating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deactivating = deactivating
        self.fields["reason"].required = deactivating


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("专家信息表（.xlsx）"),
        help_text=_("第 1 行为表头，其后每行一位专家；最多 5,000 行，5 MB 以内。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("文件超过 5 MB，请分批导入。"))
        return upload


class ExpertFilterForm(forms.Form):
    """The list's (and the export's and the API's) filters; every field optional."""

    q = forms.CharField(label=_("姓名、工作单位或信用代码"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("类别"), required=False)
    field = forms.ChoiceField(label=_("专业领域"), required=False)
    active = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("全部"))
        self.fields["kind"].choices = [everything, *ExpertKind.choices]
        self.fields["field"].choices = [
            everything,
            *((f.code, f"{f.code} {f.label}") for f in fields_in_force() if f.parent_id is None),
        ]
        self.fields["active"].choices = [everything, ("1", _("在库")), ("0", _("已停用"))]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `experts.services.pool.filter_experts` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        c = self.cleaned_data
        active = {"1": True, "0": False}.get(c.get("active") or "")
        return {
            "query": c.get("q") or "",
            "kind": c.get("kind") or "",
            "field_code": c.get("field") or "",
            "active": active,
        }


class RelationForm(forms.Form):
    uscc = forms.CharField(label=_("企业统一社会信用代码"), max_length=18)
    enterprise_name = forms.CharField(label=_("企业名称"), max_length=200, required=False)
    note = forms.CharField(
        label=_("关系说明"),
        max_length=200,
        required=False,
        help_text=_("如：曾任该企业技术顾问；亲属在该企业任职。"),
    )


class PledgeForm(forms.Form):
    agree = forms.BooleanField(
        label=_("我已阅读并承诺"),
        error_messages={"required": _("请先勾选“我已阅读并承诺”。")},
    )
