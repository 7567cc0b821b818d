"""The firm's work on a report: the data grid (with live recalculation), the Excel template, the upload,
warnings acknowledged with a reason, submission, withdrawal, and the diff between versions.

Every change is a POST to a service of `mrv.services.reports`; every view first finds the report
among those the user may see (404) and checks the action against the user's role (403).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import activity_sheet as sheet
from mrv import calculation, uploads
from mrv.models import EmissionReport
from mrv.records.certification import FIRM_SUBMISSION, certification_from_session
from mrv.refusals import Refused, refusal_response
from mrv.report_diff import report_diff
from mrv.selectors.plans import plan_in_force
from mrv.selectors.reports import (
    report_acknowledgements,
    report_validation,
    report_versions_in_order,
    reports_for_data_entry,
)
from mrv.services import background_uploads
from mrv.services import reports as svc
from mrv.ui import report_data as data
from mrv.ui.buttons import allowed
from mrv.ui.forms.report_data import AcknowledgeForm, DiffForm, OutputForm, UploadForm
from mrv.ui.objects import require, visible_or_404
from mrv.workflow import reports as rules
from signin.mfa import step_up_required
from signin.ratelimit import rate_limited

GRID_NOT_A_NUMBER = _("%(stream)s, month %(month)s, %(field)s: “%(value)s” is not a number.")
GRID_BAD_NUMBER = _("%(stream)s, month %(month)s, %(field)s: %(why)s")
GRID_NEGATIVE = _("%(stream)s, month %(month)s, %(field)s: the value must not be negative.")
NO_PLAN = _("No approved monitoring plan is in force for this period: the template and the grid follow the plan.")
SAVED = _("The data is saved.")
UPLOADED = _("The file is read and its %(rows)s rows are saved.")
NOTHING_SAVED = _("Nothing was saved: correct the problems below and try again.")
SUBMITTED = _("Version %(number)s is submitted.")
WITHDRAWN = _("The report is withdrawn and back in draft.")
ACKNOWLEDGED = _("The warning is acknowledged.")


def _report(request: HttpRequest, pk: int) -> EmissionReport:
    return visible_or_404(request.user, reports_for_data_entry(), pk=pk)


def _entrant_report(request: HttpRequest, pk: int) -> EmissionReport:
    """The report, for whoever enters its data (the firm's people or a person it entrusted with its data)."""
    report = _report(request, pk)
    require(rules.is_data_entrant(report, request.user), str(svc.NOT_DATA_ENTRANT))
    return report


def _firm_report(request: HttpRequest, pk: int) -> EmissionReport:
    report = _report(request, pk)
    require(rules.is_firm_user(report, request.user), str(svc.NOT_YOUR_FIRM))
    return report


def parse_grid(post, report: EmissionReport, plan) -> tuple[list[sheet.ActivityRow], dict[str, str]]:
    """The grid's inputs (only the names the plan defines) as rows; {input name: problem}."""
    rows, problems = [], {}
    for stream in plan.streams.all():
        names = ("activity", *data.entered_parameters(stream))
        for month in report.months:
            values = {}
            for name in names:
                key = data.input_name(stream.code, month, name)
                raw = (post.get(key) or "").strip()
                try:
                    values[name] = sheet.parse_number(raw)
                except sheet.NumberRejected as rejected:
                    problems[key] = GRID_BAD_NUMBER % {
                        "stream": stream.code,
                        "month": month,
                        "field": sheet.HEADINGS[name],
                        "why": rejected.why,
                    }
                    continue
                except ValueError:
                    problems[key] = GRID_NOT_A_NUMBER % {
                        "stream": stream.code,
                        "month": month,
                        "field": sheet.HEADINGS[name],
                        "value": raw[:40],
                    }
                    continue
                negative_allowed = name == "activity" and calculation.negative_activity_allowed(stream.method)
                if values[name] is not None and values[name] < 0 and not negative_allowed:
                    problems[key] = GRID_NEGATIVE % {
                        "stream": stream.code,
                        "month": month,
                        "field": sheet.HEADINGS[name],
                    }
            if any(v is not None for v in values.values()):
                rows.append(sheet.ActivityRow(stream.code, month, **values))
    return rows, problems


def _page_context(
    request, report, plan, *, values=None, checked=None, grid_problems=None, upload_form=None, upload_issues=None
) -> dict:
    if plan is not None and values is None:
        values = {(r.stream, r.month): r for r in data.as_sheet_rows(report.activity_rows.all())}
    if plan is not None and checked is None:
        checked = report_validation(report, plan=plan)
    acks = {a.key: a for a in report_acknowledgements(report)}
    return {
        "report": report,
        "plan": plan,
        "grids": data.grid(report, plan, values or {}, checked) if plan else [],
        "checked": checked,
        "report_errors": data.report_wide_messages(checked, "error"),
        "warnings": [(w, acks.get(w.key)) for w in (checked.warnings if checked else [])],
        "grid_problems": grid_problems or {},
        "can": allowed(report, request.user, edit=rules.is_data_editor(report, request.user)),
        "upload_form": upload_form or UploadForm(),
        "upload_issues": upload_issues or [],
        "inline_max": settings.UPLOAD_INLINE_MAX_BYTES,
        "ack_form": AcknowledgeForm(),
        "outputs": report.output_rows.all(),
        "output_form": OutputForm(),
        "quarters_to_take_over": rules.is_report_editor(report, request.user)
        and report.period == EmissionReport.Period.ANNUAL
        and report.market.rule_pack_for(report.year).quarterly_reporting,
    }


@login_required
@require_POST
def report_take_over_quarterly(request: HttpRequest, pk: int) -> HttpResponse:
    """Shenzhen: the annual draft takes over the data of the four submitted quarters."""
    report = _firm_report(request, pk)
    try:
        svc.report_take_over_quarterly(report=report, acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The four quarters' data are taken over into the annual report."))
    return redirect("ui:report_data", pk=report.pk)


@login_required
@require_GET
def report_data(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    plan = plan_in_force(report.firm, report.period_end)
    return render(request, "ui/report_data.html", _page_context(request, report, plan))


@login_required
@require_POST
def report_data_save(request: HttpRequest, pk: int) -> HttpResponse:
    report = _entrant_report(request, pk)
    plan = plan_in_force(report.firm, report.period_end)
    if plan is None:
        messages.error(request, NO_PLAN)
        return redirect("ui:report_data", pk=report.pk)
    rows, problems = parse_grid(request.POST, report, plan)
    if not problems:
        try:
            svc.report_save_activity_data(report=report, rows=data.service_rows(rows), acting_user=request.user)
        except ValidationError as error:
            problems = {f"service-{n}": m for n, m in enumerate(error.messages)}
        else:
            messages.success(request, SAVED)
            return redirect("ui:report_data", pk=report.pk)
    messages.error(request, NOTHING_SAVED)
    values = {(r.stream, r.month): r for r in rows}
    context = _page_context(request, report, plan, values=values, checked=None, grid_problems=problems)
    return render(request, "ui/report_data.html", context, status=400)


@login_required
@require_POST
def report_data_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The emissions, errors and warnings of what is typed into the grid, without saving (htmx)."""
    report = _entrant_report(request, pk)
    plan = plan_in_force(report.firm, report.period_end)
    require(plan is not None, str(NO_PLAN))
    rows, problems = parse_grid(request.POST, report, plan)
    checked = None if problems else report_validation(report, plan=plan, rows=data.unsaved_rows(report, rows))
    context = {
        "report": report,
        "checked": checked,
        "grid_problems": problems,
        "preview": True,
        "report_errors": data.report_wide_messages(checked, "error"),
        "all_errors": checked.errors if checked else [],
    }
    return render(request, "ui/includes/report_results.html", context)


@login_required
@require_GET
def report_template(request: HttpRequest, pk: int) -> HttpResponse:
    report = _entrant_report(request, pk)
    plan = plan_in_force(report.firm, report.period_end)
    if plan is None:
        messages.error(request, NO_PLAN)
        return redirect("ui:report_data", pk=report.pk)
    context = data.sheet_context(report, plan)
    content = sheet.template_workbook(context, data.as_sheet_rows(report.activity_rows.all()))
    response = HttpResponse(content, content_type=uploads.CONTENT_TYPES[uploads.XLSX])
    name = f"activity-{report.firm.credit_code}-{data.period_label(report)}-plan-v{plan.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
@rate_limited("upload")
def report_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a filled-in template; any problem in the file saves nothing and names row and column."""
    report = _entrant_report(request, pk)
    plan = plan_in_force(report.firm, report.period_end)
    if plan is None:
        messages.error(request, NO_PLAN)
        return redirect("ui:report_data", pk=report.pk)
    form = UploadForm(request.POST, request.FILES)
    issues: list = []
    if form.is_valid() and background_uploads.is_large(form.cleaned_data["file"]):
        try:
            job = background_uploads.report_upload_activity_sheet_later(
                report=report,
                file=form.cleaned_data["file"],
                acting_user=request.user,
                return_url=reverse("ui:report_data", args=[report.pk]),
            )
        except (ValidationError, uploads.UploadRejected) as error:
            issues = list(getattr(error, "messages", None) or [error.message])
        else:
            return redirect("ui:job_detail", pk=job.pk)
    elif form.is_valid():
        try:
            saved = svc.report_upload_activity_sheet(
                report=report, file=form.cleaned_data["file"], acting_user=request.user
            )
        except ValidationError as error:
            issues = list(error.messages)
        else:
            messages.success(request, UPLOADED % {"rows": saved})
            return redirect("ui:report_data", pk=report.pk)
    messages.error(request, NOTHING_SAVED)
    context = _page_context(request, report, plan, upload_form=form, upload_issues=issues)
    return render(request, "ui/report_data.html", context, status=400)


@login_required
@require_POST
def report_output_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Product output or supply of the period (what the sector's allocation method needs)."""
    report = _entrant_report(request, pk)
    form = OutputForm(request.POST)
    if form.is_valid():
        try:
            svc.report_save_output_data(report=report, rows=[form.cleaned_data], acting_user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, SAVED)
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
    return redirect("ui:report_data", pk=report.pk)


@login_required
@require_POST
def report_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    report = _firm_report(request, pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            svc.report_acknowledge_warning(
                report=report,
                key=form.cleaned_data["key"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, ACKNOWLEDGED)
    else:
        messages.error(request, _g("Please give a reason."))
    return redirect("ui:report_data", pk=report.pk)


@login_required
@require_POST
@rate_limited("submit")
@step_up_required()
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft, or resubmit a returned report (firm approver only; 403 for anyone else), certified after
    a fresh re-authentication."""
    report = _firm_report(request, pk)
    require(rules.is_firm_approver(report, request.user))
    submit = svc.report_resubmit if report.status == EmissionReport.Status.RETURNED_TO_FIRM else svc.report_submit
    try:
        version = submit(
            report=report,
            acting_user=request.user,
            certification=certification_from_session(request, FIRM_SUBMISSION),
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("ui:report_data", pk=report.pk)
    except Refused as refused:
        return refusal_response(request, refused, reverse("ui:report_detail", args=[report.pk]))
    messages.success(request, SUBMITTED % {"number": version.number})
    return redirect("ui:report_detail", pk=report.pk)


@login_required
@require_POST
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    report = _firm_report(request, pk)
    try:
        svc.report_withdraw(report=report, acting_user=request.user, reason=request.POST.get("reason", "")[:2000])
    except Refused as refused:
        return refusal_response(request, refused, reverse("ui:report_detail", args=[report.pk]))
    messages.success(request, WITHDRAWN)
    return redirect("ui:report_detail", pk=report.pk)


@login_required
@require_GET
def report_diff_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    versions = report_versions_in_order(report)
    numbers = [v.number for v in versions]
    initial = {"a": numbers[-2], "b": numbers[-1]} if len(numbers) >= 2 else {}
    form = DiffForm(request.GET or None, initial=initial)
    chosen = form.cleaned_data if form.is_valid() else initial
    by_number = {v.number: v for v in versions}
    diff = None
    if chosen and chosen["a"] in by_number and chosen["b"] in by_number:
        diff = report_diff(by_number[chosen["a"]], by_number[chosen["b"]])
    return render(request, "ui/report_diff.html", {"report": report, "versions": versions, "form": form, "diff": diff})
