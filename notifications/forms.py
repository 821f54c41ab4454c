from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import DeliveryMode, Language


class PreferenceForm(forms.Form):
    mode = forms.ChoiceField(label=_("邮件方式"), choices=DeliveryMode.choices, widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("邮件语言"), choices=Language.choices)
