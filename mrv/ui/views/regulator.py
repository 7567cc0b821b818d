"""The regulator in the browser: market overview, review and determination (four eyes), spot-check draw,
Shenzhen's quarterly co-review and the monitoring plan review.

Objects are found among those the user may see (404 otherwise); actions not theirs are 403; every
change is a POST to a workflow service, whose refusals are shown as messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mrv import inputs, selectors, uploads
from mrv.models import (
    EmissionReport,
    Firm,
    MonitoringPlan,
)
from mrv.selectors.desk import market_overview_reads
from mrv.selectors.markets import market_of
from mrv.selectors.plans import plans_with_firm
from mrv.selectors.reports import reports_with_firm_and_market
from mrv.selectors.review import decision_basis, unreported_firms
from mrv.selectors.spot_checks import (
    spot_check_bodies,
    spot_check_items_with_market,
    spot_check_samples,
    spot_check_samples_with_items,
)
from mrv.selectors.verification import verification_body
from mrv.services import plans as plan_svc
from mrv.services import redetermination, review, spot_checks
from mrv.ui.buttons import allowed
from mrv.ui.forms.regulator import CommentForm, DrawForm, EstimateForm, RedeterminationForm
from mrv.ui.forms.verification import ReasonForm
from mrv.ui.objects import require, visible_or_404
from mrv.ui.views.verification import attempt, done
from mrv.workflow import verification as rules
from signin.mfa import step_up_required

NOT_A_REGULATOR = _("Only the market's regulator may do this.")


def _regulator(request: HttpRequest) -> None:
    require(request.user.is_regulator, str(NOT_A_REGULATOR))


# --- Market overview -------------------------------------------------------------------------------


@login_required
@require_GET
def market_overview(request: HttpRequest) -> HttpResponse:
    """Reports by state and sector, overdue reports, engagements awaiting assignment or acceptance."""
    user = request.user
    require(user.is_regulator or user.is_national_admin, str(NOT_A_REGULATOR))
    overview = market_overview_reads(user, overdue_up_to_year=timezone.localdate().year - 1)
    english = (get_language() or "").startswith("en")
    by_sector = [
        {"name": row["firm__sector__name_en" if english else "firm__sector__name_zh"], "n": row["n"]}
        for row in overview["by_sector"]
    ]
    context = {
        "by_state": overview["by_state"],
        "by_sector": by_sector,
        "overdue": overview["overdue"],
        "waiting": overview["waiting"],
        "title": _("Market overview"),
        "samples": _samples(user),
        "unreported": _unreported(user),
    }
    return render(request, "ui/market_overview.html", context)


def _unreported(user) -> dict | None:
    """Last year's covered firms without an annual report: the regulator may open one to estimate."""
    if not user.is_regulator:
        return None
    year = timezone.localdate().year - 1
    return {"year": year, "firms": unreported_firms(market_id=user.market_id, year=year)}


@login_required
@require_POST
def report_open_for_estimate(request: HttpRequest) -> HttpResponse:
    """The regulator opens an empty report for a covered firm that never reported, to estimate it."""
    _regulator(request)
    firm_id = request.POST.get("firm", "")
    firm = visible_or_404(request.user, Firm, pk=int(firm_id) if firm_id.isascii() and firm_id.isdigit() else 0)
    try:
        year = inputs.parse_year(request.POST.get("year", ""))
    except ValidationError as error:
        messages.error(request, " ".join([str(_("Give the compliance year.")), *error.messages]))
        return redirect("ui:market_overview")
    report = attempt(request, review.report_open_for_estimate, firm=firm, year=year, acting_user=request.user)
    if report is None:
        return redirect("ui:market_overview")
    messages.success(request, _("A report is opened for the estimate."))
    return redirect("ui:report_review", pk=report.pk)


def _samples(user):
    if not user.is_regulator:
        return []
    return spot_check_samples(market_id=user.market_id)


# --- Review and determination ----------------------------------------------------------------------


def _report(request: HttpRequest, pk: int) -> EmissionReport:
    return visible_or_404(request.user, reports_with_firm_and_market(), pk=pk)


def review_context(request: HttpRequest, report: EmissionReport) -> dict:
    user = request.user
    proposal = rules.pending_determination(report)
    opinion = rules.latest_opinion(report)
    # Sending to review waits for the spot-check draw; proposing needs a verified opinion: both hide the button.
    can = allowed(report, user, conditions=["send_to_review", "propose_determination"])
    if "select_for_spot_check" in can and rules.spot_check_sample_open_to(report):
        can |= {"add_to_sample"}
    return selectors.review_page_reads(report) | {
        "report": report,
        "can": can,
        "opinion": opinion,
        "proposal": proposal,
        "is_proposer": proposal is not None and proposal.proposed_by_id == user.pk,
        "reason_form": ReasonForm(),
        "comment_form": CommentForm(),
        "estimate_form": EstimateForm(),
        "redetermination_form": RedeterminationForm(),
        "seals": selectors.report_seals(user, report),
        **decision_basis(report, opinion),
    }


@login_required
@require_GET
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    require(
        request.user.is_regulator
        or request.user.role == request.user.Role.STATISTICS_OFFICER
        or request.user.is_national_admin,
        str(NOT_A_REGULATOR),
    )
    return render(request, "ui/report_review.html", review_context(request, report))


def _back(pk: int) -> HttpResponse:
    return redirect("ui:report_review", pk=pk)


def _officer(request: HttpRequest, report: EmissionReport) -> None:
    require(rules.regulates_market(report, request.user), str(NOT_A_REGULATOR))


@login_required
@require_POST
@step_up_required(when=lambda request, **kw: request.POST.get("action") in ("approve", "approve_redetermination"))
def report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The regulator's actions on a report under review, chosen by the `action` field."""
    report = _report(request, pk)
    _officer(request, report)
    action = request.POST.get("action", "")
    user = request.user
    reason_form = ReasonForm(request.POST)
    reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
    comment_form = CommentForm(request.POST)
    comment = comment_form.cleaned_data["reason"] if comment_form.is_valid() else ""
    if action == "propose":
        done(
            request,
            attempt(request, review.determination_propose, report=report, reasons=comment, acting_user=user),
            _("The verified figure is proposed; a regulator head must approve it."),
        )
    elif action == "return_to_verifier":
        done(
            request,
            attempt(request, review.report_return_to_verifier, report=report, reason=reason, acting_user=user),
            _("The report is returned to the verifier."),
        )
    elif action == "return_to_firm":
        done(
            request,
            attempt(request, review.report_regulator_return_to_firm, report=report, reason=reason, acting_user=user),
            _("The report is returned to the firm."),
        )
    elif action == "approve":
        done(
            request,
            attempt(request, review.determination_approve, report=report, reason=comment, acting_user=user),
            _("The determination is approved."),
        )
    elif action == "reject":
        done(
            request,
            attempt(request, review.determination_reject, report=report, reason=reason, acting_user=user),
            _("The determination is rejected."),
        )
    elif action == "approve_redetermination":
        done(
            request,
            attempt(request, redetermination.redetermination_approve, report=report, reason=comment, acting_user=user),
            _("The corrected emissions are approved and in force."),
        )
    elif action == "reject_redetermination":
        done(
            request,
            attempt(request, redetermination.redetermination_reject, report=report, reason=reason, acting_user=user),
            _("The correction is rejected; the determined figure stands."),
        )
    elif action == "send_to_review":
        done(
            request,
            attempt(request, review.report_send_to_review, report=report, acting_user=user),
            _("The report is under the regulator's review."),
        )
    elif action == "add_to_sample":
        done(
            request,
            attempt(request, spot_checks.spot_check_add_report, report=report, reason=comment, acting_user=user),
            _("The report is added to the spot-check sample."),
        )
    elif action == "close":
        done(
            request, attempt(request, review.report_close, report=report, acting_user=user), _("The report is closed.")
        )
    else:
        messages.error(request, _("Unknown action."))
    return _back(pk)


@login_required
@require_POST
def report_estimate(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    _officer(request, report)
    form = EstimateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done(
            request,
            attempt(
                request,
                review.determination_propose_conservative_estimate,
                report=report,
                emissions_tco2e=data["emissions_tco2e"],
                basis_text=data["basis_text"],
                reasons=data["reasons"],
                acting_user=request.user,
            ),
            _("The conservative estimate is proposed; a regulator head must approve it."),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return _back(pk)


@login_required
@require_POST
def report_redetermine(request: HttpRequest, pk: int) -> HttpResponse:
    """A case officer proposes corrected emissions for a determined report, with reasons and evidence."""
    report = _report(request, pk)
    _officer(request, report)
    form = RedeterminationForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(pk)
    data = form.cleaned_data
    try:
        evidence = uploads.read_upload(data["evidence"])
    except uploads.UploadRejected as refused:
        messages.error(request, str(refused))
        return _back(pk)
    done(
        request,
        attempt(
            request,
            redetermination.redetermination_propose,
            report=report,
            emissions_tco2e=data["emissions_tco2e"],
            reasons=data["reasons"],
            evidence=evidence,
            evidence_name=data["evidence"].name,
            evidence_description=data["evidence_description"],
            acting_user=request.user,
        ),
        _("The corrected emissions are proposed; a regulator head must approve them."),
    )
    return _back(pk)


@login_required
@require_POST
def report_co_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Shenzhen: the regulator or the statistics bureau officer accepts or returns a quarterly report."""
    report = _report(request, pk)
    require(rules.is_co_reviewer(report, request.user), str(review.NOT_A_CO_REVIEWER))
    form = CommentForm(request.POST)
    text = form.cleaned_data["reason"] if form.is_valid() else ""
    if request.POST.get("decision") == "return":
        done(
            request,
            attempt(request, review.quarterly_review_return, report=report, reasons=text, acting_user=request.user),
            _("The quarterly report is returned to the firm."),
        )
    else:
        done(
            request,
            attempt(request, review.quarterly_review_accept, report=report, comment=text, acting_user=request.user),
            _("Your acceptance is recorded."),
        )
    return _back(pk)


# --- Spot-check draw ---------------------------------------------------------------------------------


@login_required
def spot_check_draw(request: HttpRequest) -> HttpResponse:
    _regulator(request)
    market = market_of(request.user)
    if request.method == "POST":
        form = DrawForm(request.POST)
        if form.is_valid():
            sample = attempt(
                request,
                spot_checks.spot_check_draw,
                market=market,
                year=form.cleaned_data["year"],
                seed=form.cleaned_data["seed"],
                acting_user=request.user,
            )
            if sample is not None:
                messages.success(request, _("The sample is drawn with seed %(seed)s.") % {"seed": sample.seed})
            return redirect("ui:spot_check_draw")
    else:
        form = DrawForm(initial={"year": timezone.localdate().year - 1})
    samples = spot_check_samples_with_items(market)
    if request.GET.get("replay"):
        _report_replay(request, samples, request.GET["replay"])
    context = {"form": form, "samples": samples, "market": market, "spot_bodies": spot_check_bodies(market)}
    return render(request, "ui/spot_check_draw.html", context)


def _report_replay(request: HttpRequest, samples, sample_pk: str) -> None:
    """Anyone auditing the draw can redo it: the recorded seed and population draw the reports again, and the
    page says whether they are the ones recorded (the reports added by hand aside)."""
    sample = next((s for s in samples if str(s.pk) == sample_pk), None)
    if sample is None:
        messages.error(request, _("There is no such sample in your market."))
        return
    recorded = sorted(item.report_id for item in sample.items.all() if not item.added_by_hand)
    if sorted(spot_checks.spot_check_replay(sample)) == recorded:
        messages.success(
            request,
            ngettext(
                "Drawn again from seed %(seed)s: the same %(count)s report as recorded.",
                "Drawn again from seed %(seed)s: the same %(count)s reports as recorded.",
                len(recorded),
            )
            % {"seed": sample.seed, "count": len(recorded)},
        )
    else:
        messages.error(
            request,
            _("Drawn again from seed %(seed)s, the reports differ from those recorded: the sample was changed.")
            % {"seed": sample.seed},
        )


@login_required
@require_POST
def spot_check_item_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The regulator hands a sampled report to another registered spot-check body."""
    _regulator(request)
    item = visible_or_404(request.user, spot_check_items_with_market(), pk=pk)
    body = verification_body(request.POST.get("body"))
    if body is None:
        messages.error(request, _("Choose a spot-check body."))
    else:
        done(
            request,
            attempt(request, spot_checks.spot_check_assign_body, item=item, body=body, acting_user=request.user),
            _("The sampled report is handed to %(body)s.") % {"body": body},
        )
    return redirect("ui:spot_check_draw")


# --- Monitoring plan review --------------------------------------------------------------------------


@login_required
@require_POST
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The regulator approves or returns a submitted plan; a Tianjin verifier records the third-party check."""
    plan = visible_or_404(request.user, plans_with_firm(), pk=pk)
    decision = request.POST.get("decision", "")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if decision == "return":
        done(
            request,
            attempt(request, plan_svc.plan_return, plan=plan, reasons=reason, acting_user=request.user),
            _("The monitoring plan is returned to the firm."),
        )
    elif decision == "check":
        done(
            request,
            attempt(request, plan_svc.plan_check_by_third_party, plan=plan, reason=reason, acting_user=request.user),
            _("The third-party check is recorded."),
        )
    else:
        done(
            request,
            attempt(request, plan_svc.plan_approve, plan=plan, reason=reason, acting_user=request.user),
            _("The monitoring plan is approved."),
        )
    return redirect("ui:plan_detail", pk=plan.pk)


def plan_review_context(request: HttpRequest, plan: MonitoringPlan) -> dict:
    """What the plan page shows the plan's reviewers (regulator: approve / return; Tianjin verifier: check)."""
    return {"review_form": ReasonForm()}
