from django import forms
from django.utils.translation import gettext_lazy as _

from audits.services.announcements import BODY_MAX, TITLE_MAX


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=_("正文"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("空行分段。发布后显示在门户首页的“通知公告”中。"),
    )
