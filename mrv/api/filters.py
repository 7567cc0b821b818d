"""django-filter FilterSets of the API: declared in the schema, every value validated (400 naming the field)."""

import django_filters
from django import forms

from mrv import inputs
from mrv.models import EmissionReport


class _YearField(forms.IntegerField):
    """A compliance year in ASCII digits within the supported range (`mrv.inputs.parse_year`)."""

    def to_python(self, value):
        return None if value in self.empty_values else inputs.parse_year(value)


class YearFilter(django_filters.NumberFilter):
    field_class = _YearField


class ReportFilter(django_filters.FilterSet):
    """Query parameters are validated: a bad year, period or status is a 400 naming the field."""

    year = YearFilter(field_name="year", help_text="compliance year")
    period = django_filters.ChoiceFilter(choices=EmissionReport.Period.choices)
    status = django_filters.ChoiceFilter(choices=EmissionReport.Status.choices)

    class Meta:
        model = EmissionReport
        fields = ["year", "period", "status"]


class _StrictBooleanField(forms.TypedChoiceField):
    """`true` or `false` and nothing else (django-filter's own boolean field reads "maybe" as no filter)."""

    def __init__(self, *args, **kwargs):
        kwargs.pop("empty_label", None)
        kwargs.update(choices=[("true", "true"), ("false", "false")], coerce=lambda v: v == "true", empty_value=None)
        super().__init__(*args, **kwargs)


class BooleanFilter(django_filters.BooleanFilter):
    """A boolean query parameter validated strictly (400 for anything but true or false)."""

    field_class = _StrictBooleanField
