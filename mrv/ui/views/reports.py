"""Emission reports in the browser: the list, one report with its timeline, evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access, selectors, uploads
from mrv.models import EmissionReport
from mrv.selectors.audit import audit_trail
from mrv.selectors.reports import report_versions, reports_with_firm, reports_with_firm_and_market
from mrv.services import evidence
from mrv.services import reports as svc
from mrv.ui.buttons import allowed
from mrv.ui.forms.reports import YEARS, EvidenceForm, NewReportForm
from mrv.ui.home import with_current_names
from mrv.ui.lists import Column, Filter, ListSpec, render_listing
from mrv.ui.objects import require, visible_or_404
from mrv.ui.views.findings import findings_context
from mrv.workflow import reports as rules
from signin.ratelimit import rate_limited

REPORTS = ListSpec(
    name="reports",
    columns=[
        Column(
            "firm",
            _("firm"),
            "firm.name",
            order_by="firm__name",
            link=lambda r: reverse("ui:report_detail", args=[r.pk]),
        ),
        Column("market", _("market"), "market", order_by="market__code"),
        Column("year", _("compliance year"), "year", order_by="year"),
        Column("period", _("period"), "get_period_display", order_by="period"),
        Column("status", _("status"), "status", order_by="status", badge=True),
        Column("updated", _("updated"), "updated_at", order_by="updated_at"),
    ],
    filters=[
        Filter("year", _("compliance year"), "year", choices=YEARS),
        Filter("period", _("period"), "period", choices=EmissionReport.Period.choices),
        Filter("status", _("status"), "status", choices=EmissionReport.Status.choices),
        Filter("firm", _("firm"), "firm__name__icontains"),
    ],
    default_sort="-year",
    select_related=("firm", "market"),
)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = access.visible_to(request.user, EmissionReport)
    context = {"title": _("Emission reports"), "new_form": NewReportForm() if request.user.is_firm_user else None}
    return render_listing(request, REPORTS, reports, "ui/report_list.html", context)


@login_required
@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    """A firm user starts the report of a year (or quarter, where the market asks for quarterly reports)."""
    require(request.user.is_firm_user, str(svc.NOT_YOUR_FIRM))
    form = NewReportForm(request.POST)
    if form.is_valid():
        try:
            report = svc.report_create(
                firm=request.user.firm,
                year=form.cleaned_data["year"],
                period=form.cleaned_data["period"],
                acting_user=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            return redirect("ui:report_data", pk=report.pk)
    else:
        messages.error(request, _("Choose a year and a period."))
    return redirect("ui:report_list")


def report_context(request: HttpRequest, report: EmissionReport) -> dict:
    return findings_context(request.user, report) | {
        "report": report,
        "versions": report_versions(report),
        "is_firm_user": rules.is_firm_user(report, request.user),
        "can": allowed(report, request.user, attach_evidence=rules.is_report_editor(report, request.user)),
        "timeline": with_current_names(list(audit_trail(report)[:200])),
        "evidence": uploads.files_of(report, "evidence").select_related("uploaded_by"),
        "evidence_form": EvidenceForm(),
        "seals": selectors.report_seals(request.user, report),
    }


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(request.user, reports_with_firm_and_market(), pk=pk)
    return render(request, "ui/report_detail.html", report_context(request, report))


@login_required
@require_POST
@rate_limited("upload")
def report_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    report = visible_or_404(request.user, reports_with_firm(), pk=pk)
    require(rules.is_firm_user(report, request.user), str(evidence.NOT_YOUR_REPORT))
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = uploads.read_upload(upload)
            evidence.report_attach_evidence(
                report=report,
                data=data,
                file_name=upload.name,
                description=form.cleaned_data["description"],
                acting_user=request.user,
            )
        except uploads.UploadRejected as rejected:
            form.add_error("file", rejected.message)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("The evidence is attached."))
            return redirect("ui:report_detail", pk=report.pk)
    context = report_context(request, report) | {"evidence_form": form}
    return render(request, "ui/report_detail.html", context, status=400)
