"""The regulator's registry endpoints: allocation tables (compute, approve, issue with step-up), the compliance
position of the market's firms, statistics, and the import of exchange trades. Same services, selectors and
access rules as the registry's pages (registry/views.py); mounted at /api/v1/registry/ by config/urls.py, so
mrv imports nothing of the registry."""

import re

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mrv import inputs, uploads
from mrv.api.actions import (
    STATE_EXAMPLES,
    STEP_UP_HEADER,
    ActionViewSet,
    problem_responses,
    require_step_up,
    sheet_problem,
)
from mrv.api.conventions import IDEMPOTENCY_KEY, idempotent, problem
from mrv.models import Firm, Market
from mrv.refusals import Refused
from mrv.ui.objects import require
from registry import production, selectors, services
from registry.models import AllocationLine, AllocationTable, Penalty, ProductionRecord

NOT_A_REGULATOR = _("Only a market's regulator may do this.")
ACTION_ERRORS = problem_responses(400, 403, 404, 409)
YEAR = OpenApiParameter("year", int, required=True, description="compliance year")


def regulated_market(request) -> Market:
    """The regulator's own market (the national administrator names one with ?market=code)."""
    user = request.user
    if user.is_regulator:
        return selectors.regulator_market(user=user)
    if user.is_national_admin:
        return selectors.market_by_code(code=str(request.query_params.get("market") or "shanghai")[:40])
    require(False, str(NOT_A_REGULATOR))


def asked_year(request, market: Market) -> int:
    year = inputs.parse_year(request.query_params.get("year", ""))
    market.check_year(year)
    return year


class AllocationLineSerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = AllocationLine
        fields = [
            "firm",
            "firm_name",
            "method",
            "inputs",
            "formula",
            "computed_tco2e",
            "deduction_tco2e",
            "previously_issued_tco2e",
            "free_tco2e",
            "auction_tco2e",
            "from_reserve",
        ]


class AllocationTableSerializer(serializers.ModelSerializer):
    market = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AllocationTable
        fields = ["id", "market", "year", "kind", "status", "created_at"]


class AllocationTableDetailSerializer(AllocationTableSerializer):
    lines = AllocationLineSerializer(many=True, read_only=True)

    class Meta(AllocationTableSerializer.Meta):
        fields = [*AllocationTableSerializer.Meta.fields, "lines"]


class ComputeBody(serializers.Serializer):
    year = serializers.IntegerField(min_value=2013, max_value=2100)
    kind = serializers.ChoiceField(choices=AllocationTable.Kind.choices)


@extend_schema_view(
    list=extend_schema(summary="The market's allocation tables"),
    retrieve=extend_schema(summary="One allocation table with its lines (inputs and formula of each firm)"),
)
class AllocationTableViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    serializer_class = AllocationTableSerializer

    def get_serializer_class(self):
        return AllocationTableDetailSerializer if self.action != "list" else AllocationTableSerializer

    def get_queryset(self):
        return selectors.allocation_tables_visible(user=self.request.user, with_lines=self.action != "list")

    def get_object(self):
        return self.visible(self.get_queryset(), self.kwargs["pk"])

    def _answer(self, table, status_code=200) -> Response:
        table = self.get_queryset().get(pk=table.pk)
        return self.tagged(Response(AllocationTableDetailSerializer(table).data, status=status_code), table)

    def retrieve(self, request, pk=None):
        return self._answer(self.get_object())

    @extend_schema(
        summary="Compute a market-year's table (the market's regulator)",
        request=ComputeBody,
        responses={201: AllocationTableDetailSerializer, **ACTION_ERRORS},
        examples=[OpenApiExample("preliminary", value={"year": 2026, "kind": "preliminary"}, request_only=True)],
    )
    @idempotent
    def create(self, request):
        market = regulated_market(request)
        data = self.body(ComputeBody)
        table = services.allocation_table_compute(market=market, acting_user=request.user, **data)
        return self._answer(table, 201)

    @extend_schema(
        summary="Approve the computed table (a regulator head)",
        request=None,
        responses={200: AllocationTableDetailSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, pk=None):
        table = self.get_object()
        services.allocation_table_approve(table=table, acting_user=request.user)
        return self._answer(table)

    @extend_schema(
        summary="Issue the approved table's free allowances (step-up)",
        description=f"Needs a fresh second factor in the `{STEP_UP_HEADER}` header (see approve-determination).",
        request=None,
        parameters=[OpenApiParameter(STEP_UP_HEADER, str, OpenApiParameter.HEADER, required=False)],
        responses={200: AllocationTableDetailSerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request, pk=None):
        table = self.get_object()
        require_step_up(request)
        services.allocation_table_issue(table=table, acting_user=request.user)
        return self._answer(table)


class ComplianceRowSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.SerializerMethodField()
    status = serializers.CharField()
    obligation_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0, allow_null=True)
    allowances_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    offsets_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    carried_in_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    shortfall_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    deadline = serializers.DateField(allow_null=True)
    late = serializers.BooleanField()

    def get_firm_name(self, row) -> str:
        return self.context["names"].get(row.firm_id, "")


class ComplianceViewSet(ActionViewSet):
    """The compliance position of every obliged firm of the market-year (the compliance dashboard)."""

    serializer_class = ComplianceRowSerializer
    pagination_class = None
    queryset = Firm.objects.none()

    @extend_schema(
        summary="Every obliged firm's compliance position",
        parameters=[YEAR],
        responses={200: ComplianceRowSerializer(many=True), **problem_responses(400, 403, 404)},
    )
    def list(self, request):
        market = regulated_market(request)
        year = asked_year(request, market)
        statuses = selectors.compliance_statuses(market, year)
        names = selectors.firm_names(ids=[s.firm_id for s in statuses])
        return Response(ComplianceRowSerializer(statuses, many=True, context={"names": names}).data)


class StatisticsSerializer(serializers.Serializer):
    market = serializers.CharField(source="market.code")
    year = serializers.IntegerField()
    obliged_firms = serializers.IntegerField()
    compliant_firms = serializers.IntegerField()
    compliance_rate_pct = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    cap_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0, allow_null=True)
    allocated_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    issued_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    surrendered_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    offsets_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)
    traded_tco2e = serializers.DecimalField(max_digits=16, decimal_places=0)


class StatisticsViewSet(ActionViewSet):
    serializer_class = StatisticsSerializer
    pagination_class = None
    queryset = Market.objects.none()

    @extend_schema(
        summary="The market's figures by year (the statistics page's series)",
        parameters=[YEAR],
        responses={200: StatisticsSerializer(many=True), **problem_responses(400, 403, 404)},
    )
    def list(self, request):
        market = regulated_market(request)
        year = asked_year(request, market)
        years = sorted({*selectors.statistics_years(), year})
        return Response(StatisticsSerializer(selectors.statistics_series(market, years), many=True).data)


class TradeImportViewSet(ActionViewSet):
    serializer_class = None

    @extend_schema(
        summary="Record the exchange's trades from a CSV file (multipart field `file`); all rows or none",
        description="A file of more than TRADE_IMPORT_INLINE_ROWS rows is checked and recorded by a worker, as in "
        "the browser: 202 with the job, whose page shows the progress and the bad rows.",
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={201: dict, 202: dict, **problem_responses(400, 403)},
    )
    @idempotent
    def create(self, request):
        market = regulated_market(request)
        upload = request.FILES.get("file")
        if upload is None:
            raise Refused(_("Choose a file to import."), code="file_required")
        data = uploads.read_upload(upload)
        uploads.check_name(uploads.CSV, upload.name)
        if services.trades_import_is_large(data):
            job = services.trades_import_later(
                market=market,
                data=data,
                file_name=upload.name,
                acting_user=request.user,
                return_url=reverse("registry:trade_import"),
            )
            return Response({"job": job.pk, "job_url": reverse("ui:job_detail", args=[job.pk])}, status=202)
        try:
            recorded = services.trades_import(market=market, data=data, acting_user=request.user)
        except services.ImportRejected as rejected:
            return sheet_problem(rejected.errors, code="import")
        return Response({"recorded": len(recorded), "transactions": [t.pk for t in recorded]}, status=201)


class PenaltySerializer(serializers.ModelSerializer):
    firm_name = serializers.CharField(source="firm.name", read_only=True)

    class Meta:
        model = Penalty
        fields = [
            "id",
            "firm",
            "firm_name",
            "year",
            "shortfall_tco2e",
            "fine_cny",
            "deduction_tco2e",
            "status",
            "decision_text",
            "created_at",
        ]


class ProposePenaltyBody(serializers.Serializer):
    firm = serializers.IntegerField(min_value=1, max_value=2**62)
    year = serializers.IntegerField(min_value=2013, max_value=2100)


class DecisionBody(serializers.Serializer):
    decision_text = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


class PenaltyViewSet(ActionViewSet):
    """Penalties of a year's shortfall: the regulator proposes, decides (step-up) or withdraws, as on the page.
    Reading them (`GET /penalties/`, `/penalties/{id}/`) is the firms' and regulators' shared endpoint."""

    serializer_class = PenaltySerializer

    def get_queryset(self):
        return selectors.penalties_visible(user=self.request.user)

    def _penalty(self) -> Penalty:
        return self.visible(self.get_queryset(), self.kwargs["pk"])

    def _answer(self, penalty, status_code=200) -> Response:
        penalty = self.get_queryset().get(pk=penalty.pk)
        return self.tagged(Response(PenaltySerializer(penalty).data, status=status_code), penalty)

    @extend_schema(
        summary="Propose the penalty of a firm's shortfall for a year (the market's regulator)",
        request=ProposePenaltyBody,
        responses={201: PenaltySerializer, **ACTION_ERRORS},
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def propose(self, request):
        regulated_market(request)
        data = self.body(ProposePenaltyBody)
        firm = self.visible(Firm, data["firm"])
        penalty = services.penalty_propose(firm=firm, year=data["year"], acting_user=request.user)
        return self._answer(penalty, 201)

    @extend_schema(
        summary="Decide the enforcement (step-up)",
        description=f"Needs a fresh second factor in the `{STEP_UP_HEADER}` header (see approve-determination).",
        request=DecisionBody,
        parameters=[OpenApiParameter(STEP_UP_HEADER, str, OpenApiParameter.HEADER, required=False)],
        responses={200: PenaltySerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def decide(self, request, pk=None):
        penalty = self._penalty()
        text = self.body(DecisionBody)["decision_text"]
        require_step_up(request)
        services.penalty_decide(penalty=penalty, decision_text=text, acting_user=request.user)
        return self._answer(penalty)

    @extend_schema(
        summary="Withdraw the proposed penalty, with the reason",
        request=DecisionBody,
        responses={200: PenaltySerializer, **ACTION_ERRORS},
        examples=STATE_EXAMPLES,
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, pk=None):
        penalty = self._penalty()
        text = self.body(DecisionBody)["decision_text"]
        services.penalty_withdraw(penalty=penalty, reason=text, acting_user=request.user)
        return self._answer(penalty)


# The production sheet's messages name their cell in either language (registry.production_sheet): the row and the
# column are also given as data, so a client system can point at the cell without reading the sentence.
CELL_PATTERNS = (
    re.compile(r"Row (\d+), column ([^:]+):"),
    re.compile(r"Row (\d+): the column “([^”]+)”"),
    re.compile(r"第 (\d+) 行第 (.+?) 列："),
    re.compile(r"第 (\d+) 行，(.+?) 列："),
    re.compile(r"第 (\d+) 行：缺少“([^”]+)”列"),
)


def cell_errors(messages) -> list[dict]:
    """One problem entry per bad cell of an imported file: `pointer` #/file, `detail`, and `row`/`column` when
    the message names them (the file's row number, 1 = header; the column's header name or position)."""
    errors = []
    for text in map(str, messages):
        entry = {"pointer": "#/file", "detail": text, "code": "invalid"}
        found = next((m for m in (p.search(text) for p in CELL_PATTERNS) if m), None)
        if found:
            entry |= {"row": int(found.group(1)), "column": found.group(2).strip()}
        errors.append(entry)
    return errors


class ProductionImportIn(serializers.Serializer):
    file = serializers.FileField(
        help_text="Excel (.xlsx) or CSV: a header row (credit_code, year, output, and optionally declared_tco2e, "
        "verified; or the Chinese headers 统一社会信用代码, 年份, 产量, 自主申报量, 已核查), then one firm-year a row"
    )


class ProductionRecordOut(serializers.ModelSerializer):
    credit_code = serializers.SerializerMethodField()
    verified = serializers.BooleanField(source="is_verified")

    class Meta:
        model = ProductionRecord
        fields = ["firm", "credit_code", "year", "output", "declared_tco2e", "verified"]

    def get_credit_code(self, record) -> str:
        return self.context["codes"].get(record.firm_id, "")


class ProductionImportOut(serializers.Serializer):
    saved = serializers.IntegerField(help_text="firm-years created or replaced")
    records = ProductionRecordOut(many=True)


class ProductionImportViewSet(ActionViewSet):
    """The regulator's bulk import of production data (allocation inputs), as on the allocation inputs page."""

    serializer_class = ProductionImportIn
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import firm-years of production data (allocation inputs) from Excel or CSV; all rows or none",
        description="The market's regulator (the national administrator names the market with ?market=code). "
        "Each row replaces the firm-year's output, self-declaration and verified flag; one audit entry lists every "
        "firm-year before and after. A bad cell is a 400 problem document whose `errors` name each cell "
        "(`row`, `column`), and nothing is saved; a credit code of a firm of another market is such a bad cell.",
        request={"multipart/form-data": ProductionImportIn},
        parameters=[IDEMPOTENCY_KEY, OpenApiParameter("market", str, required=False)],
        responses={201: ProductionImportOut, **problem_responses(400, 403, 404, 409)},
    )
    @idempotent
    def create(self, request):
        market = regulated_market(request)
        data = self.body(ProductionImportIn)
        upload = data["file"]
        try:
            content = uploads.read_upload(upload)
            records = production.production_import(market=market, data=content, acting_user=request.user)
        except uploads.UploadRejected as rejected:
            return _sheet_refused([rejected.message])
        except production.ProductionSheetRejected as rejected:
            return _sheet_refused(rejected.errors)
        codes = selectors.firm_credit_codes(ids={r.firm_id for r in records})
        records = sorted(records, key=lambda r: (codes.get(r.firm_id, ""), r.year))
        body = {
            "saved": len(records),
            "records": ProductionRecordOut(records, many=True, context={"codes": codes}).data,
        }
        return Response(body, status=201)


def _sheet_refused(messages) -> Response:
    texts = [str(m) for m in messages]
    return problem(400, " ".join(texts[:3]), code="production_sheet", errors=cell_errors(texts))
