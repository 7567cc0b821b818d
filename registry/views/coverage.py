"""The end of coverage in the browser: the market's officers propose to exclude a firm's year or to end its
coverage after a year (closure); a head other than the proposer approves or rejects (four eyes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv.models import Market
from mrv.refusals import Refused, show_refusal
from registry import coverage_end, selectors
from registry.forms import CoverageChangeForm
from signin.mfa import step_up_required


def _market(request: HttpRequest) -> Market:
    if not request.user.is_regulator:
        raise PermissionDenied(_("Only a market's regulator may open this page."))
    return selectors.regulator_market(user=request.user)


@login_required
def coverage_changes(request: HttpRequest) -> HttpResponse:
    """The market's coverage changes, newest first, and the form to propose one."""
    market = _market(request)
    form = CoverageChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        firm_id = request.POST.get("firm", "")
        firm = selectors.firm_visible(
            user=request.user, pk=int(firm_id) if firm_id.isascii() and firm_id.isdigit() else 0
        )
        data = form.cleaned_data
        try:
            coverage_end.coverage_change_propose(
                firm=firm, kind=data["kind"], year=data["year"], reason=data["reason"], acting_user=request.user
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, _("The coverage change is proposed; a head of the market must approve it."))
            return redirect("registry:coverage_changes")
    changes = selectors.coverage_changes_visible(user=request.user)
    firms = selectors.firm_choices(market=market)
    context = {"market": market, "changes": changes, "form": form, "firms": firms}
    return render(request, "registry/coverage_changes.html", context)


@login_required
@require_POST
@step_up_required(when=lambda request, action, **kw: action == "approve")
def coverage_change_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    change = selectors.coverage_change_visible(user=request.user, pk=pk)
    try:
        if action == "approve":
            coverage_end.coverage_change_approve(change=change, acting_user=request.user)
            messages.success(request, _("The coverage change is approved."))
        else:
            coverage_end.coverage_change_reject(
                change=change, acting_user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The coverage change is rejected; the coverage stays as it was."))
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:coverage_changes")
