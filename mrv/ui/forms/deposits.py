"""The forms of the deposits pages (`mrv.ui.views.deposits`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

MONTHS = [(m, f"{m:02d}") for m in range(1, 13)]


class DepositForm(forms.Form):
    month = forms.TypedChoiceField(label=_("month"), choices=MONTHS, coerce=int)
    stream_code = forms.SlugField(label=_("source stream"), max_length=40)
    fuel_consumed_t = forms.DecimalField(label=_("fuel consumed (t)"), min_value=0, max_digits=16, decimal_places=3)
    ncv_gj_per_t = forms.DecimalField(
        label=_("net calorific value (GJ/t)"), min_value=0, max_digits=10, decimal_places=4
    )
    carbon_content_tc_per_gj = forms.DecimalField(
        label=_("carbon content per unit of heat (tC/GJ)"), min_value=0, max_digits=10, decimal_places=6
    )
    electricity_generated_mwh = forms.DecimalField(
        label=_("electricity generated (MWh)"), min_value=0, max_digits=16, decimal_places=3
    )
    electricity_supplied_mwh = forms.DecimalField(
        label=_("electricity supplied (MWh)"), min_value=0, max_digits=16, decimal_places=3
    )
    electricity_purchased_mwh = forms.DecimalField(
        label=_("electricity purchased (MWh)"), min_value=0, max_digits=16, decimal_places=3, required=False
    )
    evidence = forms.FileField(
        label=_("evidence (test report, meter readings)"), required=False, help_text=_("needed with the first deposit")
    )
