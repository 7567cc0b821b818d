"""The forms of the findings pages (`mrv.ui.views.findings`)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
