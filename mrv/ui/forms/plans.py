"""The forms of the plans pages (`mrv.ui.views.plans`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mrv.models import PlanParameter
from mrv.models.plans import FUEL_CHOICES, GAS_SPECIES_CHOICES, METHOD_CHOICES
from mrv.selectors.plans import firm_sources, plan_streams


class PlanForm(forms.Form):
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    data_management_notes = forms.CharField(
        label=_("data management and quality control"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
    )


class StreamForm(forms.Form):
    source = forms.ModelChoiceField(label=_("emission source"), queryset=None)
    code = forms.SlugField(label=_("code"), max_length=40)
    name = forms.CharField(label=_("name"), max_length=200)
    method = forms.ChoiceField(label=_("calculation method"), choices=METHOD_CHOICES)
    gas = forms.ChoiceField(label=_("gas"), choices=GAS_SPECIES_CHOICES, initial="CO2")
    activity_unit = forms.CharField(label=_("activity data unit"), max_length=20, help_text=_("e.g. t, 10^4Nm3, MWh"))
    fuel_code = forms.ChoiceField(label=_("fuel"), choices=[("", "—"), *FUEL_CHOICES], required=False)
    counterparty = forms.CharField(
        label=_("counterparty"),
        max_length=200,
        required=False,
        help_text=_("CO2 transferred in or out: the installation it comes from or goes to."),
    )
    approval_reference = forms.CharField(
        label=_("regulator's approval"),
        max_length=200,
        required=False,
        help_text=_("A figure under a regulator-approved method: the approval's reference."),
    )
    corroborates_measurement = forms.BooleanField(label=_("cross-check of the measurement only"), required=False)

    def __init__(self, *args, firm=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = firm_sources(firm)


class ParameterForm(forms.Form):
    stream = forms.ModelChoiceField(label=_("source stream"), queryset=None)
    name = forms.ChoiceField(label=_("parameter"), choices=PlanParameter.Name.choices)
    unit = forms.CharField(label=_("unit"), max_length=20, help_text=_("e.g. GJ/t, tC/TJ, %, tCO2/t"))
    source = forms.ChoiceField(label=_("determined by"), choices=PlanParameter.Source.choices)
    default_value = forms.DecimalField(label=_("default value"), required=False, max_digits=20, decimal_places=8)
    lab_frequency = forms.CharField(label=_("analysis frequency"), max_length=60, required=False)
    meter_id = forms.CharField(label=_("meter id"), max_length=60, required=False)
    meter_accuracy_pct = forms.DecimalField(
        label=_("meter accuracy (± %)"), required=False, max_digits=6, decimal_places=3
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stream"].queryset = plan_streams(plan)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"), help_text=_("PDF, PNG, JPEG, XLSX, DOCX or CSV"))
    description = forms.CharField(label=_("description"), max_length=300, required=False)
