"""A firm's emission reports through the API: the same services and access rules as the browser.

Reports are found among those `mrv.access` lets the caller see (another tenant's report: 404); what the
caller may do is decided by the services (403 not yours, 409 not in this state, 400 bad input). Writes and
actions take `If-Match` (412 when stale); POSTs that create or move something take an `Idempotency-Key`.
"""

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from mrv import activity_sheet as sheet
from mrv import uploads
from mrv.api import conventions as c
from mrv.api import report_serializers as rs
from mrv.api.filters import ReportFilter
from mrv.api.views import ScopedViewSet
from mrv.models import EmissionReport
from mrv.records.certification import FIRM_SUBMISSION
from mrv.refusals import Refused
from mrv.report_diff import report_diff
from mrv.selectors.audit import last_audit_pks
from mrv.selectors.plans import plan_in_force
from mrv.selectors.reports import report_calculation, report_validation, report_versions_numbered, reports_for_api
from mrv.selectors.verification import findings_with_answers
from mrv.services import evidence
from mrv.services import reports as svc
from mrv.services import verification as verification_svc
from mrv.transitions import transitions_for
from mrv.ui import report_data as sheet_data
from mrv.validation import NO_PLAN_IN_FORCE
from mrv.workflow import reports as rules

WRITE = c.problems(400, 403, 404, 409, 412)
ACTION = c.problems(400, 403, 404, 409, 412)


def _messages(messages) -> list[dict]:
    return [m.as_dict() for m in messages]


def validation_body(checked) -> dict:
    return {
        "ok": checked.ok,
        "errors": _messages(checked.errors),
        "warnings": _messages(checked.warnings),
        "totals": checked.result.as_dict()["totals"] if checked.result is not None else None,
    }


NO_SUCH_REPORT = _("There is no such report among those you may see.")


def _batch_error(position: int, report: EmissionReport, message: str) -> dict:
    """A problem of a batch's entry, pointing at its row where the message names one (the services' "Row N")."""
    entry = {"pointer": f"#/reports/{position}/rows", "detail": str(message), "code": "invalid", "report": report.pk}
    found = c.ROW_IN_MESSAGE.search(str(message))
    if found:
        entry["row"] = int(found.group(1))
        entry["pointer"] = f"#/reports/{position}/rows/{entry['row'] - 1}"
    return entry


def report_body(report: EmissionReport, user) -> dict:
    report.actions = sorted(transitions_for(report, user) | ({"edit"} if rules.is_data_editor(report, user) else set()))
    return rs.ReportDetail(report).data


@extend_schema_view(
    list=extend_schema(summary="Reports you may see", responses={200: rs.ReportDetail(many=True), **c.problems(400)}),
    retrieve=extend_schema(
        summary="One report, with the actions you may take now (ETag for If-Match)",
        responses={200: rs.ReportDetail, **c.problems(404)},
    ),
)
class ReportViewSet(mixins.CreateModelMixin, ScopedViewSet):
    serializer_class = rs.ReportDetail
    filterset_class = ReportFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    rows_field = "rows"  # the services' "Row N" messages point into the request's `rows`

    def base_queryset(self):
        return reports_for_api()

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        return c.with_etag(Response(report_body(report, request.user)), report)

    def _locked(self, request) -> EmissionReport:
        """The report (404 if not visible), row-locked, checked against If-Match; call inside a transaction."""
        # One query: among the reports the caller may see (404 otherwise), locked, with firm and market loaded
        # (the audit row and the validation use them). The visibility rule is a subquery, so FOR UPDATE locks the
        # report row alone whatever joins the rule needs.
        visible = self.get_queryset().values("pk")
        queryset = self.base_queryset().select_for_update(of=("self",)).filter(pk__in=visible)
        report = generics.get_object_or_404(queryset, pk=self.kwargs["pk"])
        self.check_object_permissions(request, report)
        c.check_if_match(request, report)
        return report

    @extend_schema(
        summary="Open a draft report of your firm for a year",
        request=rs.ReportCreateIn,
        parameters=[c.IDEMPOTENCY_KEY],
        responses={201: rs.ReportDetail, **c.problems(400, 403, 409)},
    )
    @c.idempotent
    def create(self, request, *args, **kwargs):
        data = rs.ReportCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        firm = request.user.firm if request.user.is_firm_user else None
        if firm is None:
            raise PermissionDenied(str(svc.NOT_YOUR_FIRM))
        report = svc.report_create(firm=firm, acting_user=request.user, **data.validated_data)
        response = Response(report_body(report, request.user), status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/reports/{report.pk}/"
        return c.with_etag(response, report)

    # --- Data -------------------------------------------------------------------------------------------

    @extend_schema(summary="The activity data rows of the report", responses={200: rs.ActivityRowOut(many=True)})
    @action(detail=True, methods=["get"], url_path="activity-data")
    def activity_data(self, request, pk=None):
        report = self.get_object()
        rows = report.activity_rows.order_by("stream_code", "month")
        return c.with_etag(Response(rs.ActivityRowOut(rows, many=True).data), report)

    @extend_schema(
        summary="Create or replace rows (by stream and month) of a draft; all or nothing",
        description="Rows not sent are kept. Input that cannot be stored is a 400 naming each row "
        "(`errors[].row`, `errors[].pointer`); what is stored but blocks submission comes back in `errors`.",
        request=rs.ActivityDataIn,
        parameters=[c.IF_MATCH],
        responses={200: rs.ValidationOut, **WRITE},
    )
    @activity_data.mapping.put
    def activity_data_put(self, request, pk=None):
        with transaction.atomic():
            report = self._locked(request)
            data = rs.ActivityDataIn(data=request.data)
            data.is_valid(raise_exception=True)
            svc.report_store_activity_data(report=report, rows=data.validated_data["rows"], acting_user=request.user)
        # Validated once committed: from its audit row to the commit, a write holds the market's audit chain, so
        # validating inside would make every other firm of the market wait for this one's validation.
        return c.with_etag(Response(validation_body(report_validation(report))), report)

    @extend_schema(
        operation_id="api_v1_reports_activity_data_batch_update",
        summary="Create or replace activity data rows of many drafts in one request; all or nothing",
        description="For a firm's systems and for a person entrusted with the data of many firms (a data-entry "
        "mandate): each entry names a report you may enter data for, optionally its ETag (`if_match`), and its "
        "rows, as the single report's PUT takes them. Rows not sent are kept. Any row that cannot be stored is a "
        "400 naming it (`errors[].pointer` `#/reports/2/rows/0/…`, `errors[].report`, `errors[].row`); a report "
        "you may not see is a 404 naming its entry, a stale `if_match` a 412, a report no longer open a 409; "
        "nothing is stored then. The reports are not validated in this request: read each one's `validation`.",
        request=rs.ActivityDataBatchIn,
        responses={200: rs.ActivityDataBatchOut, **c.problems(400, 403, 404, 409, 412)},
    )
    @action(detail=False, methods=["put"], url_path="activity-data")
    def activity_data_batch(self, request):
        data = rs.ActivityDataBatchIn(data=request.data)
        data.is_valid(raise_exception=True)
        entries = data.validated_data["reports"]
        with transaction.atomic():
            ids = {entry["report"] for entry in entries}
            visible = self.get_queryset().values("pk")
            locked = self.base_queryset().select_for_update(of=("self",)).filter(pk__in=visible).filter(pk__in=ids)
            found = {report.pk: report for report in locked.order_by("pk")}
            missing = [
                {
                    "pointer": f"#/reports/{i}/report",
                    "detail": str(NO_SUCH_REPORT),
                    "code": "not_found",
                    "report": e["report"],
                }
                for i, e in enumerate(entries)
                if e["report"] not in found
            ]
            if missing:
                return c.problem(404, NO_SUCH_REPORT, code="not_found", errors=missing)
            versions = last_audit_pks(EmissionReport, ids)
            stale = [
                {"pointer": f"#/reports/{i}/if_match", "detail": str(c.STALE % {"etag": current}), "code": "stale"}
                | {"report": e["report"]}
                for i, e in enumerate(entries)
                if not c.etag_matches(
                    e.get("if_match", ""), current := c.etag_at(found[e["report"]], versions[e["report"]])
                )
            ]
            if stale:
                return c.problem(412, stale[0]["detail"], code="stale", errors=stale)
            try:
                stored = svc.reports_store_activity_data(
                    entries=[(found[entry["report"]], entry["rows"]) for entry in entries], acting_user=request.user
                )
            except svc.BatchRejected as rejected:
                errors = [_batch_error(position, report, message) for position, report, message in rejected.problems]
                return c.problem(
                    400, errors[0]["detail"] if len(errors) == 1 else c.TITLES[400], code="invalid", errors=errors
                )
        versions = last_audit_pks(EmissionReport, stored)
        body = {
            "reports": [
                {
                    "report": pk,
                    "stored": count,
                    "etag": c.etag_at(found[pk], versions[pk]),
                    "validation": f"/api/v1/reports/{pk}/validation/",
                }
                for pk, count in stored.items()
            ]
        }
        return Response(rs.ActivityDataBatchOut(body).data)

    @extend_schema(
        summary="The report's errors, warnings and totals as the services check it now",
        responses={200: rs.ValidationOut, **c.problems(404)},
    )
    @action(detail=True, methods=["get"])
    def validation(self, request, pk=None):
        report = self.get_object()
        return c.with_etag(Response(validation_body(report_validation(report))), report)

    @extend_schema(
        summary="The Excel template of the plan in force, with the rows saved so far",
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            **c.problems(403, 404, 409),
        },
    )
    @action(detail=True, methods=["get"], url_path="activity-data/template")
    def template(self, request, pk=None):
        report = self.get_object()
        if not rules.is_data_entrant(report, request.user):
            raise PermissionDenied(str(svc.NOT_DATA_ENTRANT))
        plan = plan_in_force(report.firm, report.period_end)
        if plan is None:
            raise Refused(NO_PLAN_IN_FORCE % {"date": report.period_end.isoformat()}, code="no_plan")
        context = sheet_data.sheet_context(report, plan)
        content = sheet.template_workbook(context, sheet_data.as_sheet_rows(report.activity_rows.all()))
        response = HttpResponse(content, content_type=uploads.CONTENT_TYPES[uploads.XLSX])
        name = f"activity-{report.firm.credit_code}-{sheet_data.period_label(report)}-plan-v{plan.version}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        summary="Upload the filled-in template (Excel or CSV): all rows or none",
        request={"multipart/form-data": rs.UploadIn},
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={200: rs.ValidationOut, **c.problems(400, 403, 404, 409, 412, 413)},
    )
    @action(detail=True, methods=["post"], url_path="activity-data/upload")
    @c.idempotent
    def upload(self, request, pk=None):
        report = self._locked(request)
        data = rs.UploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        svc.report_upload_activity_sheet(report=report, file=data.validated_data["file"], acting_user=request.user)
        return c.with_etag(Response(validation_body(report_validation(report))), report)

    @extend_schema(summary="Product output and energy supply rows", responses={200: rs.OutputRowOut(many=True)})
    @action(detail=True, methods=["get"], url_path="output-data")
    def output_data(self, request, pk=None):
        report = self.get_object()
        return c.with_etag(
            Response(rs.OutputRowOut(report.output_rows.order_by("kind", "name"), many=True).data), report
        )

    @extend_schema(
        summary="Create or replace output rows (by kind and name) of a draft; all or nothing",
        request=rs.OutputDataIn,
        parameters=[c.IF_MATCH],
        responses={200: rs.ValidationOut, **WRITE},
    )
    @output_data.mapping.put
    def output_data_put(self, request, pk=None):
        with transaction.atomic():
            report = self._locked(request)
            data = rs.OutputDataIn(data=request.data)
            data.is_valid(raise_exception=True)
            checked = svc.report_save_output_data(
                report=report, rows=data.validated_data["rows"], acting_user=request.user
            )
        return c.with_etag(Response(validation_body(checked)), report)

    # --- Calculation and warnings -----------------------------------------------------------------------

    @extend_schema(
        summary="Emissions per line, per gas and in total",
        description="A draft or returned report is calculated from its current rows; any other from the "
        "version submitted last.",
        responses={200: rs.CalculationOut, **c.problems(404)},
    )
    @action(detail=True, methods=["get"])
    def calculation(self, request, pk=None):
        report = self.get_object()
        calculated = report_calculation(report)
        result = calculated.result
        body = {
            "source": calculated.source,
            "version": calculated.version,
            "gwp_set": result.gwp_set if result else None,
            "lines": result.as_dict()["lines"] if result else [],
            "totals": result.as_dict()["totals"] if result else None,
            "errors": _messages(calculated.errors),
        }
        return c.with_etag(Response(body), report)

    @extend_schema(summary="Current warnings, each with its acknowledgement", responses={200: rs.WarningOut(many=True)})
    @action(detail=True, methods=["get"])
    def warnings(self, request, pk=None):
        report = self.get_object()
        acks = {a.key: a.reason for a in report.acknowledgements.all()}
        rows = [
            w.as_dict() | {"acknowledged": bool(acks.get(w.key, "").strip()), "reason": acks.get(w.key, "")}
            for w in report_validation(report).warnings
        ]
        return c.with_etag(Response(rows), report)

    @extend_schema(
        summary="Acknowledge warnings with reasons (all or none)",
        description="Repeating an acknowledgement replaces its reason, so no Idempotency-Key is needed.",
        request=rs.AcknowledgeIn,
        parameters=[c.IF_MATCH],
        responses={200: rs.WarningOut(many=True), **WRITE},
    )
    @action(detail=True, methods=["post"], url_path="warnings/acknowledge")
    def acknowledge(self, request, pk=None):
        with transaction.atomic():
            report = self._locked(request)
            data = rs.AcknowledgeIn(data=request.data)
            data.is_valid(raise_exception=True)
            for item in data.validated_data["acknowledgements"]:
                svc.report_acknowledge_warning(report=report, acting_user=request.user, **item)
        return self.warnings(request, pk)

    # --- Evidence ---------------------------------------------------------------------------------------

    @extend_schema(summary="Evidence files attached to the report", responses={200: rs.StoredFileOut(many=True)})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        report = self.get_object()
        return Response(rs.StoredFileOut(uploads.files_of(report, "evidence").order_by("pk"), many=True).data)

    @extend_schema(
        summary="Attach an evidence file (invoice, meter reading, lab result)",
        request={"multipart/form-data": rs.EvidenceIn},
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={201: rs.StoredFileOut, **c.problems(400, 403, 404, 409, 412, 413)},
    )
    @evidence.mapping.post
    @c.idempotent
    def evidence_post(self, request, pk=None):
        report = self._locked(request)
        data = rs.EvidenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        stored = evidence.report_attach_evidence(
            report=report,
            data=uploads.read_upload(upload),
            file_name=upload.name,
            description=data.validated_data["description"],
            acting_user=request.user,
        )
        return c.with_etag(Response(rs.StoredFileOut(stored).data, status=201), report)

    # --- Actions ----------------------------------------------------------------------------------------

    def _submitted(self, request, service) -> Response:
        report = self._locked(request)
        data = c.SubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        version = service(
            report=report,
            acting_user=request.user,
            reason=data.validated_data["reason"],
            certification=c.signing_certification(request, FIRM_SUBMISSION),
        )
        report.refresh_from_db()
        body = {"report": report_body(report, request.user), "version": version.number}
        return c.with_etag(Response(body), report)

    @extend_schema(
        summary="Submit a draft: errors block, every warning must be acknowledged; returns the new state",
        request=c.SubmitIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH, c.SECOND_FACTOR],
        responses={200: rs.SubmittedOut, **ACTION},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def submit(self, request, pk=None):
        return self._submitted(request, svc.report_submit)

    @extend_schema(
        summary="Resubmit a report returned to the firm, as a new version",
        request=c.SubmitIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH, c.SECOND_FACTOR],
        responses={200: rs.SubmittedOut, **ACTION},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def resubmit(self, request, pk=None):
        return self._submitted(request, svc.report_resubmit)

    @extend_schema(
        summary="Withdraw a submitted report back to draft (while no verifier has accepted the year)",
        request=rs.ReasonIn,
        parameters=[c.IDEMPOTENCY_KEY, c.IF_MATCH],
        responses={200: rs.ReportDetail, **ACTION},
    )
    @action(detail=True, methods=["post"])
    @c.idempotent
    def withdraw(self, request, pk=None):
        report = self._locked(request)
        data = rs.ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        svc.report_withdraw(report=report, acting_user=request.user, reason=data.validated_data["reason"])
        return c.with_etag(Response(report_body(report, request.user)), report)

    # --- Versions, diff, findings -----------------------------------------------------------------------

    def _versions(self, report):
        return report_versions_numbered(report)

    @extend_schema(summary="The submitted versions", responses={200: rs.VersionOut(many=True), **c.problems(404)})
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        return Response(rs.VersionOut(self._versions(self.get_object()), many=True).data)

    @extend_schema(
        summary="One submitted version: its data and calculation as frozen",
        operation_id="api_v1_reports_version_detail",
        responses={200: rs.VersionDetailOut, **c.problems(404)},
    )
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]{1,6})")
    def version(self, request, pk=None, number=None):
        found = get_object_or_404(self._versions(self.get_object()), number=int(number))
        return Response(rs.VersionDetailOut(found).data)

    @extend_schema(
        summary="What changed between two versions",
        parameters=[
            OpenApiParameter("from_version", int, required=True),
            OpenApiParameter("to_version", int, required=True),
        ],
        responses={200: rs.DiffOut, **c.problems(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        versions = self._versions(self.get_object())
        query = rs.DiffQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        a = get_object_or_404(versions, number=query.validated_data["from_version"])
        b = get_object_or_404(versions, number=query.validated_data["to_version"])
        return Response(rs.DiffOut(report_diff(a, b)).data)

    def _findings(self, report):
        return findings_with_answers(report)

    @extend_schema(
        summary="The verifier's findings, with the firm's answers", responses={200: rs.FindingOut(many=True)}
    )
    @action(detail=True, methods=["get"])
    def findings(self, request, pk=None):
        return Response(rs.FindingOut(self._findings(self.get_object()), many=True).data)

    @extend_schema(
        summary="Answer an open or reopened finding",
        request=rs.AnswerIn,
        parameters=[c.IDEMPOTENCY_KEY],
        responses={201: rs.FindingOut, **c.problems(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path=r"findings/(?P<finding_pk>[0-9]{1,12})/answer")
    @c.idempotent
    def finding_answer(self, request, pk=None, finding_pk=None):
        finding = get_object_or_404(self._findings(self.get_object()), pk=int(finding_pk))
        data = rs.AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        verification_svc.finding_answer(finding=finding, text=data.validated_data["text"], acting_user=request.user)
        return Response(rs.FindingOut(self._findings(finding.report).get(pk=finding.pk)).data, status=201)
