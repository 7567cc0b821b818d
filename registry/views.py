"""Thin views: each object is fetched through `mrv.access` (404 when not visible); changes are POST-only
and go through `registry.services`; a refused change shows the service's message."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv import access
from mrv.models import Firm, Market
from mrv.refusals import Refused, show_refusal
from mrv.replicas import reads_from_replica
from registry import charts, exports, selectors, services
from registry.forms import (
    ComputeTableForm,
    DecisionForm,
    OffsetCreditForm,
    SurrenderForm,
    TradeImportForm,
    TransferForm,
)
from registry.ledger import Unit, holding_account
from registry.models import Account, AllocationTable, Entry, Penalty, Transaction, TransferProposal


def _visible(request: HttpRequest, model, pk: int, queryset=None):
    return get_object_or_404(access.visible_to(request.user, queryset if queryset is not None else model), pk=pk)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year - 1)
    except ValueError:
        return timezone.localdate().year - 1


def _regulated_market(request: HttpRequest) -> Market:
    """The regulator's own market; the national administrator chooses one with ?market=code."""
    user = request.user
    if user.is_regulator:
        return Market.objects.get(pk=user.market_id)
    if user.is_national_admin:
        code = request.GET.get("market") or request.POST.get("market") or "shanghai"
        return get_object_or_404(Market, code=code)
    raise PermissionDenied(_("Only a market's regulator may open this page."))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_firm_user:
        return redirect("registry:account", pk=holding_account(user.firm).pk)
    if user.is_regulator or user.is_national_admin:
        return redirect("registry:compliance")
    raise PermissionDenied(_("The registry is open to firms and regulators."))


# --- Firm pages --------------------------------------------------------------------------------


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible(request, Account, pk, Account.objects.select_related("firm", "market"))
    transactions = (
        access.visible_to(request.user, Transaction)
        .filter(entries__account=account)
        .distinct()
        .select_related("created_by")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.filter(account=account)))
        .order_by("-created_at", "-id")[:50]
    )
    pending = TransferProposal.objects.filter(
        from_account=account, status=TransferProposal.Status.PROPOSED
    ).select_related("to_account", "proposed_by")
    status = selectors.compliance_status(account.firm, _year(request)) if account.firm_id else None
    return render(
        request,
        "registry/account.html",
        {
            "account": account,
            "holdings": selectors.holdings(account),
            "transactions": transactions,
            "pending": pending,
            "status": status,
        },
    )


@login_required
def transfer_propose(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible(request, Account, pk, Account.objects.select_related("firm", "market"))
    if not (request.user.is_firm_user and account.firm_id == request.user.firm_id):
        raise PermissionDenied(services.NOT_YOUR_ACCOUNT)
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
            messages.success(request, _("Transfer proposed; another person of your firm must approve it."))
            return redirect("registry:account", pk=account.pk)
    return render(request, "registry/transfer_form.html", {"account": account, "form": form})


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    proposal = _visible(request, TransferProposal, pk, TransferProposal.objects.select_related("from_account"))
    try:
        if decision == "approve":
            services.transfer_approve(proposal=proposal, acting_user=request.user)
            messages.success(request, _("Transfer approved and executed."))
        else:
            services.transfer_reject(proposal=proposal, acting_user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Transfer rejected."))
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:account", pk=proposal.from_account_id)


@login_required
def surrender(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible(request, Account, pk, Account.objects.select_related("firm__market"))
    if not (request.user.is_firm_user and account.firm_id == request.user.firm_id):
        raise PermissionDenied(_("Only the firm itself surrenders."))
    year = _year(request)
    status = selectors.compliance_status(account.firm, year)
    form = SurrenderForm(request.POST or None, holdings=selectors.holdings(account), year=year)
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid():
        allowances, offsets = form.split()
        try:
            services.units_surrender(
                firm=account.firm,
                year=year,
                allowances=allowances,
                offsets=offsets,
                idempotency_key=f"surrender:{key}",
                acting_user=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, _("Surrendered for %(year)s.") % {"year": year})
            return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "registry/surrender.html",
        {
            "account": account,
            "form": form,
            "status": status,
            "year": year,
            "key": key,
        },
    )


# --- Regulator pages ---------------------------------------------------------------------------


@login_required
def allocation_tables(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    form = ComputeTableForm(request.POST or None, initial={"year": timezone.localdate().year, "kind": "preliminary"})
    if request.method == "POST" and form.is_valid():
        try:
            table = services.allocation_table_compute(
                market=market, year=form.cleaned_data["year"], kind=form.cleaned_data["kind"], acting_user=request.user
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            return redirect("registry:allocation_table", pk=table.pk)
    tables = AllocationTable.objects.filter(market=market).select_related("approved_by")
    caps = market.caps.all()[:10]
    return render(
        request,
        "registry/allocation_tables.html",
        {
            "market": market,
            "tables": tables,
            "form": form,
            "caps": caps,
        },
    )


@login_required
def allocation_table(request: HttpRequest, pk: int) -> HttpResponse:
    table = _visible(request, AllocationTable, pk, AllocationTable.objects.select_related("market", "approved_by"))
    lines = table.lines.select_related("firm").order_by("firm__name")
    return render(
        request,
        "registry/allocation_table.html",
        {"table": table, "lines": lines, "cap": selectors.cap_for(table.market, table.year)},
    )


@login_required
@require_POST
def allocation_table_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    table = _visible(request, AllocationTable, pk, AllocationTable.objects.select_related("market"))
    service = {"approve": services.allocation_table_approve, "issue": services.allocation_table_issue}[action]
    try:
        service(table=table, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:allocation_table", pk=table.pk)


def _dashboard_rows(market: Market, year: int):
    statuses = selectors.compliance_statuses(market, year)
    firms = Firm.objects.in_bulk([s.firm_id for s in statuses])
    return [(firms[s.firm_id], s) for s in statuses]


@login_required
@reads_from_replica
def compliance_dashboard(request: HttpRequest) -> HttpResponse:
    market, year = _regulated_market(request), _year(request)
    rows = _dashboard_rows(market, year)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [
            _("firm"),
            _("credit code"),
            _("obligation (tCO2e)"),
            _("allowances (t)"),
            _("offsets (t)"),
            _("carried in (t)"),
            _("shortfall (t)"),
            _("status"),
        ]
        data = [
            (
                f.name,
                f.credit_code,
                s.obligation_tco2e,
                s.allowances_tco2e,
                s.offsets_tco2e,
                s.carried_in_tco2e,
                s.shortfall_tco2e,
                str(s.label),
            )
            for f, s in rows
        ]
        return exports.tabular_response(fmt, f"compliance-{market.code}-{year}", header, data)
    return render(
        request,
        "registry/compliance.html",
        {
            "market": market,
            "year": year,
            "rows": rows,
            "deadline": selectors.compliance_deadline(market, year),
        },
    )


@login_required
def penalties(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    if request.method == "POST":
        firm_id = request.POST.get("firm", "")
        firm = _visible(request, Firm, int(firm_id) if firm_id.isdigit() else 0)
        try:
            services.penalty_propose(firm=firm, year=_year(request), acting_user=request.user)
        except Refused as refused:
            show_refusal(request, refused)
        return redirect("registry:penalties")
    rows = Penalty.objects.filter(firm__market=market).select_related("firm", "decided_by")[:200]
    return render(request, "registry/penalties.html", {"market": market, "penalties": rows, "form": DecisionForm()})


@login_required
@require_POST
def penalty_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    penalty = _visible(request, Penalty, pk, Penalty.objects.select_related("firm"))
    text = request.POST.get("decision_text", "")
    try:
        if action == "decide":
            services.penalty_decide(penalty=penalty, decision_text=text, acting_user=request.user)
        else:
            services.penalty_withdraw(penalty=penalty, reason=text, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:penalties")


@login_required
@reads_from_replica
def statistics(request: HttpRequest) -> HttpResponse:
    market, year = _regulated_market(request), _year(request)
    stats = selectors.market_statistics(market, year)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return exports.tabular_response(
            fmt, f"statistics-{market.code}-{year}", [_("figure"), _("value")], stats.rows()
        )
    chart = charts.bar_chart(
        [
            (_("cap"), stats.cap_tco2e),
            (_("allocated"), stats.allocated_tco2e),
            (_("issued"), stats.issued_tco2e),
            (_("surrendered"), stats.surrendered_tco2e),
            (_("traded"), stats.traded_tco2e),
        ],
        title=_("%(market)s %(year)s: cap, allocation, issuance, surrender, trading")
        % {"market": market, "year": year},
    )
    return render(request, "registry/statistics.html", {"market": market, "year": year, "stats": stats, "chart": chart})


@login_required
def trade_import(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    form = TradeImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.trades_import(
                market=market, data=form.cleaned_data["file"].read(), acting_user=request.user
            )
        except services.ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, _("%(n)s trades recorded.") % {"n": len(recorded)})
            return redirect("registry:trade_import")
    return render(
        request,
        "registry/trade_import.html",
        {"market": market, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
def offset_credits(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    if not request.user.is_regulator:
        raise PermissionDenied(_("Only the market's regulator records offset credits."))
    form = OffsetCreditForm(request.POST or None, market=market)
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.offsets_issue(
                firm=data["account"].firm,
                offset_type=data["offset_type"],
                project=data["project"],
                vintage=data["vintage"],
                quantity=data["quantity"],
                idempotency_key=f"offsets:{key}",
                acting_user=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, _("Offset credits recorded."))
            return redirect("registry:offset_credits")
    return render(request, "registry/offset_credits.html", {"market": market, "form": form, "key": key})
