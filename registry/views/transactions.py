"""The market's transactions, one transaction, and the head's decision on its reversal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv.refusals import Refused, show_refusal
from registry import selectors, services
from registry.forms import (
    ReversalForm,
)
from registry.models import (
    Transaction,
)
from registry.views.common import _require_officer
from signin.mfa import step_up_required


@login_required
def transactions(request: HttpRequest) -> HttpResponse:
    """The market's latest ledger transactions, each with a way to ask for its reversal."""
    market = _require_officer(request)
    kind = request.GET.get("kind", "")
    rows = selectors.market_transactions(market=market, kind=kind)
    return render(
        request,
        "registry/transactions.html",
        {"market": market, "transactions": rows, "kinds": Transaction.Kind.choices, "kind": kind},
    )


@login_required
def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tx = selectors.transaction_visible(user=request.user, pk=pk)
    if not request.user.is_regulator:
        raise PermissionDenied(_("Only the market's regulator may do this."))
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reversal_propose(
                original=tx,
                reason=form.cleaned_data["reason"],
                quantity=form.cleaned_data.get("quantity"),
                acting_user=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, _("Reversal requested; a head of the market must approve it."))
            return redirect("registry:transaction", pk=tx.pk)
    return render(
        request,
        "registry/transaction.html",
        {
            "tx": tx,
            **selectors.transaction_page_reads(tx=tx),
            "form": form,
        },
    )


@login_required
@require_POST
@step_up_required()
def reversal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    reversal = selectors.reversal_request_visible(user=request.user, pk=pk)
    try:
        services.reversal_approve(request=reversal, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Reversal approved and recorded."))
    return redirect("registry:transaction", pk=reversal.original_id)


@login_required
@require_POST
def reversal_reject(request: HttpRequest, pk: int) -> HttpResponse:
    reversal = selectors.reversal_request_visible(user=request.user, pk=pk)
    try:
        services.reversal_reject(request=reversal, acting_user=request.user, reason=request.POST.get("reason", ""))
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Reversal rejected; nothing moved."))
    return redirect("registry:transaction", pk=reversal.original_id)
