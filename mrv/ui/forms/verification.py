"""The forms of the verification pages (`mrv.ui.views.verification`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mrv.models import (
    EmissionReport,
    Finding,
    VerificationEngagement,
    VerificationOpinion,
)
from mrv.selectors.verification import body_verifiers


class AcceptForm(forms.Form):
    team = forms.ModelMultipleChoiceField(
        label=_("team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, engagement: VerificationEngagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = body_verifiers(engagement.body_id)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    body = forms.ModelChoiceField(label=_("verification body"), queryset=None)

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class PlanForm(forms.Form):
    document_review = forms.CharField(label=_("document review"), widget=forms.Textarea(attrs={"rows": 3}))
    site_visit_dates = forms.CharField(label=_("site-visit dates"), help_text=_("YYYY-MM-DD, separated by commas"))
    site_team = forms.ModelMultipleChoiceField(
        label=_("site team"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    sampling = forms.CharField(label=_("what will be sampled"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, engagement: VerificationEngagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site_team"].queryset = body_verifiers(engagement.body_id)


def report_line_choices(report: EmissionReport) -> list[tuple[str, str]]:
    """The report's own lines (source stream and month), one query; the empty choice is a general finding."""
    rows = report.activity_rows.order_by("stream_code", "month").values_list("stream_code", "month")
    lines = [(f"{stream}:{report.year}-{month:02d}", f"{stream} · {report.year}-{month:02d}") for stream, month in rows]
    return [("", _("(general: not about one line)")), *lines]


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Finding.Kind.choices)
    line_key = forms.ChoiceField(label=_("report line"), required=False, choices=[])
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 2}))
    amount_tco2e = forms.DecimalField(label=_("misstatement (tCO2e)"), required=False, max_digits=14, decimal_places=2)

    def __init__(self, *args, report: EmissionReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line_key"].choices = report_line_choices(report)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("resolution"), choices=[("", "—"), *Finding.Resolution.choices], required=False
    )
    reason = forms.CharField(label=_("comment"), required=False, max_length=2000)


class SignOffForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=VerificationOpinion.Outcome.choices)
    verified_emissions_tco2e = forms.DecimalField(
        label=_("verified emissions (tCO2e)"), required=False, max_digits=14, decimal_places=0
    )
    not_verified_reason = forms.ChoiceField(
        label=_("reason not verified"),
        required=False,
        choices=[("", "—"), *VerificationOpinion.NotVerifiedReason.choices],
    )
    difference_reason = forms.CharField(
        label=_("reason for the difference"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    comments = forms.CharField(label=_("comments"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SpotCheckForm(forms.Form):
    text = forms.CharField(
        label=_("comment or discrepancies"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
