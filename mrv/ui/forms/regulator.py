"""The forms of the regulator pages (`mrv.ui.views.regulator`)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class EstimateForm(forms.Form):
    emissions_tco2e = forms.DecimalField(label=_("estimated emissions (tCO2e)"), max_digits=14, decimal_places=0)
    basis_text = forms.CharField(label=_("basis of the estimate"), widget=forms.Textarea(attrs={"rows": 2}))
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 2}))


class RedeterminationForm(forms.Form):
    emissions_tco2e = forms.DecimalField(
        label=_("corrected emissions (tCO2e)"), max_digits=14, decimal_places=0, min_value=0
    )
    reasons = forms.CharField(label=_("why the figure is corrected"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("evidence"))
    evidence_description = forms.CharField(label=_("what the evidence shows"), max_length=300, required=False)


class CommentForm(forms.Form):
    reason = forms.CharField(label=_("comment"), required=False, max_length=2000)


class DrawForm(forms.Form):
    year = forms.IntegerField(label=_("compliance year"), min_value=2013, max_value=2100)
    seed = forms.IntegerField(label=_("seed (empty: random)"), required=False, min_value=0)
