"""Verification in the browser: engagements, the verification plan, findings, sign-off and spot checks.

Every page finds its object among those the user may see (`visible_or_404`, 404 otherwise); every
change is a POST to a workflow service, whose refusals (`mrv.refusals.Refused` and its kinds,
`ValidationError`) become messages and whose `PermissionDenied` is a 403.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import access, selectors
from mrv.models import (
    EmissionReport,
    Finding,
    SpotCheckItem,
    VerificationEngagement,
    VerificationOpinion,
)
from mrv.records.certification import VERIFIER_OPINION, certification_from_session
from mrv.refusals import Refused, show_refusal
from mrv.selectors.assignment import assignment_refusals_by_body
from mrv.selectors.audit import audit_trail
from mrv.selectors.reports import reports_with_firm_and_market
from mrv.selectors.verification import (
    engagements_for_page,
    findings_with_report,
    firm_year_reports,
    sees_engagement,
    third_party_bodies,
    verification_bodies,
)
from mrv.services import spot_checks
from mrv.services import verification as svc
from mrv.ui.buttons import allowed, allowed_each
from mrv.ui.forms.verification import (
    AcceptForm,
    AnswerForm,
    AssignForm,
    CloseForm,
    FindingForm,
    PlanForm,
    ReasonForm,
    SignOffForm,
    SpotCheckForm,
)
from mrv.ui.home import with_current_names
from mrv.ui.lists import Column, Filter, ListSpec, render_listing
from mrv.ui.objects import require, visible_or_404
from mrv.workflow import verification as rules
from signin.mfa import step_up_required

YEARS = [(year, str(year)) for year in range(2030, 2012, -1)]


def attempt(request: HttpRequest, service, **kwargs):
    """Run a workflow service; its refusals become error messages. Returns the result, or None if refused."""
    try:
        return service(**kwargs)
    except (Refused, ValidationError) as refused:  # ChangedConcurrently is a Refused too
        show_refusal(request, refused)
    return None


def done(request: HttpRequest, result, message) -> None:
    if result is not None:
        messages.success(request, message)


# --- Engagements ----------------------------------------------------------------------------------

ENGAGEMENTS = ListSpec(
    name="engagements",
    columns=[
        Column(
            "firm",
            _("firm"),
            "firm.name",
            order_by="firm__name",
            link=lambda e: reverse("ui:engagement_detail", args=[e.pk]),
        ),
        Column("market", _("market"), "market", order_by="market__code"),
        Column("year", _("compliance year"), "year", order_by="year"),
        Column("body", _("verification body"), "body", order_by="body__name"),
        Column("status", _("status"), "status", order_by="status", badge=True),
    ],
    filters=[
        Filter("year", _("compliance year"), "year", choices=YEARS),
        Filter("status", _("status"), "status", choices=VerificationEngagement.Status.choices),
        Filter("firm", _("firm"), "firm__name__icontains"),
    ],
    default_sort="-year",
    select_related=("firm", "market", "body"),
)


@login_required
@require_GET
def engagement_list(request: HttpRequest) -> HttpResponse:
    engagements = access.visible_to(request.user, VerificationEngagement)
    return render_listing(request, ENGAGEMENTS, engagements, "ui/list.html", {"title": _("Verification engagements")})


def _eligibility(engagement: VerificationEngagement) -> list[dict]:
    """Every third-party body registered with the market, with the reasons it may not be assigned."""
    bodies = list(third_party_bodies())
    refusals = assignment_refusals_by_body(bodies, engagement.firm, engagement.year)
    return [{"body": b, "refusals": refusals[b.pk]} for b in bodies]


def _engagement(request: HttpRequest, pk: int) -> VerificationEngagement:
    return visible_or_404(request.user, engagements_for_page(), pk=pk)


@login_required
@require_GET
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    user = request.user
    can = allowed(engagement, user, write_plan=rules.writes_verification_plan(engagement, user))
    answers = "accept" in can
    assigns = bool({"assign", "reassign"} & can)
    reports = firm_year_reports(user, firm_id=engagement.firm_id, year=engagement.year)
    context = {
        "engagement": engagement,
        "can": can,
        "assigns": assigns,
        "accept_form": AcceptForm(engagement=engagement) if answers else None,
        "decline_form": ReasonForm() if answers else None,
        "eligibility": _eligibility(engagement) if assigns else [],
        "plan": getattr(engagement, "plan", None) if hasattr(engagement, "plan") else None,
        "reports": reports,
        "team": engagement.team.all(),
        "timeline": with_current_names(list(audit_trail(engagement)[:100])),
    }
    return render(request, "ui/engagement_detail.html", context)


@login_required
@require_POST
def engagement_accept(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    form = AcceptForm(request.POST, engagement=engagement)
    if form.is_valid():
        team = list(form.cleaned_data["team"])
        result = attempt(request, svc.engagement_accept, engagement=engagement, team=team, acting_user=request.user)
        done(request, result, _("The engagement is accepted."))
    else:
        messages.error(request, _("Choose the team among the body's verifiers."))
    return redirect("ui:engagement_detail", pk=pk)


@login_required
@require_POST
def engagement_decline(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    result = attempt(request, svc.engagement_decline, engagement=engagement, reason=reason, acting_user=request.user)
    done(request, result, _("The engagement is declined."))
    return redirect("ui:engagement_detail", pk=pk)


@login_required
@require_POST
def engagement_assign(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    require(rules.regulates_market(engagement, request.user), str(_("Only the firm's regulator assigns.")))
    form = AssignForm(request.POST, bodies=verification_bodies())
    if not form.is_valid():
        messages.error(request, _("Choose a verification body."))
        return redirect("ui:engagement_detail", pk=pk)
    body = form.cleaned_data["body"]
    if engagement.status == VerificationEngagement.Status.AWAITING_ASSIGNMENT:
        result = attempt(
            request,
            svc.engagement_assign,
            firm=engagement.firm,
            year=engagement.year,
            body=body,
            acting_user=request.user,
        )
    else:
        result = attempt(request, svc.engagement_reassign, engagement=engagement, body=body, acting_user=request.user)
    done(request, result, _("The verification body is assigned."))
    return redirect("ui:engagement_detail", pk=pk)


@login_required
def verification_plan(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    plan = getattr(engagement, "plan", None) if hasattr(engagement, "plan") else None
    writes = rules.writes_verification_plan(engagement, request.user)
    if request.method == "POST":
        require(writes, str(_("Only the engaged verifiers write the verification plan.")))
        form = PlanForm(request.POST, engagement=engagement)
        if form.is_valid():
            dates = [d.strip() for d in form.cleaned_data["site_visit_dates"].split(",") if d.strip()]
            result = attempt(
                request,
                svc.verification_plan_save,
                engagement=engagement,
                document_review=form.cleaned_data["document_review"],
                site_visit_dates=dates,
                site_team=list(form.cleaned_data["site_team"]),
                sampling=form.cleaned_data["sampling"],
                acting_user=request.user,
            )
            if result is not None:
                messages.success(request, _("The verification plan is saved."))
                return redirect("ui:engagement_detail", pk=pk)
    else:
        initial = {}
        if plan is not None:
            initial = {
                "document_review": plan.document_review,
                "site_visit_dates": ", ".join(plan.site_visit_dates),
                "site_team": list(plan.site_team.all()),
                "sampling": plan.sampling,
            }
        form = PlanForm(initial=initial, engagement=engagement)
    context = {"engagement": engagement, "plan": plan, "form": form if writes else None}
    return render(request, "ui/verification_plan.html", context, status=400 if form.is_bound else 200)


# --- The report's verification page ------------------------------------------------------------------


def _report(request: HttpRequest, pk: int) -> EmissionReport:
    return visible_or_404(request.user, reports_with_firm_and_market(), pk=pk)


def verification_context(request: HttpRequest, report: EmissionReport) -> dict:
    user = request.user
    reads = selectors.verification_page_reads(report)
    for finding in reads["findings"]:
        finding.report = report  # the permissions read the loaded report
    allowed_each(reads["findings"], user, only=rules.finding_actions_open(report))
    return reads | {
        "report": report,
        "can": allowed(report, user, raise_finding=rules.raises_findings(report, user)),
        "engagement": rules.engagement_of(report),
        "engagement_visible": sees_engagement(user, firm_id=report.firm_id, year=report.year),
        "is_engaged": rules.is_engaged_verifier(report, user),
        "finding_form": FindingForm(report=report),
        "answer_form": AnswerForm(),
        "close_form": CloseForm(),
        "reason_form": ReasonForm(),
        "spot_form": SpotCheckForm(),
        "seals": [s for s in selectors.report_seals(user, report) if s.kind == "opinion"],
    }


@login_required
@require_GET
def report_verification(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    return render(request, "ui/report_verification.html", verification_context(request, report))


def _finding(request: HttpRequest, pk: int, finding_pk: int) -> Finding:
    report = _report(request, pk)
    return visible_or_404(request.user, findings_with_report(report), pk=finding_pk)


def _back(request: HttpRequest, report_pk: int) -> HttpResponse:
    return redirect(reverse("ui:report_verification", args=[report_pk]) + "#findings")


@login_required
@require_POST
def finding_raise(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    require(rules.is_engaged_verifier(report, request.user), str(_("Only the engaged verifiers raise findings.")))
    form = FindingForm(request.POST, report=report)
    if form.is_valid():
        data = form.cleaned_data
        result = attempt(
            request,
            svc.finding_raise,
            report=report,
            kind=data["kind"],
            description=data["description"],
            line_key=data["line_key"],
            amount_tco2e=data["amount_tco2e"],
            acting_user=request.user,
        )
        done(request, result, _("The finding is raised."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return _back(request, pk)


def _finding_response(request: HttpRequest, finding: Finding) -> HttpResponse:
    """htmx: the finding's card again; otherwise back to the page."""
    if getattr(request, "htmx", False):
        report = finding.report
        context = verification_context(request, report)
        finding = next(f for f in context["findings"] if f.pk == finding.pk)
        return render(request, "ui/includes/finding.html", context | {"finding": finding})
    return _back(request, finding.report_id)


@login_required
@require_POST
def finding_answer(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    finding = _finding(request, pk, finding_pk)
    require(rules.is_finding_firm_user(finding, request.user), str(_("Only the firm answers findings.")))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if getattr(request, "htmx", False):
            context = verification_context(request, finding.report)
            card = next(f for f in context["findings"] if f.pk == finding.pk)
            return render(
                request, "ui/includes/finding.html", context | {"finding": card, "answer_form": form}, status=400
            )
        for error in form.errors.get("text", []):
            messages.error(request, error)
        return _back(request, pk)
    done(
        request,
        attempt(request, svc.finding_answer, finding=finding, text=form.cleaned_data["text"], acting_user=request.user),
        _("The answer is recorded."),
    )
    finding.refresh_from_db()
    return _finding_response(request, finding)


@login_required
@require_POST
def finding_close(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    finding = _finding(request, pk, finding_pk)
    require(rules.is_finding_verifier(finding, request.user), str(_("Only the engaged verifiers close findings.")))
    form = CloseForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"resolution": "", "reason": ""}
    done(
        request,
        attempt(
            request,
            svc.finding_close,
            finding=finding,
            resolution=data["resolution"],
            reason=data["reason"],
            acting_user=request.user,
        ),
        _("The finding is closed."),
    )
    finding.refresh_from_db()
    return _finding_response(request, finding)


@login_required
@require_POST
def finding_reopen(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    finding = _finding(request, pk, finding_pk)
    require(rules.is_finding_verifier(finding, request.user), str(_("Only the engaged verifiers reopen findings.")))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done(
        request,
        attempt(request, svc.finding_reopen, finding=finding, reason=reason, acting_user=request.user),
        _("The finding is reopened."),
    )
    finding.refresh_from_db()
    return _finding_response(request, finding)


@login_required
@require_POST
def report_return_to_firm(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    require(rules.is_engaged_verifier(report, request.user), str(_("Only the engaged verifiers return the report.")))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done(
        request,
        attempt(request, svc.report_return_to_firm, report=report, reason=reason, acting_user=request.user),
        _("The report is returned to the firm with its open findings."),
    )
    return _back(request, pk)


def _parse_decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


@login_required
@step_up_required()
def report_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """The opinion with live materiality; only the lead verifier signs (others see the page, 403 on POST)."""
    report = _report(request, pk)
    user = request.user
    require(
        rules.is_engaged_verifier(report, user) or rules.is_signing_lead_verifier(report, user),
        str(_("Only the engaged verifiers see the sign-off page.")),
    )
    status = 200
    if request.method == "POST":
        require(rules.is_signing_lead_verifier(report, user), str(_("Only the lead verifier signs the opinion.")))
        form = SignOffForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            result = attempt(
                request,
                svc.report_sign_off,
                report=report,
                outcome=data["outcome"],
                verified_emissions_tco2e=data["verified_emissions_tco2e"],
                not_verified_reason=data["not_verified_reason"],
                comments=data["comments"],
                difference_reason=data["difference_reason"],
                certification=certification_from_session(request, VERIFIER_OPINION),
                acting_user=user,
            )
            if result is not None:
                messages.success(request, _("The opinion is signed."))
                return redirect("ui:report_verification", pk=pk)
        status = 400
    else:
        form = SignOffForm(
            initial={
                "outcome": selectors.materiality(report).suggested_outcome,
                "verified_emissions_tco2e": selectors.reported_emissions(report),
            }
        )
    context = {
        "report": report,
        "materiality": selectors.materiality(report),
        "suggested_label": VerificationOpinion.Outcome(selectors.materiality(report).suggested_outcome).label,
        "reported": selectors.reported_emissions(report),
        "can": allowed(report, user),
        "form": form,
        "open_findings": rules.open_findings(report).count(),
    }
    return render(request, "ui/sign_off.html", context, status=status)


# --- Spot checks -----------------------------------------------------------------------------------

SPOT_ITEMS = ListSpec(
    name="spot-checks",
    columns=[
        Column(
            "firm",
            _("firm"),
            "report.firm.name",
            order_by="report__firm__name",
            link=lambda i: reverse("ui:report_verification", args=[i.report_id]),
        ),
        Column("year", _("compliance year"), "sample.year", order_by="sample__year"),
        Column("market", _("market"), "sample.market", order_by="sample__market__code"),
        Column("weight", _("risk weight"), "risk_weight", order_by="risk_weight"),
        Column("by_hand", _("added by hand"), "added_by_hand"),
        Column("outcome", _("outcome"), "get_outcome_display", order_by="outcome"),
        Column("status", _("report status"), "report.status", order_by="report__status", badge=True),
    ],
    filters=[Filter("outcome", _("outcome"), "outcome", choices=SpotCheckItem.Outcome.choices)],
    default_sort="-year",
    select_related=("report__firm", "sample__market"),
)


@login_required
@require_GET
def spot_check_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(
        user.is_spot_checker or user.is_regulator or user.is_national_admin,
        str(_("Only spot checkers and regulators see spot checks.")),
    )
    items = access.visible_to(user, SpotCheckItem)
    return render_listing(request, SPOT_ITEMS, items, "ui/list.html", {"title": _("Spot checks")})


@login_required
@require_POST
def spot_check_record(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    require(rules.is_assigned_spot_checker(report, request.user), str(_("Only the assigned spot checker records.")))
    form = SpotCheckForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    if request.POST.get("decision") == "discrepancies":
        result = attempt(
            request,
            spot_checks.spot_check_record_discrepancy,
            report=report,
            discrepancies=text,
            acting_user=request.user,
        )
        done(request, result, _("The discrepancies are recorded; the report goes back to the verifier."))
    else:
        result = attempt(request, spot_checks.spot_check_confirm, report=report, comment=text, acting_user=request.user)
        done(request, result, _("The verification is confirmed; the report goes to the regulator."))
    return redirect("ui:report_verification", pk=pk)
