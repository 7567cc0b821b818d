"""Serializers of the verifier's, spot checker's and regulator's endpoints: what they read and the bodies of
their actions. Bodies carry only what the browser's forms carry; the services check the rest."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mrv.api.conventions import CERTIFY
from mrv.models import (
    CoverageEntry,
    Determination,
    EmissionReport,
    Finding,
    FindingAnswer,
    MonitoringPlan,
    SpotCheckItem,
    SpotCheckSample,
    VerificationEngagement,
    VerificationOpinion,
    VerificationPlan,
)
from mrv.selectors.verification import active_users

TEXT = {"max_length": 5000, "allow_blank": True, "required": False, "default": ""}


def _person(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


@extend_schema_field({"type": "string", "nullable": True, "description": "the person's name"})
class PersonField(serializers.Field):
    def to_representation(self, value):
        return _person(value)


class EngagementSerializer(serializers.ModelSerializer):
    firm = serializers.PrimaryKeyRelatedField(read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)
    body = serializers.PrimaryKeyRelatedField(read_only=True)
    body_name = serializers.CharField(source="body.name", read_only=True, default=None)
    lead_verifier = PersonField(read_only=True)
    team = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = VerificationEngagement
        fields = [
            "id",
            "firm",
            "firm_name",
            "market",
            "year",
            "body",
            "body_name",
            "status",
            "lead_verifier",
            "team",
            "decline_reason",
        ]


class VerificationPlanSerializer(serializers.ModelSerializer):
    site_team = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    written_by = PersonField(read_only=True)

    class Meta:
        model = VerificationPlan
        fields = ["engagement", "document_review", "site_visit_dates", "site_team", "sampling", "written_by"]


@extend_schema_field(OpenApiTypes.INT)
class _TeamField(serializers.PrimaryKeyRelatedField):
    """Users by id; whether they may be on the team is the service's check (its message names them)."""

    def get_queryset(self):
        return active_users()


class AcceptBody(serializers.Serializer):
    team = serializers.ListField(child=_TeamField(), max_length=50, default=list, help_text=_("user ids"))


class ReasonBody(serializers.Serializer):
    reason = serializers.CharField(**TEXT)


class PlanBody(serializers.Serializer):
    document_review = serializers.CharField(**TEXT)
    site_visit_dates = serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=100, default=list, help_text="YYYY-MM-DD"
    )
    site_team = serializers.ListField(child=_TeamField(), max_length=50, default=list)
    sampling = serializers.CharField(**TEXT)


class AssignBody(serializers.Serializer):
    body = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("verification body id"))


class EligibilitySerializer(serializers.Serializer):
    body = serializers.IntegerField(source="body.pk")
    name = serializers.CharField(source="body.name")
    eligible = serializers.SerializerMethodField()
    refusals = serializers.ListField(child=serializers.CharField())

    def get_eligible(self, row) -> bool:
        return not row["refusals"]


class FindingAnswerSerializer(serializers.ModelSerializer):
    answered_by = PersonField(read_only=True)

    class Meta:
        model = FindingAnswer
        fields = ["text", "answered_by", "answered_at"]


class FindingSerializer(serializers.ModelSerializer):
    raised_by = PersonField(read_only=True)
    answers = FindingAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "report",
            "kind",
            "line_key",
            "description",
            "amount_tco2e",
            "status",
            "resolution",
            "raised_by",
            "raised_at",
            "answers",
        ]


class RaiseFindingBody(serializers.Serializer):
    report = serializers.IntegerField(min_value=1, max_value=2**62)
    kind = serializers.ChoiceField(choices=Finding.Kind.choices)
    description = serializers.CharField(**TEXT)
    line_key = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")
    amount_tco2e = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class CloseFindingBody(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Finding.Resolution.choices, required=False, allow_blank=True)
    reason = serializers.CharField(**TEXT)


class OpinionSerializer(serializers.ModelSerializer):
    signed_by = PersonField(read_only=True)

    class Meta:
        model = VerificationOpinion
        fields = [
            "id",
            "outcome",
            "not_verified_reason",
            "comments",
            "reported_emissions_tco2e",
            "verified_emissions_tco2e",
            "difference_tco2e",
            "difference_reason",
            "uncorrected_misstatement_tco2e",
            "materiality_threshold_pct",
            "signed_by",
            "signed_at",
        ]


class SignOffBody(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=VerificationOpinion.Outcome.choices)
    verified_emissions_tco2e = serializers.DecimalField(
        max_digits=14, decimal_places=0, required=False, allow_null=True
    )
    not_verified_reason = serializers.ChoiceField(
        choices=VerificationOpinion.NotVerifiedReason.choices, required=False, allow_blank=True, default=""
    )
    difference_reason = serializers.CharField(**TEXT)
    comments = serializers.CharField(**TEXT)
    certify = serializers.BooleanField(required=False, default=False, help_text=CERTIFY)


class MaterialitySerializer(serializers.Serializer):
    uncorrected_tco2e = serializers.DecimalField(max_digits=16, decimal_places=2)
    threshold_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    ratio_pct = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    is_material = serializers.BooleanField()
    suggested_outcome = serializers.CharField()
    reported_emissions_tco2e = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class WorkReportSerializer(serializers.ModelSerializer):
    """A report as the verifier and the regulator act on it: its state and figures."""

    market = serializers.SlugRelatedField(slug_field="code", read_only=True)
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = EmissionReport
        fields = [
            "id",
            "firm",
            "firm_name",
            "market",
            "year",
            "period",
            "status",
            "reported_emissions_tco2e",
            "determined_emissions_tco2e",
        ]


class SpotCheckItemSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="sample.year", read_only=True)
    checked_by = PersonField(read_only=True)
    report_status = serializers.CharField(source="report.status", read_only=True)

    class Meta:
        model = SpotCheckItem
        fields = [
            "id",
            "report",
            "report_status",
            "year",
            "risk_weight",
            "risk_factors",
            "added_by_hand",
            "body",
            "outcome",
            "discrepancies",
            "checked_by",
            "checked_at",
        ]


class SpotCheckSampleSerializer(serializers.ModelSerializer):
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reports = serializers.SerializerMethodField()

    class Meta:
        model = SpotCheckSample
        fields = ["id", "market", "year", "seed", "rate_pct", "drawn_at", "reports"]

    def get_reports(self, sample) -> list[int]:
        return [item.report_id for item in sample.items.all()]


class SpotCheckBody(serializers.Serializer):
    text = serializers.CharField(**TEXT)


class DrawBody(serializers.Serializer):
    year = serializers.IntegerField(min_value=2013, max_value=2100)
    seed = serializers.IntegerField(min_value=0, max_value=2**62, required=False, allow_null=True)


class HandOverBody(serializers.Serializer):
    body = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("spot-check body id"))


class VerificationStateSerializer(serializers.Serializer):
    report = WorkReportSerializer()
    engagement = EngagementSerializer(allow_null=True)
    materiality = MaterialitySerializer()
    findings = FindingSerializer(many=True)
    opinions = OpinionSerializer(many=True)
    spot_checks = SpotCheckItemSerializer(many=True)


class DeterminationSerializer(serializers.ModelSerializer):
    proposed_by = PersonField(read_only=True)
    decided_by = PersonField(read_only=True)

    class Meta:
        model = Determination
        fields = [
            "id",
            "basis",
            "emissions_tco2e",
            "basis_text",
            "reasons",
            "from_state",
            "proposed_by",
            "proposed_at",
            "decision",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class ReviewStateSerializer(serializers.Serializer):
    report = WorkReportSerializer()
    opinion = OpinionSerializer(allow_null=True)
    determinations = DeterminationSerializer(many=True)
    spot_checks = SpotCheckItemSerializer(many=True)
    materiality_share_pct = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


class CommentBody(serializers.Serializer):
    comment = serializers.CharField(**TEXT)


class EstimateBody(serializers.Serializer):
    emissions_tco2e = serializers.DecimalField(max_digits=14, decimal_places=0)
    basis_text = serializers.CharField(**TEXT)
    reasons = serializers.CharField(**TEXT)


class OpenForEstimateBody(serializers.Serializer):
    year = serializers.IntegerField(min_value=2013, max_value=2100)


class PlanStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringPlan
        fields = ["id", "firm", "version", "status", "valid_from", "return_reason"]


class QueueItemSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()
    state = serializers.CharField()
    note = serializers.CharField()


class QueueSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)
    items = QueueItemSerializer(many=True)


class FigureBody(serializers.Serializer):
    emissions_tco2e = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    energy_tce = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)


class CoverageEntryBody(serializers.Serializer):
    """One candidate, as the list page's form carries it; `figures` by year: {"2024": {"emissions_tco2e": …}}."""

    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=18)
    sector = serializers.CharField(max_length=40, help_text=_("sector code"))
    installations = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    is_new_entrant = serializers.BooleanField(required=False, default=False)
    design_capacity = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    figures = serializers.DictField(child=FigureBody(), required=False, default=dict)
    override = serializers.ChoiceField(
        choices=CoverageEntry.Override.choices, required=False, allow_blank=True, default=""
    )
    override_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate_figures(self, value):
        for year in value:
            if not (str(year).isdigit() and len(str(year)) == 4):
                raise serializers.ValidationError(
                    _("Figures are keyed by a year of four digits, not “%(value)s”.") % {"value": str(year)[:20]}
                )
        return {str(y): {k: str(v) for k, v in row.items()} for y, row in value.items()}


class CloseEntryBody(serializers.Serializer):
    closed_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)
