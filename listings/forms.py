from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from listings.models import ActivityKind, Institution, InstitutionKind, Stage
from listings.services import ENTRY_STAGES

ENTRY_STAGE_CHOICES = [(s.value, s.label) for s in ENTRY_STAGES]
EVENT_STAGE_CHOICES = [(s.value, s.label) for s in Stage if s != Stage.RESERVE]


class EntryAddForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, help_text=_("已在本系统注册的企业。"))
    stage = forms.ChoiceField(label=_("列入时的阶段"), choices=ENTRY_STAGE_CHOICES)
    note = forms.CharField(
        label=_("备注"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EventForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("达到的阶段"), choices=EVENT_STAGE_CHOICES)
    happened_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    market = forms.CharField(label=_("上市板块/挂牌市场"), max_length=50, required=False)
    reference = forms.CharField(
        label=_("证明材料说明"), max_length=300, required=False, help_text=_("如公告编号、工商变更文号。")
    )
    evidence = forms.FileField(label=_("证明材料（PDF）"), required=False)


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=200)
    kind = forms.ChoiceField(label=_("机构类别"), choices=InstitutionKind.choices)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2016, max_value=2100)
    district = forms.CharField(label=_("区（空为全市）"), max_length=6, required=False)
    reformed = forms.IntegerField(label=_("股改目标"), min_value=0, max_value=100000)
    listed = forms.IntegerField(label=_("上市挂牌目标"), min_value=0, max_value=100000)
    merged_domestic = forms.IntegerField(label=_("国内并购目标"), min_value=0, max_value=100000)
    merged_foreign = forms.IntegerField(label=_("国外并购目标"), min_value=0, max_value=100000)


class PeriodTargetForm(forms.Form):
    start_year = forms.IntegerField(label=_("起始年度"), min_value=2016, max_value=2100)
    end_year = forms.IntegerField(label=_("截止年度"), min_value=2016, max_value=2110)
    reformed = forms.IntegerField(label=_("股改目标"), min_value=0, max_value=100000)
    listed = forms.IntegerField(label=_("上市挂牌目标"), min_value=0, max_value=100000)
    merged_domestic = forms.IntegerField(label=_("国内并购目标"), min_value=0, max_value=100000)
    merged_foreign = forms.IntegerField(label=_("国外并购目标"), min_value=0, max_value=100000)


class AssessmentForm(forms.Form):
    """半年考核: a year and its first or second half (a bad value is a form error, never a 500)."""

    year = forms.IntegerField(
        label=_("年度"),
        min_value=2016,
        max_value=2100,
        error_messages={
            "required": _("请填写年度。"),
            "invalid": _("年度应在 2016 至 2100 之间。"),
            "min_value": _("年度应在 2016 至 2100 之间。"),
            "max_value": _("年度应在 2016 至 2100 之间。"),
        },
    )
    half = forms.TypedChoiceField(
        label=_("半年"),
        choices=[(1, _("上半年")), (2, _("下半年"))],
        coerce=int,
        error_messages={
            "required": _("请选择上半年或下半年。"),
            "invalid_choice": _("半年应为 1（上半年）或 2（下半年）。"),
        },
    )


def assessment_form(query: Any) -> AssessmentForm:
    """The form bound to the query, or to this year's current half when the query is empty."""
    if not query:
        today = timezone.localdate()
        query = {"year": today.year, "half": 1 if today.month <= 6 else 2}
    return AssessmentForm(query)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("，", "\n").replace(",", "\n").splitlines() if line.strip()]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("活动类别"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("举办日期"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("主题"), max_length=200)
    speakers = forms.CharField(
        label=_("主讲人"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一位。集中培训须 1 至 2 位主讲人。"),
    )
    place = forms.CharField(label=_("地点"), max_length=200)
    head_count = forms.IntegerField(label=_("参加人数"), min_value=1, max_value=100000)
    enterprises = forms.CharField(
        label=_("参加企业（统一社会信用代码）"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个统一社会信用代码：四单一库中的企业或本平台注册的任何企业。"),
    )
    institutions = forms.MultipleChoiceField(
        label=_("参加的服务机构"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # A recorded activity is not edited afterwards: it counts in the year's figures as recorded.
    confirm = forms.BooleanField(
        label=_("我已核对以上内容，保存后不能修改。"),
        error_messages={"required": _("请确认已核对活动内容（保存后不能修改）。")},
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["institutions"].choices = [(str(i.pk), i.name) for i in Institution.objects.all()]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "topic": data["topic"],
            "place": data["place"],
            "head_count": data["head_count"],
            "speakers": [s.strip() for s in data["speakers"].splitlines() if s.strip()],
            "enterprise_codes": _lines(data["enterprises"]),
            "institution_ids": [int(pk) for pk in data["institutions"]],
        }


class ImportForm(forms.Form):
    sheet = forms.FileField(label=_("Excel 文件（.xlsx）"))
    confirm = forms.BooleanField(
        label=_("确认将文件中的企业列入四单一库（全部导入或全部不导入）。"),
        error_messages={"required": _("请确认导入。")},
    )
