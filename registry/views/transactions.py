"""The market's transactions, one transaction, and the head's decision on its reversal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv.refusals import Refused, show_refusal
from registry import services
from registry.forms import (
    ReversalForm,
)
from registry.models import (
    ReversalRequest,
    Transaction,
)
from registry.views.common import _require_officer, _visible
from signin.mfa import step_up_required


@login_required
def transactions(request: HttpRequest) -> HttpResponse:
    """The market's latest ledger transactions, each with a way to ask for its reversal."""
    market = _require_officer(request)
    kind = request.GET.get("kind", "")
    rows = Transaction.objects.filter(market=market).select_related("created_by", "firm")
    if kind in Transaction.Kind.values:
        rows = rows.filter(kind=kind)
    return render(
        request,
        "registry/transactions.html",
        {"market": market, "transactions": rows[:100], "kinds": Transaction.Kind.choices, "kind": kind},
    )


@login_required
def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tx = _visible(request, Transaction, pk, Transaction.objects.select_related("created_by", "firm", "reverses"))
    if not request.user.is_regulator:
        raise PermissionDenied(_("Only the market's regulator may do this."))
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reversal_propose(original=tx, reason=form.cleaned_data["reason"], acting_user=request.user)
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
            "entries": tx.entries.select_related("account"),
            "requests": tx.reversal_requests.select_related("proposed_by", "decided_by", "reversal"),
            "reversed_by": Transaction.objects.filter(reverses=tx).first(),
            "form": form,
        },
    )


@login_required
@require_POST
@step_up_required()
def reversal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    reversal = _visible(request, ReversalRequest, pk, ReversalRequest.objects.select_related("original"))
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
    reversal = _visible(request, ReversalRequest, pk, ReversalRequest.objects.select_related("original"))
    try:
        services.reversal_reject(request=reversal, acting_user=request.user, reason=request.POST.get("reason", ""))
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Reversal rejected; nothing moved."))
    return redirect("registry:transaction", pk=reversal.original_id)
