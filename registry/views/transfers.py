"""Proposing, approving, rejecting and cancelling a transfer."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv.refusals import Refused, show_refusal
from registry import selectors, services, workflow
from registry.forms import (
    TransferForm,
)
from registry.ledger import Unit
from registry.models import (
    TransferProposal,
)
from registry.services.common import NOT_REPRESENTATIVE
from signin.mfa import step_up_required
from signin.ratelimit import rate_limited


@login_required
@rate_limited("transfer")
def transfer_propose(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_visible(user=request.user, pk=pk)
    if not workflow.is_representative(account, request.user):
        raise PermissionDenied(NOT_REPRESENTATIVE)
    form = TransferForm(request.POST or None, from_account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer_propose(
                from_account=account,
                to_account=data["to_account"],
                unit=Unit(data["unit_type"], data["vintage"], data["project"] or ""),
                quantity=data["quantity"],
                price_cny_per_t=data["price_cny_per_t"],
                trade_date=data["trade_date"],
                acting_user=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, _("Transfer proposed; another representative of the account must approve it."))
            return redirect("registry:account", pk=account.pk)
    context = {
        "account": account,
        "form": form,
        "delay_hours": settings.REGISTRY_TRANSFER_DELAY_HOURS,
        "cap": services.transfer_cap(account),
        "daily_cap": services.daily_transfer_cap(account),
    }
    return render(request, "registry/transfer_form.html", context)


def _proposal(request: HttpRequest, pk: int) -> TransferProposal:
    return selectors.proposal_visible(user=request.user, pk=pk)


@login_required
@require_POST
@rate_limited("transfer")
@step_up_required()
def transfer_approve(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        proposal = services.transfer_approve(proposal=proposal, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    else:
        if proposal.status == TransferProposal.Status.EXECUTED:
            messages.success(request, _("Transfer approved and executed."))
        else:
            when = timezone.localtime(proposal.execute_after).strftime("%Y-%m-%d %H:%M")
            messages.success(
                request,
                _(
                    "Transfer approved. The receiving account is not on the trusted list: it will be executed after %(when)s unless cancelled."
                )
                % {"when": when},
            )
    return redirect("registry:account", pk=proposal.from_account_id)


@login_required
@require_POST
def transfer_reject(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        services.transfer_reject(proposal=proposal, acting_user=request.user, reason=request.POST.get("reason", ""))
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Transfer rejected."))
    return redirect("registry:account", pk=proposal.from_account_id)


@login_required
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    try:
        services.transfer_cancel(proposal=proposal, acting_user=request.user, reason=request.POST.get("reason", ""))
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, _("Transfer cancelled; nothing moved."))
    return redirect("registry:account", pk=proposal.from_account_id)
