"""The regulator's covered-firm list of a market-year: import or type candidates, see each verdict and its
reason, propose (officer) and approve (another head); changes during the year after the head reopens it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mrv.coverage import list_for
from mrv.coverage_sheet import SheetErrors
from mrv.models import CoverageList, Market
from mrv.selectors.coverage import coverage_entries, coverage_entries_with_market
from mrv.selectors.markets import market_of
from mrv.services import coverage as svc
from mrv.ui.buttons import allowed
from mrv.ui.forms.coverage import CloseForm, EntryForm, ImportForm, ReasonForm
from mrv.ui.objects import require, visible_or_404
from mrv.ui.views.verification import attempt, done
from mrv.uploads import UploadRejected, read_upload

NOT_A_REGULATOR = _("Only the market's regulator may open its covered-firm list.")
ACTIONS = {
    "propose": (svc.coverage_list_propose, _("The list is proposed to the head.")),
    "approve": (svc.coverage_list_approve, _("The list is approved: it now makes the year's covered firms.")),
    "return_to_draft": (svc.coverage_list_return, _("The list is returned for changes.")),
    "reopen": (svc.coverage_list_reopen, _("The list is reopened for changes.")),
}


def _market(request: HttpRequest) -> Market:
    require(request.user.is_regulator, str(NOT_A_REGULATOR))
    return market_of(request.user)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _back(coverage_list: CoverageList) -> HttpResponse:
    return redirect(f"{_url()}?year={coverage_list.year}")


def _url() -> str:
    from django.urls import reverse

    return reverse("ui:coverage_list")


@login_required
def coverage_list(request: HttpRequest) -> HttpResponse:
    market, year = _market(request), _year(request)
    market.check_year(year)
    coverage = list_for(market, year) or CoverageList(market=market, year=year)
    entries = []
    if coverage.pk:
        entries = coverage_entries(request.user, coverage)
    can = allowed(coverage, request.user, conditions=list(ACTIONS)) if coverage.pk else frozenset()
    context = {
        "market": market,
        "year": year,
        "years": market.supported_years(),
        "coverage": coverage,
        "entries": entries,
        "covered_count": sum(1 for e in entries if e.covered),
        "actions": [(name, action) for name, action in ACTIONS.items() if name in can],
        "editable": coverage.status == CoverageList.Status.DRAFT,
        "import_form": ImportForm(),
        "entry_form": EntryForm(coverage_list=coverage),
        "reason_form": ReasonForm(),
        "close_form": CloseForm(),
    }
    return render(request, "ui/coverage_list.html", context)


def _list(request: HttpRequest, year: int) -> CoverageList:
    """The market-year's list, created as a draft by the first change (POST)."""
    return svc.coverage_list_open(market=_market(request), year=year, acting_user=request.user)


@login_required
@require_POST
def coverage_import(request: HttpRequest, year: int) -> HttpResponse:
    coverage = _list(request, year)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to import."))
        return _back(coverage)
    try:
        data = read_upload(form.cleaned_data["file"])
        count = attempt(
            request, svc.coverage_candidates_import, coverage_list=coverage, data=data, acting_user=request.user
        )
    except SheetErrors as errors:
        for message in errors.messages:
            messages.error(request, message)
        messages.error(request, _("Nothing was imported: correct the rows above and import the sheet again."))
        return _back(coverage)
    except UploadRejected as rejected:
        messages.error(request, str(rejected))
        return _back(coverage)
    if count is not None:
        messages.success(request, _("%(n)s candidates imported and judged by the market's rule.") % {"n": count})
    return _back(coverage)


@login_required
@require_POST
def coverage_entry_save(request: HttpRequest, year: int) -> HttpResponse:
    coverage = _list(request, year)
    form = EntryForm(request.POST, coverage_list=coverage)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else field}: {error}")
        return _back(coverage)
    data = form.cleaned_data
    try:
        done(
            request,
            attempt(
                request,
                svc.coverage_entry_save,
                coverage_list=coverage,
                acting_user=request.user,
                name=data["name"],
                credit_code=data["credit_code"],
                sector=data["sector"],
                installations=data["installations"],
                is_new_entrant=data["is_new_entrant"],
                design_capacity=data["design_capacity"],
                figures=form.figures(),
                override=data["override"],
                override_reason=data["override_reason"],
            ),
            _("The candidate is saved and judged by the market's rule."),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return _back(coverage)


@login_required
@require_POST
def coverage_entry_close(request: HttpRequest, pk: int) -> HttpResponse:
    entry = visible_or_404(request.user, coverage_entries_with_market(), pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the closing date and a reason."))
        return _back(entry.coverage_list)
    done(
        request,
        attempt(
            request,
            svc.coverage_entry_close,
            entry=entry,
            closed_on=form.cleaned_data["closed_on"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        ),
        _("The closure is recorded."),
    )
    return _back(entry.coverage_list)


@login_required
@require_POST
def coverage_reevaluate(request: HttpRequest, year: int) -> HttpResponse:
    coverage = _list(request, year)
    done(
        request,
        attempt(request, svc.coverage_list_reevaluate, coverage_list=coverage, acting_user=request.user),
        _("Every candidate is judged again."),
    )
    return _back(coverage)


@login_required
@require_POST
def coverage_action(request: HttpRequest, year: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    coverage = _list(request, year)
    service, message = ACTIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done(request, attempt(request, service, coverage_list=coverage, acting_user=request.user, reason=reason), message)
    return _back(coverage)
