"""The verifier's and the spot checker's endpoints: engagements (accept with the team, decline, the
verification plan), findings (raise, close, reopen), materiality, the opinion and sign-off, spot-check results.
The regulator's assignment of an engagement is here too, on the engagement it changes.

Same services and access rules as the browser (mrv/ui/views/verification.py): an object the caller may not see
is 404; an action the caller may not take is 403; an action the object's state forbids is 409.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from mrv import access, inputs
from mrv.api import conventions as c
from mrv.api import work_serializers as s
from mrv.api.actions import STATE_EXAMPLES, ActionViewSet, problem_responses
from mrv.api.conventions import idempotent
from mrv.models import (
    EmissionReport,
    Finding,
    SpotCheckItem,
    VerificationEngagement,
)
from mrv.records.certification import VERIFIER_OPINION
from mrv.refusals import Refused
from mrv.selectors.assignment import assignment_refusals_by_body
from mrv.selectors.reports import reports_with_firm_and_market
from mrv.selectors.spot_checks import spot_check_items_seen_by
from mrv.selectors.verification import (
    engagements_for_page,
    findings_seen_by,
    materiality_with_reported,
    third_party_bodies,
    verification_body,
    verification_state,
)
from mrv.services import spot_checks
from mrv.services import verification as svc
from mrv.ui.objects import require
from mrv.workflow import verification as rules

ONLY_THE_REGULATOR_ASSIGNS = _("Only the firm's regulator assigns.")
ONLY_ENGAGED_WRITE_PLANS = _("Only the engaged verifiers write the verification plan.")
NO_SUCH_BODY = _("There is no verification body with id %(value)s.")
ACTION_ERRORS = problem_responses(400, 403, 404, 409)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EngagementFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", validators=inputs.year_validators(), help_text="compliance year")
    status = django_filters.ChoiceFilter(choices=VerificationEngagement.Status.choices)
    firm = django_filters.CharFilter(field_name="firm__name", lookup_expr="icontains", max_length=100)

    class Meta:
        model = VerificationEngagement
        fields = ["year", "status", "firm"]


def body_or_refused(body_id: int):
    """The verification body a request names, or a refusal naming the id it gave."""
    body = verification_body(body_id)
    if body is None:
        raise Refused(NO_SUCH_BODY % {"value": body_id}, code="body")
    return body


# A list of what the caller may see; one object found among them (404 otherwise), and every action answered
# with the object read again through the same queryset, tagged with its version. (A comment, not a docstring:
# the schema would show a docstring on every endpoint of the subclasses.)
class ScopedResource(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    def get_object(self):
        return self.visible(self.get_queryset(), self.kwargs["pk"])

    def _answer(self, obj, status_code=200) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return self.tagged(Response(self.get_serializer_class()(obj).data, status=status_code), obj)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())


@extend_schema_view(
    list=extend_schema(summary="Verification engagements the caller may see"),
    retrieve=extend_schema(summary="One engagement", responses={200: s.EngagementSerializer, 404: None}),
)
class EngagementViewSet(ScopedResource):
    serializer_class = s.EngagementSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EngagementFilter

    def get_queryset(self):
        queryset = engagements_for_page().prefetch_related("team").order_by("-year", "pk")
        return access.visible_to(self.request.user, queryset)

    @extend_schema(
        summary="Accept the engagement and name the team (the body's lead verifier)",
        request=s.AcceptBody,
        responses={200: s.EngagementSerializer, **ACTION_ERRORS},
        examples=[OpenApiExample("team", value={"team": [12, 13]}, request_only=True), *STATE_EXAMPLES],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, pk=None):
        engagement = self.get_object()
        team = self.body(s.AcceptBody)["team"]
        svc.engagement_accept(engagement=engagement, team=team, acting_user=request.user)
        return self._answer(engagement)

    @extend_schema(
        summary="Decline the engagement, with the reason (the body's lead verifier)",
        request=s.ReasonBody,
        responses={200: s.EngagementSerializer, **ACTION_ERRORS},
        examples=[
            OpenApiExample("reason", value={"reason": "Conflict of interest: we advised the firm."}, request_only=True),
            OpenApiExample(
                "reason (Chinese)", value={"reason": "利益冲突：我们曾为该企业提供咨询。"}, request_only=True
            ),
            *STATE_EXAMPLES,
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def decline(self, request, pk=None):
        engagement = self.get_object()
        reason = self.body(s.ReasonBody)["reason"]
        svc.engagement_decline(engagement=engagement, reason=reason, acting_user=request.user)
        return self._answer(engagement)

    @extend_schema(
        summary="Assign a verification body (the firm's regulator); after a decline, reassign",
        request=s.AssignBody,
        responses={200: s.EngagementSerializer, **ACTION_ERRORS},
        examples=[OpenApiExample("body", value={"body": 3}, request_only=True), *STATE_EXAMPLES],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request, pk=None):
        engagement = self.get_object()
        require(rules.regulates_market(engagement, request.user), str(ONLY_THE_REGULATOR_ASSIGNS))
        body = body_or_refused(self.body(s.AssignBody)["body"])
        if engagement.status == VerificationEngagement.Status.AWAITING_ASSIGNMENT:
            svc.engagement_assign(firm=engagement.firm, year=engagement.year, body=body, acting_user=request.user)
        else:
            svc.engagement_reassign(engagement=engagement, body=body, acting_user=request.user)
        return self._answer(engagement)

    @extend_schema(
        summary="Every third-party body, and why it may not be assigned (the firm's regulator)",
        responses={200: s.EligibilitySerializer(many=True), **problem_responses(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        engagement = self.get_object()
        require(rules.regulates_market(engagement, request.user), str(ONLY_THE_REGULATOR_ASSIGNS))
        bodies = list(third_party_bodies())
        refusals = assignment_refusals_by_body(bodies, engagement.firm, engagement.year)
        rows = [{"body": b, "refusals": refusals[b.pk]} for b in bodies]
        return Response(s.EligibilitySerializer(rows, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="The verification plan (404 until one is written)",
        responses={200: s.VerificationPlanSerializer, 404: None},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Write or revise the verification plan (the engaged verifiers)",
        request=s.PlanBody,
        responses={200: s.VerificationPlanSerializer, **ACTION_ERRORS},
        examples=[
            OpenApiExample(
                "plan",
                value={
                    "document_review": "Fuel invoices, meter logs",
                    "site_visit_dates": ["2026-04-08"],
                    "site_team": [12],
                    "sampling": "3 months of coal deliveries",
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "put"])
    def plan(self, request, pk=None):
        from django.http import Http404

        from mrv.models import VerificationPlan

        engagement = self.get_object()
        if request.method == "PUT":
            require(rules.writes_verification_plan(engagement, request.user), str(ONLY_ENGAGED_WRITE_PLANS))
            data = self.body(s.PlanBody)
            svc.verification_plan_save(engagement=engagement, acting_user=request.user, **data)
        plan = access.visible_to(request.user, VerificationPlan).filter(engagement=engagement).first()
        if plan is None:
            raise Http404
        return Response(s.VerificationPlanSerializer(plan).data)


class FindingFilter(django_filters.FilterSet):
    report = django_filters.NumberFilter(field_name="report_id", min_value=1, max_value=2**62)
    status = django_filters.ChoiceFilter(choices=Finding.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Finding.Kind.choices)

    class Meta:
        model = Finding
        fields = ["report", "status", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Findings on the reports the caller may see"),
    retrieve=extend_schema(summary="One finding", responses={200: s.FindingSerializer, 404: None}),
)
class FindingViewSet(ScopedResource):
    serializer_class = s.FindingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FindingFilter

    def get_queryset(self):
        return findings_seen_by(self.request.user)

    def get_object(self):
        return self.visible(self.get_queryset().select_related("report"), self.kwargs["pk"])

    @extend_schema(
        summary="Raise a finding on a report line or the whole report (the engaged verifiers)",
        request=s.RaiseFindingBody,
        responses={201: s.FindingSerializer, **ACTION_ERRORS},
        examples=[
            OpenApiExample(
                "misstatement",
                value={
                    "report": 41,
                    "kind": "misstatement",
                    "line_key": "coal:2025-03",
                    "description": "March coal: invoice shows 1,200 t, report 1,000 t.",
                    "amount_tco2e": "380.00",
                },
                request_only=True,
            ),
            OpenApiExample(
                "misstatement (Chinese)",
                value={
                    "report": 41,
                    "kind": "misstatement",
                    "line_key": "coal:2025-03",
                    "description": "3月燃煤：发票1200吨，报告1000吨。",
                    "amount_tco2e": "380.00",
                },
                request_only=True,
            ),
            *STATE_EXAMPLES,
        ],
    )
    @idempotent
    def create(self, request):
        data = self.body(s.RaiseFindingBody)
        report = self.visible(EmissionReport, data.pop("report"))
        require(rules.is_engaged_verifier(report, request.user), str(_("Only the engaged verifiers raise findings.")))
        finding = svc.finding_raise(report=report, acting_user=request.user, **data)
        return self._answer(finding, 201)

    @extend_schema(
        summary="Close a finding (a misstatement: as corrected or left uncorrected)",
        request=s.CloseFindingBody,
        responses={200: s.FindingSerializer, **ACTION_ERRORS},
        examples=[OpenApiExample("corrected", value={"resolution": "corrected"}, request_only=True), *STATE_EXAMPLES],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        finding = self.get_object()
        data = self.body(s.CloseFindingBody)
        svc.finding_close(finding=finding, acting_user=request.user, **data)
        return self._answer(finding)

    @extend_schema(
        summary="Reopen a finding, saying why",
        request=s.ReasonBody,
        responses={200: s.FindingSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reopen(self, request, pk=None):
        finding = self.get_object()
        svc.finding_reopen(finding=finding, reason=self.body(s.ReasonBody)["reason"], acting_user=request.user)
        return self._answer(finding)


class VerificationReportViewSet(ActionViewSet):
    """The verifier's and spot checker's actions on a report (resource: the report; each action answers it)."""

    serializer_class = s.WorkReportSerializer
    queryset = EmissionReport.objects.none()

    def report(self) -> EmissionReport:
        return self.visible(reports_with_firm_and_market(), self.kwargs["pk"])

    def _answer(self, report) -> Response:
        report.refresh_from_db()
        return self.tagged(Response(s.WorkReportSerializer(report).data), report)

    @extend_schema(
        summary="The report's verification: findings, opinions, materiality, spot checks",
        responses={200: s.VerificationStateSerializer, 404: None},
    )
    @action(detail=True, methods=["get"])
    def verification(self, request, pk=None):
        report = self.report()
        state = verification_state(request.user, report)
        return self.tagged(Response(s.VerificationStateSerializer(state).data), report)

    @extend_schema(
        summary="Uncorrected misstatements against the market's materiality threshold",
        responses={200: s.MaterialitySerializer, 404: None},
    )
    @action(detail=True, methods=["get"])
    def materiality(self, request, pk=None):
        report = self.report()
        return Response(s.MaterialitySerializer(materiality_with_reported(report)).data)

    @extend_schema(
        summary="Start verifying a submitted report (the engaged verifiers)",
        request=None,
        responses={200: s.WorkReportSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path="start-verification")
    @idempotent
    def start_verification(self, request, pk=None):
        report = self.report()
        svc.report_start_verification(report=report, acting_user=request.user)
        return self._answer(report)

    @extend_schema(
        summary="Send the report back to the firm with its open findings",
        request=s.ReasonBody,
        responses={200: s.WorkReportSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path="return-to-firm")
    @idempotent
    def return_to_firm(self, request, pk=None):
        report = self.report()
        svc.report_return_to_firm(report=report, reason=self.body(s.ReasonBody)["reason"], acting_user=request.user)
        return self._answer(report)

    @extend_schema(
        parameters=[c.SECOND_FACTOR],
        summary="Sign the verification opinion (the lead verifier)",
        request=s.SignOffBody,
        responses={201: s.OpinionSerializer, **ACTION_ERRORS},
        examples=[
            OpenApiExample(
                "satisfactory",
                value={"outcome": "satisfactory", "verified_emissions_tco2e": "604500", "comments": "Clean."},
                request_only=True,
            ),
            OpenApiExample(
                "satisfactory (Chinese)",
                value={"outcome": "satisfactory", "verified_emissions_tco2e": "604500", "comments": "无异议。"},
                request_only=True,
            ),
            *STATE_EXAMPLES,
        ],
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    @idempotent
    def sign_off(self, request, pk=None):
        report = self.report()
        body = self.body(s.SignOffBody)
        body.pop("certify", None)
        certification = c.signing_certification(request, VERIFIER_OPINION)
        opinion = svc.report_sign_off(report=report, acting_user=request.user, certification=certification, **body)
        return Response(s.OpinionSerializer(opinion).data, status=201)

    @extend_schema(
        summary="Confirm the verification (the sampled report's spot-check body)",
        request=s.SpotCheckBody,
        responses={200: s.SpotCheckItemSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path="spot-check/confirm")
    @idempotent
    def spot_check_confirm(self, request, pk=None):
        report = self.report()
        item = spot_checks.spot_check_confirm(
            report=report, comment=self.body(s.SpotCheckBody)["text"], acting_user=request.user
        )
        return Response(s.SpotCheckItemSerializer(item).data)

    @extend_schema(
        summary="Record discrepancies (the sampled report's spot-check body)",
        request=s.SpotCheckBody,
        responses={200: s.SpotCheckItemSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path="spot-check/discrepancy")
    @idempotent
    def spot_check_discrepancy(self, request, pk=None):
        report = self.report()
        item = spot_checks.spot_check_record_discrepancy(
            report=report, discrepancies=self.body(s.SpotCheckBody)["text"], acting_user=request.user
        )
        return Response(s.SpotCheckItemSerializer(item).data)


class SpotCheckItemFilter(django_filters.FilterSet):
    year = YearFilter(field_name="sample__year", validators=inputs.year_validators())
    outcome = django_filters.ChoiceFilter(choices=SpotCheckItem.Outcome.choices)

    class Meta:
        model = SpotCheckItem
        fields = ["year", "outcome"]


@extend_schema_view(
    list=extend_schema(summary="Sampled reports the caller may see (spot-check body, regulator, checked verifier)"),
    retrieve=extend_schema(summary="One sampled report", responses={200: s.SpotCheckItemSerializer, 404: None}),
)
class SpotCheckItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    serializer_class = s.SpotCheckItemSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SpotCheckItemFilter

    def get_queryset(self):
        return spot_check_items_seen_by(self.request.user)

    def get_object(self):
        return self.visible(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        summary="Hand the sampled report over to another registered spot-check body (the regulator)",
        request=s.HandOverBody,
        responses={200: s.SpotCheckItemSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="hand-over")
    @idempotent
    def hand_over(self, request, pk=None):
        item = self.get_object()
        body = body_or_refused(self.body(s.HandOverBody)["body"])
        item = spot_checks.spot_check_assign_body(item=item, body=body, acting_user=request.user)
        return Response(s.SpotCheckItemSerializer(self.get_queryset().get(pk=item.pk)).data)
