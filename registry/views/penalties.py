"""The penalties of the regulator's market: list, decide, withdraw."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mrv.refusals import Refused, show_refusal
from registry import selectors, services
from registry.forms import (
    DecisionForm,
)
from registry.views.common import _regulated_market, _year
from signin.mfa import step_up_required


@login_required
def penalties(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    if request.method == "POST":
        firm_id = request.POST.get("firm", "")
        firm = selectors.firm_visible(user=request.user, pk=int(firm_id) if firm_id.isdigit() else 0)
        try:
            services.penalty_propose(firm=firm, year=_year(request), acting_user=request.user)
        except Refused as refused:
            show_refusal(request, refused)
        return redirect("registry:penalties")
    rows = selectors.penalties_of_market(market=market)
    context = {"market": market, "penalties": rows, "form": DecisionForm(), "seals": selectors.penalty_seals(rows)}
    return render(request, "registry/penalties.html", context)


@login_required
@require_POST
@step_up_required(when=lambda request, action, **kw: action == "decide")
def penalty_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    penalty = selectors.penalty_visible(user=request.user, pk=pk)
    text = request.POST.get("decision_text", "")
    try:
        if action == "decide":
            services.penalty_decide(penalty=penalty, decision_text=text, acting_user=request.user)
        else:
            services.penalty_withdraw(penalty=penalty, reason=text, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:penalties")
