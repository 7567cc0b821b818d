"""The regulator's endpoints: the home page's queues, review decisions on a report (return, propose and approve
determinations under four eyes), spot-check draws, monitoring-plan review, covered-firm lists, and opening a
report to estimate a firm that never reported.

Same services and access rules as the browser (mrv/ui/views/regulator.py, coverage.py); the queues are the home
page's own section functions (mrv/ui/home.py), not restated. Approving a determination asks for a step-up as the
page does (`mrv.api.actions.require_step_up`).
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from mrv import inputs
from mrv.api import work_serializers as s
from mrv.api.actions import (
    STATE_EXAMPLES,
    STEP_UP_HEADER,
    ActionViewSet,
    problem_responses,
    require_step_up,
    sheet_problem,
)
from mrv.api.conventions import idempotent
from mrv.api.verifier import YearFilter
from mrv.coverage import list_for
from mrv.models import (
    CoverageEntry,
    CoverageList,
    EmissionReport,
    Firm,
    Market,
    MonitoringPlan,
    SpotCheckSample,
)
from mrv.selectors.coverage import coverage_entries_in_added_order, coverage_entries_with_market
from mrv.selectors.markets import market_of, sector_with_code
from mrv.selectors.plans import plans_with_firm
from mrv.selectors.reports import reports_with_firm_and_market
from mrv.selectors.review import review_state
from mrv.selectors.spot_checks import spot_check_samples_seen_by
from mrv.services import coverage as coverage_svc
from mrv.services import plans as plan_svc
from mrv.services import review, spot_checks
from mrv.ui import home
from mrv.ui.objects import require
from mrv.workflow import verification as rules

NOT_A_REGULATOR = _("Only the market's regulator may do this.")
ACTION_ERRORS = problem_responses(400, 403, 404, 409)


def _report_action(summary: str, request=None, examples=()):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: s.WorkReportSerializer, **ACTION_ERRORS},
        examples=[*examples, *STATE_EXAMPLES],
    )


class QueueViewSet(ActionViewSet):
    """What waits for the caller: the home page's sections of the caller's role."""

    serializer_class = s.QueueSerializer
    pagination_class = None
    queryset = EmissionReport.objects.none()

    @extend_schema(summary="The caller's queues (the home page's sections)", responses=s.QueueSerializer(many=True))
    def list(self, request):
        sections = [
            {
                "key": name,
                "title": str(section.title),
                "count": section.count,
                "items": [vars(item) | {"label": str(item.label)} for item in section.items],
            }
            for name, section in home.named_sections_for(request.user)
        ]
        return Response(s.QueueSerializer(sections, many=True).data)


class ReviewReportViewSet(ActionViewSet):
    """The regulator's decisions on a report; each answers the report's new state."""

    serializer_class = s.WorkReportSerializer
    queryset = EmissionReport.objects.none()

    def report(self, officer: bool = True) -> EmissionReport:
        report = self.visible(reports_with_firm_and_market(), self.kwargs["pk"])
        if officer:
            require(rules.regulates_market(report, self.request.user), str(NOT_A_REGULATOR))
        return report

    def _answer(self, report) -> Response:
        report.refresh_from_db()
        return self.tagged(Response(s.WorkReportSerializer(report).data), report)

    @extend_schema(
        summary="What the decision rests on: opinion, determinations, spot checks",
        responses={200: s.ReviewStateSerializer, 403: None, 404: None},
    )
    @action(detail=True, methods=["get"])
    def review(self, request, pk=None):
        report = self.report()
        return self.tagged(Response(s.ReviewStateSerializer(review_state(report)).data), report)

    @_report_action("Take a verified report under review (after the spot-check draw where there is one)")
    @action(detail=True, methods=["post"], url_path="send-to-review")
    @idempotent
    def send_to_review(self, request, pk=None):
        report = self.report()
        review.report_send_to_review(report=report, acting_user=request.user)
        return self._answer(report)

    @_report_action("Return the report to the verifier, with reasons", s.ReasonBody)
    @action(detail=True, methods=["post"], url_path="return-to-verifier")
    @idempotent
    def return_to_verifier(self, request, pk=None):
        report = self.report()
        reason = self.body(s.ReasonBody)["reason"]
        review.report_return_to_verifier(report=report, reason=reason, acting_user=request.user)
        return self._answer(report)

    @_report_action("Return the report to the firm, with reasons", s.ReasonBody)
    @action(detail=True, methods=["post"], url_path="regulator-return-to-firm")
    @idempotent
    def regulator_return_to_firm(self, request, pk=None):
        report = self.report()
        reason = self.body(s.ReasonBody)["reason"]
        review.report_regulator_return_to_firm(report=report, reason=reason, acting_user=request.user)
        return self._answer(report)

    @_report_action(
        "Propose the verified figure as the determined emissions (a case officer)",
        s.CommentBody,
        [OpenApiExample("comment", value={"comment": "Verified figure, clean opinion."}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="propose-determination")
    @idempotent
    def propose_determination(self, request, pk=None):
        report = self.report()
        review.determination_propose(
            report=report, reasons=self.body(s.CommentBody)["comment"], acting_user=request.user
        )
        return self._answer(report)

    @_report_action(
        "Propose a conservative estimate, with its basis and reasons (a case officer)",
        s.EstimateBody,
        [
            OpenApiExample(
                "estimate",
                value={"emissions_tco2e": "700000", "basis_text": "2024 verified × 1.1", "reasons": "Not reported."},
                request_only=True,
            ),
            OpenApiExample(
                "estimate (Chinese)",
                value={"emissions_tco2e": "700000", "basis_text": "2024年核查值×1.1", "reasons": "未报告。"},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="propose-estimate")
    @idempotent
    def propose_estimate(self, request, pk=None):
        report = self.report()
        review.determination_propose_conservative_estimate(
            report=report, acting_user=request.user, **self.body(s.EstimateBody)
        )
        return self._answer(report)

    @extend_schema(
        summary="Approve the proposed determination (a regulator head other than the proposer; step-up)",
        description=f"Needs a fresh second factor: the `{STEP_UP_HEADER}` header with a code of the caller's "
        "authenticator app or a recovery code (each used once), or a browser session that stepped up within "
        "STEP_UP_MINUTES. Without it: 403 `step_up_required`.",
        request=s.CommentBody,
        parameters=[OpenApiParameter(STEP_UP_HEADER, str, OpenApiParameter.HEADER, required=False)],
        responses={200: s.WorkReportSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path="approve-determination")
    @idempotent
    def approve_determination(self, request, pk=None):
        report = self.report()
        comment = self.body(s.CommentBody)["comment"]
        require_step_up(request)
        review.determination_approve(report=report, reason=comment, acting_user=request.user)
        return self._answer(report)

    @_report_action("Reject the proposed determination, with reasons (a regulator head)", s.ReasonBody)
    @action(detail=True, methods=["post"], url_path="reject-determination")
    @idempotent
    def reject_determination(self, request, pk=None):
        report = self.report()
        review.determination_reject(report=report, reason=self.body(s.ReasonBody)["reason"], acting_user=request.user)
        return self._answer(report)

    @_report_action("Add a verified report to the year's spot-check sample by hand", s.CommentBody)
    @action(detail=True, methods=["post"], url_path="add-to-sample")
    @idempotent
    def add_to_sample(self, request, pk=None):
        report = self.report()
        spot_checks.spot_check_add_report(
            report=report, reason=self.body(s.CommentBody)["comment"], acting_user=request.user
        )
        return self._answer(report)

    @_report_action("Close the determined report (the engagement completes)")
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        report = self.report()
        review.report_close(report=report, acting_user=request.user)
        return self._answer(report)

    @_report_action("Accept a quarterly report in co-review (the regulator or the statistics bureau)", s.CommentBody)
    @action(detail=True, methods=["post"], url_path="co-review/accept")
    @idempotent
    def co_review_accept(self, request, pk=None):
        report = self.report(officer=False)
        require(rules.is_co_reviewer(report, request.user), str(review.NOT_A_CO_REVIEWER))
        review.quarterly_review_accept(
            report=report, comment=self.body(s.CommentBody)["comment"], acting_user=request.user
        )
        return self._answer(report)

    @_report_action("Return a quarterly report in co-review to the firm, with reasons", s.ReasonBody)
    @action(detail=True, methods=["post"], url_path="co-review/return")
    @idempotent
    def co_review_return(self, request, pk=None):
        report = self.report(officer=False)
        require(rules.is_co_reviewer(report, request.user), str(review.NOT_A_CO_REVIEWER))
        review.quarterly_review_return(
            report=report, reasons=self.body(s.ReasonBody)["reason"], acting_user=request.user
        )
        return self._answer(report)


class EstimateFirmViewSet(ActionViewSet):
    """A covered firm that never reported: the regulator opens an empty report to estimate it."""

    serializer_class = s.WorkReportSerializer
    queryset = Firm.objects.none()

    @extend_schema(
        summary="Open an empty report of the firm for a year, to propose a conservative estimate",
        request=s.OpenForEstimateBody,
        responses={201: s.WorkReportSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="open-report-for-estimate")
    @idempotent
    def open_report_for_estimate(self, request, pk=None):
        firm = self.visible(Firm, pk)
        year = self.body(s.OpenForEstimateBody)["year"]
        report = review.report_open_for_estimate(firm=firm, year=year, acting_user=request.user)
        return Response(s.WorkReportSerializer(report).data, status=201)


class SampleFilter(django_filters.FilterSet):
    year = YearFilter(field_name="year", validators=inputs.year_validators())

    class Meta:
        model = SpotCheckSample
        fields = ["year"]


@extend_schema_view(list=extend_schema(summary="Spot-check samples of the caller's market"))
class SpotCheckSampleViewSet(mixins.ListModelMixin, ActionViewSet):
    serializer_class = s.SpotCheckSampleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SampleFilter

    def get_queryset(self):
        return spot_check_samples_seen_by(self.request.user)

    @extend_schema(
        summary="Draw the market-year's risk-weighted sample (the market's regulator)",
        request=s.DrawBody,
        responses={201: s.SpotCheckSampleSerializer, **ACTION_ERRORS},
        examples=[OpenApiExample("draw", value={"year": 2025}, request_only=True), *STATE_EXAMPLES],
    )
    @idempotent
    def create(self, request):
        require(request.user.is_regulator, str(NOT_A_REGULATOR))
        data = self.body(s.DrawBody)
        market = market_of(request.user)
        sample = spot_checks.spot_check_draw(market=market, acting_user=request.user, **data)
        return Response(s.SpotCheckSampleSerializer(self.get_queryset().get(pk=sample.pk)).data, status=201)


class PlanReviewViewSet(ActionViewSet):
    """The regulator approves or returns a submitted monitoring plan; a Tianjin verifier records its check."""

    serializer_class = s.PlanStateSerializer
    queryset = MonitoringPlan.objects.none()

    def plan(self) -> MonitoringPlan:
        return self.visible(plans_with_firm(), self.kwargs["pk"])

    def _answer(self, plan) -> Response:
        plan.refresh_from_db()
        return self.tagged(Response(s.PlanStateSerializer(plan).data), plan)

    @extend_schema(
        summary="Approve the submitted plan (the regulator)",
        request=s.ReasonBody,
        responses={200: s.PlanStateSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        plan = self.plan()
        plan_svc.plan_approve(plan=plan, reason=self.body(s.ReasonBody)["reason"], acting_user=request.user)
        return self._answer(plan)

    @extend_schema(
        summary="Return the submitted plan to the firm, with reasons (the regulator)",
        request=s.ReasonBody,
        responses={200: s.PlanStateSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path="return")
    @idempotent
    def return_plan(self, request, pk=None):
        plan = self.plan()
        plan_svc.plan_return(plan=plan, reasons=self.body(s.ReasonBody)["reason"], acting_user=request.user)
        return self._answer(plan)

    @extend_schema(
        summary="Record the third-party check of the plan (Tianjin's chosen verifier)",
        request=s.ReasonBody,
        responses={200: s.PlanStateSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="third-party-check")
    @idempotent
    def third_party_check(self, request, pk=None):
        plan = self.plan()
        plan_svc.plan_check_by_third_party(
            plan=plan, reason=self.body(s.ReasonBody)["reason"], acting_user=request.user
        )
        return self._answer(plan)


COVERAGE_ACTIONS = {
    "propose": coverage_svc.coverage_list_propose,
    "approve": coverage_svc.coverage_list_approve,
    "return": coverage_svc.coverage_list_return,
    "reopen": coverage_svc.coverage_list_reopen,
}


def _coverage_payload(user, market: Market, year: int) -> dict:
    coverage = list_for(market, year)
    entries = []
    if coverage is not None:
        entries = [
            {
                "id": e.pk,
                "firm": e.firm_id,
                "name": e.name,
                "credit_code": e.credit_code,
                "sector": e.sector.code,
                "covered": e.covered,
                "rule_included": e.rule_included,
                "rule_reason": e.rule_reason,
                "override": e.override,
                "override_reason": e.override_reason,
                "closed_on": e.closed_on,
            }
            for e in coverage_entries_in_added_order(user=user, coverage=coverage)
        ]
    return {
        "market": market.code,
        "year": year,
        "status": coverage.status if coverage else None,
        "entries": entries,
    }


class CoverageViewSet(ActionViewSet):
    """The market-year's covered-firm list (`/coverage/{year}/`): read, import candidates, propose, approve."""

    serializer_class = None
    queryset = CoverageList.objects.none()
    lookup_field = "year"
    lookup_value_regex = "[0-9]{1,6}"

    def market_year(self) -> tuple[Market, int]:
        require(self.request.user.is_regulator, str(NOT_A_REGULATOR))
        market = market_of(self.request.user)
        year = inputs.parse_year(self.kwargs["year"])
        market.check_year(year)
        return market, year

    def _answer(self, market, year, status_code=200) -> Response:
        return Response(_coverage_payload(self.request.user, market, year), status=status_code)

    @extend_schema(summary="The market-year's covered-firm list and each entry's verdict", responses={200: dict})
    def retrieve(self, request, year=None):
        market, year = self.market_year()
        return self._answer(market, year)

    @extend_schema(
        summary="Import candidates from an Excel or CSV sheet (multipart field `file`); all rows or none",
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={200: dict, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="import")
    @idempotent
    def import_candidates(self, request, year=None):
        from mrv.coverage_sheet import SheetErrors
        from mrv.refusals import Refused
        from mrv.uploads import UploadRejected, read_upload

        market, year = self.market_year()
        upload = request.FILES.get("file")
        if upload is None:
            raise Refused(_("Choose a file to import."), code="file_required")
        try:
            data = read_upload(upload)
            coverage = coverage_svc.coverage_list_open(market=market, year=year, acting_user=request.user)
            coverage_svc.coverage_candidates_import(coverage_list=coverage, data=data, acting_user=request.user)
        except SheetErrors as errors:
            return sheet_problem(errors.messages, code="sheet")
        except UploadRejected as rejected:
            raise Refused(str(rejected), code="upload") from None
        return self._answer(market, year)

    @extend_schema(
        summary="Add or change one candidate of the draft list (judged by the market's rule)",
        request=s.CoverageEntryBody,
        responses={200: dict, **ACTION_ERRORS},
        examples=[
            OpenApiExample(
                "candidate",
                value={
                    "name": "上海新电厂有限公司",
                    "credit_code": "91310000MA1FL0000X",
                    "sector": "power",
                    "figures": {"2024": {"emissions_tco2e": "30000"}},
                },
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def entries(self, request, year=None):
        from mrv.refusals import Refused

        market, year = self.market_year()
        data = self.body(s.CoverageEntryBody)
        sector = sector_with_code(data.pop("sector"))
        if sector is None:
            raise Refused(_("Unknown sector."), code="sector")
        coverage = coverage_svc.coverage_list_open(market=market, year=year, acting_user=request.user)
        coverage_svc.coverage_entry_save(coverage_list=coverage, acting_user=request.user, sector=sector, **data)
        return self._answer(market, year)

    @extend_schema(summary="Judge every candidate again", request=None, responses={200: dict, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    @idempotent
    def reevaluate(self, request, year=None):
        market, year = self.market_year()
        coverage = list_for(market, year)
        if coverage is None:
            raise Http404
        coverage_svc.coverage_list_reevaluate(coverage_list=coverage, acting_user=request.user)
        return self._answer(market, year)

    @extend_schema(
        summary="Move the list: propose (officer), approve (another head), return, reopen",
        request=s.ReasonBody,
        parameters=[OpenApiParameter("move", str, OpenApiParameter.PATH, enum=sorted(COVERAGE_ACTIONS))],
        responses={200: dict, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<move>propose|approve|return|reopen)")
    @idempotent
    def move(self, request, year=None, move=None):
        market, year = self.market_year()
        reason = self.body(s.ReasonBody)["reason"]
        coverage = list_for(market, year)
        if coverage is None:
            raise Http404
        COVERAGE_ACTIONS[move](coverage_list=coverage, acting_user=request.user, reason=reason)
        return self._answer(market, year)


class CoverageEntryViewSet(ActionViewSet):
    """A covered firm that closes during the year (an entry of an approved list)."""

    serializer_class = None
    queryset = CoverageEntry.objects.none()

    @extend_schema(
        summary="Record that the firm closed during the year, with the date and the reason",
        request=s.CloseEntryBody,
        responses={200: dict, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        entry = self.visible(coverage_entries_with_market(), pk)
        data = self.body(s.CloseEntryBody)
        coverage_svc.coverage_entry_close(entry=entry, acting_user=request.user, **data)
        coverage = entry.coverage_list
        return Response(_coverage_payload(request.user, coverage.market, coverage.year))
