"""The forms of the coverage pages (`mrv.ui.views.coverage`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mrv.models import CoverageEntry, CoverageList
from mrv.selectors.markets import sectors
from mrv.services import coverage as svc

FIGURE_YEARS = 4


class ImportForm(forms.Form):
    file = forms.FileField(label=_("candidates sheet (Excel or CSV)"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EntryForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    sector = forms.ModelChoiceField(label=_("sector"), queryset=None)
    installations = forms.CharField(label=_("installations (separated by ;)"), required=False, max_length=500)
    is_new_entrant = forms.BooleanField(label=_("new entrant"), required=False)
    design_capacity = forms.DecimalField(label=_("design capacity"), required=False, min_value=0)
    override = forms.ChoiceField(
        label=_("regulator's decision"), choices=CoverageEntry.Override.choices, required=False
    )
    override_reason = forms.CharField(label=_("reason for the decision"), required=False, max_length=300)

    def __init__(self, *args, coverage_list: CoverageList, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(range(coverage_list.year - FIGURE_YEARS, coverage_list.year))
        ids = [s.pk for s in svc.covered_sectors(coverage_list.market, coverage_list.year)]
        self.fields["sector"].queryset = sectors(ids)
        for year in self.years:
            self.fields[f"emissions_tco2e_{year}"] = forms.DecimalField(
                label=_("%(year)s emissions (tCO2e)") % {"year": year}, required=False, min_value=0
            )
            self.fields[f"energy_tce_{year}"] = forms.DecimalField(
                label=_("%(year)s energy use (tce)") % {"year": year}, required=False, min_value=0
            )

    def figures(self) -> dict:
        data, result = self.cleaned_data, {}
        for year in self.years:
            row = {k: str(data[f"{k}_{year}"]) for k in ("emissions_tco2e", "energy_tce") if data.get(f"{k}_{year}")}
            if row:
                result[str(year)] = row
        return result


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("closed on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), max_length=300)
