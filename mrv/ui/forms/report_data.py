"""The forms of the report data pages (`mrv.ui.views.report_data`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mrv.models import OutputDataRow


class UploadForm(forms.Form):
    file = forms.FileField(label=_("filled-in template"), help_text=_("Excel (.xlsx) or CSV in UTF-8 or GBK"))


class AcknowledgeForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=200)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class OutputForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=OutputDataRow.Kind.choices)
    name = forms.CharField(label=_("product"), max_length=100)
    amount = forms.DecimalField(label=_("amount"), min_value=0, max_digits=20, decimal_places=6)
    unit = forms.CharField(label=_("unit"), max_length=20, help_text=_("e.g. t, MWh, GJ"))


class DiffForm(forms.Form):
    a = forms.IntegerField(label=_("from version"), min_value=1)
    b = forms.IntegerField(label=_("to version"), min_value=1)
