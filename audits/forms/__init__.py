from django import forms
from django.utils.translation import gettext_lazy as _


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2004, max_value=2100)
    text = forms.CharField(
        label=_("放假与调休安排（每行一条）"),
        max_length=5000,  # a year's schedule is about 30 lines
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "placeholder": "2027-01-01 休 元旦\n2027-02-05 至 2027-02-13 休 春节\n2027-02-14 班 春节调休",
            }
        ),
        help_text=_(
            "格式：“日期 休”或“开始日期 至 结束日期 休”，调休上班写“日期 班”，可在末尾注明节日名称。"
        ),
    )

    def clean(self):  # type: ignore[no-untyped-def]
        """Parse the schedule once here: its line errors go under the text, its entries feed the preview."""
        from workdays.services import parse_schedule

        data = super().clean()
        if "year" in data and "text" in data:
            entries, errors = parse_schedule(data["year"], data["text"])
            for error in errors:
                self.add_error("text", error)
            data["entries"] = entries
        return data
