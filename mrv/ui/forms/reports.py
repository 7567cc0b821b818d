"""The forms of the reports pages (`mrv.ui.views.reports`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mrv.models import EmissionReport

YEARS = [(year, str(year)) for year in range(2030, 2012, -1)]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("PDF, PNG, JPEG, XLSX, DOCX or CSV"))
    description = forms.CharField(label=_("description"), max_length=300, required=False)


class NewReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("compliance year"), choices=YEARS, coerce=int)
    period = forms.ChoiceField(label=_("period"), choices=EmissionReport.Period.choices)
