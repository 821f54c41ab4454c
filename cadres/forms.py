"""The browser forms of the cadre help ledger: shape only; the rules are in cadres.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from cadres.models import AssignmentKind, Half, HelpList, IndicatorSource


class EntryForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    help_list = forms.ChoiceField(label=_("帮扶名单"), choices=HelpList.choices)
    is_key = forms.BooleanField(label=_("重点企业"), required=False)
    year_added = forms.IntegerField(label=_("列入年度"), min_value=2015, max_value=2100)


class ImportForm(forms.Form):
    sheet = forms.FileField(label=_("Excel 文件（.xlsx）"))


class AssignmentForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("帮扶干部"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("帮扶类型"), choices=AssignmentKind.choices)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        qs: QuerySet[User] = User.objects.filter(role=Role.CADRE, cadre_profile__isnull=False).select_related(
            "cadre_profile"
        )
        field = self.fields["cadre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = qs.order_by("username")
        field.label_from_instance = lambda u: f"{u.display_name}（{u.cadre_profile.get_level_display()}）"


def _area(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SurveyForm(forms.Form):
    technology = _area(_("技术创新需求"))
    high_tech = _area(_("高新技术企业培育需求"))
    talent = _area(_("人才需求"))
    business_model = _area(_("商业模式创新需求"))
    mergers = _area(_("兼并重组需求"))
    financing = _area(_("投融资需求"))
    bottlenecks = _area(_("发展瓶颈"))


class GoalForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"), min_value=2015, max_value=2100, required=False, help_text=_("留空表示五年目标。")
    )
    text = forms.CharField(label=_("目标"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RecordForm(forms.Form):
    helped_on = forms.DateField(label=_("帮扶日期"), widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.CharField(label=_("帮扶方式"), max_length=100, help_text=_("如走访、座谈、对接会。"))
    channel = forms.CharField(label=_("帮扶渠道"), max_length=100, help_text=_("如现场、电话、网络。"))
    measures = forms.CharField(label=_("帮扶措施"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    effect = forms.CharField(
        label=_("帮扶效果"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hours = forms.CharField(label=_("帮扶时长（小时）"), max_length=10)


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2015, max_value=2100)
    half = forms.ChoiceField(label=_("期间"), choices=Half.choices)


class DevelopmentForm(PeriodForm):
    revenue = forms.CharField(label=_("营业收入（万元）"), max_length=20)
    profit = forms.CharField(label=_("利润总额（万元）"), max_length=20)
    tax = forms.CharField(label=_("上缴税金（万元）"), max_length=20)
    rd_spending = forms.CharField(label=_("研发投入（万元）"), max_length=20)
    employees = forms.CharField(label=_("从业人员（人）"), max_length=10)
    patents = forms.CharField(label=_("有效专利（件）"), max_length=10)
    invention_patents = forms.CharField(label=_("发明专利（件）"), max_length=10)
    rd_staff = forms.CharField(label=_("研发人员（人）"), max_length=10)
    new_products = forms.CharField(label=_("新产品（项）"), max_length=10)
    high_tech_revenue = forms.CharField(label=_("高新技术产品收入（万元）"), max_length=20)


class LedgerSubmitForm(PeriodForm):
    summary = forms.CharField(
        label=_("半年帮扶小结"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("pass", _("审核通过")), ("return", _("退回修改"))]
    )
    note = forms.CharField(
        label=_("审核意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrainingForm(forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("主题"), max_length=200)
    speaker = forms.CharField(label=_("主讲人"), max_length=100)
    attendance = forms.IntegerField(label=_("参加人数"), min_value=1, max_value=100000)


class EvaluationForm(PeriodForm):
    cadre = forms.ModelChoiceField(label=_("帮扶干部"), queryset=User.objects.none())
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        help_text=_("5 分为最好。"),
    )
    text = forms.CharField(
        label=_("评价"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, cadres: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["cadre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cadres
        field.label_from_instance = lambda u: u.display_name


# --- The assessment of cadres -----------------------------------------------------------------------


class SheetCreateForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        min_value=2015,
        max_value=2100,
        help_text=_("复制上一年度的评分表；没有时使用《实施意见》的默认指标。"),
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=100, required=False)
    max_score = forms.CharField(label=_("满分"), max_length=5, required=False)
    source = forms.ChoiceField(
        label=_("来源"), choices=[("", "---------"), *IndicatorSource.choices], required=False
    )
    full_at = forms.CharField(
        label=_("满分标准（半年）"),
        max_length=10,
        required=False,
        help_text=_("帮扶次数、时长、案例：半年达到该数值得满分，年度考核加倍。"),
    )


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=3, max_num=30, absolute_max=60)


class AssessmentOpenForm(PeriodForm):
    cadre = forms.ModelChoiceField(label=_("帮扶干部"), queryset=User.objects.none())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["half"].label = _("考核期间")
        self.fields["half"].help_text = _("上半年为半年考核，全年为年度考核。")
        field = self.fields["cadre"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(role=Role.CADRE, cadre_assignments__isnull=False)
            .select_related("cadre_profile")
            .distinct()
            .order_by("username")
        )
        field.label_from_instance = lambda u: u.display_name


class AssessmentScoreForm(forms.Form):
    """One field per hand-scored indicator (``score_<indicator id>``), and the note."""

    note = forms.CharField(
        label=_("考核意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, indicators: list[Any], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for indicator in indicators:
            self.fields[f"score_{indicator.pk}"] = forms.CharField(
                label=f"{indicator.name}（0–{indicator.max_score}）",
                max_length=6,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.order_fields([*(f"score_{i.pk}" for i in indicators), "note"])


class FinaliseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("我已核对全部得分，定稿后不能修改"),
        error_messages={"required": _("请勾选确认后再定稿。")},
    )


class LedgerConfirmForm(forms.Form):
    """企业确认: confirm the half-year ledger, or return it to the cadre with a reason; the box is the confirmation."""

    decision = forms.ChoiceField(
        label=_("确认结果"), choices=[("pass", _("确认无误")), ("return", _("退回帮扶干部修改"))]
    )
    note = forms.CharField(
        label=_("意见"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checked = forms.BooleanField(
        label=_("我已核对本期帮扶台账的内容"),
        error_messages={"required": _("请先勾选“我已核对本期帮扶台账的内容”。")},
    )
