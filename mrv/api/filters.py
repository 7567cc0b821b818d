"""django-filter FilterSets of the API: declared in the schema, every value validated (400 naming the field)."""

import django_filters
from django import forms

from mrv import inputs
from mrv.models import EmissionReport


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class ReportFilter(django_filters.FilterSet):
    """Query parameters are validated: a bad year, period or status is a 400 naming the field."""

    year = YearFilter(field_name="year", validators=inputs.year_validators(), help_text="compliance year")
    period = django_filters.ChoiceFilter(choices=EmissionReport.Period.choices)
    status = django_filters.ChoiceFilter(choices=EmissionReport.Status.choices)

    class Meta:
        model = EmissionReport
        fields = ["year", "period", "status"]
