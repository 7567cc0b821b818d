from django import forms
from django.utils.translation import gettext_lazy as _

from mrv.models import DeadlineRule


class ExtensionForm(forms.Form):
    year = forms.IntegerField(label=_("compliance year"), min_value=2013, max_value=2100)
    kind = forms.ChoiceField(label=_("deadline"), choices=DeadlineRule.Kind.choices)
    extra_days = forms.IntegerField(label=_("extra days"), min_value=1, max_value=365)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
