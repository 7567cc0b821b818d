"""A firm's account page, its trusted accounts, representatives and transfer caps."""

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
    AccountCapsForm,
    RepresentativeForm,
    TrustedAccountForm,
)
from registry.ledger import holding_account
from registry.services.common import NOT_REPRESENTATIVE
from signin.mfa import step_up_required


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_firm_user:
        return redirect("registry:account", pk=holding_account(user.firm).pk)
    if user.is_regulator or user.is_national_admin:
        return redirect("registry:compliance")
    raise PermissionDenied(_("The registry is open to firms and regulators."))


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_visible(user=request.user, pk=pk)
    transactions = selectors.account_transactions(user=request.user, account=account)
    open_proposals, past_proposals = selectors.account_proposals(account=account)
    representative = workflow.is_representative(account, request.user)
    return render(
        request,
        "registry/account.html",
        {
            "account": account,
            "holdings": selectors.holdings(account),
            "transactions": transactions,
            "open_proposals": open_proposals,
            "past_proposals": past_proposals,
            "years": selectors.compliance_history(account.firm) if account.firm_id else [],
            "is_representative": representative,
            "representatives": selectors.representatives(account) if account.firm_id else [],
        },
    )


@login_required
def trusted_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's trusted list: additions proposed and approved by two representatives, in force after a delay."""
    account = selectors.account_visible(user=request.user, pk=pk)
    representative = workflow.is_representative(account, request.user)
    form = TrustedAccountForm(request.POST or None, account=account)
    if request.method == "POST":
        if not representative:
            raise PermissionDenied(NOT_REPRESENTATIVE)
        if form.is_valid():
            try:
                services.trusted_account_propose(
                    account=account, trusted=form.cleaned_data["account"], acting_user=request.user
                )
            except Refused as refused:
                show_refusal(request, refused)
            else:
                messages.success(request, _("Addition proposed; another representative must approve it."))
                return redirect("registry:trusted_list", pk=account.pk)
    entries = selectors.trusted_entries(account=account)
    return render(
        request,
        "registry/trusted_list.html",
        {
            "account": account,
            "entries": entries,
            "form": form,
            "is_representative": representative,
            "now": timezone.now(),
            "delay_hours": settings.REGISTRY_TRUSTED_LIST_DELAY_HOURS,
        },
    )


@login_required
@require_POST
@step_up_required(when=lambda request, action, **kw: action == "approve")
def trusted_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.trusted_entry_visible(user=request.user, pk=pk)
    service = {
        "approve": services.trusted_account_approve,
        "reject": services.trusted_account_reject,
        "remove": services.trusted_account_remove,
    }[action]
    try:
        service(entry=entry, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:trusted_list", pk=entry.account_id)


@login_required
def representatives(request: HttpRequest, pk: int) -> HttpResponse:
    """The market's regulator designates people of the firm as authorised representatives of its account."""
    account = selectors.account_visible(user=request.user, pk=pk)
    if not (request.user.is_regulator and account.firm_id):
        raise PermissionDenied(_("Only the market's regulator designates representatives."))
    form = RepresentativeForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_add(account=account, user=form.cleaned_data["user"], acting_user=request.user)
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, _("Representative designated."))
            return redirect("registry:representatives", pk=account.pk)
    designated = selectors.designated_representatives(account=account)
    caps = AccountCapsForm(
        initial={"max_transfer_t": account.max_transfer_t, "max_daily_transfer_t": account.max_daily_transfer_t}
    )
    return render(
        request,
        "registry/representatives.html",
        {
            "account": account,
            "designated": designated,
            "form": form,
            "caps": caps,
            "everyone": selectors.representatives(account),
        },
    )


@login_required
@require_POST
def account_caps(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_visible(user=request.user, pk=pk)
    form = AccountCapsForm(request.POST)
    if form.is_valid():
        services.account_caps_set(account=account, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("Caps saved."))
    else:
        messages.error(request, "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("registry:representatives", pk=account.pk)


@login_required
@require_POST
def representative_remove(request: HttpRequest, pk: int) -> HttpResponse:
    rep = selectors.representative_visible(user=request.user, pk=pk)
    services.representative_remove(representative=rep, acting_user=request.user)
    messages.success(request, _("Representative removed."))
    return redirect("registry:representatives", pk=rep.account_id)
