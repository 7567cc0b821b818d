from django import forms
from django.utils.translation import gettext_lazy as _


class ProposeForm(forms.Form):
    year = forms.IntegerField(label=_("compliance year"), min_value=2013, max_value=2100)
    note = forms.CharField(
        label=_("what a correction changes (required once the year is published; shown publicly)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=1000)
