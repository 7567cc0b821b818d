"""Thin views: each object is fetched through `mrv.access` (404 when not visible); changes are POST-only
and go through `registry.services`; a refused change shows the service's message."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mrv import access, inputs, uploads
from mrv.models import Firm, Market
from mrv.refusals import Refused, show_refusal
from mrv.replicas import reads_from_replica
from registry import charts, documents, exports, selectors, services, workflow
from registry.forms import (
    AccountCapsForm,
    ComputeTableForm,
    DecisionForm,
    IssueForm,
    OffsetCreditForm,
    RepresentativeForm,
    ReversalForm,
    SaleForm,
    SurrenderForm,
    TradeImportForm,
    TransferForm,
    TrustedAccountForm,
)
from registry.ledger import Unit, holding_account
from registry.models import (
    Account,
    AllocationTable,
    Entry,
    Penalty,
    Representative,
    ReversalRequest,
    Transaction,
    TransferProposal,
    TrustedAccount,
)
from signin.mfa import step_up_required
from signin.ratelimit import rate_limited


def _visible(request: HttpRequest, model, pk: int, queryset=None):
    return get_object_or_404(access.visible_to(request.user, queryset if queryset is not None else model), pk=pk)


def _year(request: HttpRequest) -> int:
    """The year asked for; a year that is not one, or outside the supported range, shows why and last year."""
    asked = request.GET.get("year") or request.POST.get("year")
    if not asked:
        return timezone.localdate().year - 1
    try:
        return inputs.parse_year(asked)
    except ValidationError as error:
        messages.error(
            request,
            _("Year: %(why)s Showing %(year)s instead.")
            % {"why": " ".join(error.messages), "year": timezone.localdate().year - 1},
        )
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
    account = _visible(request, Account, pk, Account.objects.select_related("firm__market", "market"))
    transactions = (
        access.visible_to(request.user, Transaction)
        .filter(entries__account=account)
        .distinct()
        .select_related("created_by")
        .prefetch_related(Prefetch("entries", queryset=Entry.objects.filter(account=account)))
        .order_by("-created_at", "-id")[:50]
    )
    proposals = TransferProposal.objects.filter(from_account=account).select_related(
        "to_account", "proposed_by", "decided_by", "cancelled_by"
    )
    representative = workflow.is_representative(account, request.user)
    return render(
        request,
        "registry/account.html",
        {
            "account": account,
            "holdings": selectors.holdings(account),
            "transactions": transactions,
            "open_proposals": proposals.filter(status__in=TransferProposal.OPEN).order_by("created_at"),
            "past_proposals": proposals.exclude(status__in=TransferProposal.OPEN)[:20],
            "years": selectors.compliance_history(account.firm) if account.firm_id else [],
            "is_representative": representative,
            "representatives": selectors.representatives(account) if account.firm_id else [],
        },
    )


@login_required
@rate_limited("transfer")
def transfer_propose(request: HttpRequest, pk: int) -> HttpResponse:
    account = _visible(request, Account, pk, Account.objects.select_related("firm", "market"))
    if not workflow.is_representative(account, request.user):
        raise PermissionDenied(services.NOT_REPRESENTATIVE)
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
    return _visible(request, TransferProposal, pk, TransferProposal.objects.select_related("from_account"))


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


@login_required
def trusted_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's trusted list: additions proposed and approved by two representatives, in force after a delay."""
    account = _visible(request, Account, pk, Account.objects.select_related("firm", "market"))
    representative = workflow.is_representative(account, request.user)
    form = TrustedAccountForm(request.POST or None, account=account)
    if request.method == "POST":
        if not representative:
            raise PermissionDenied(services.NOT_REPRESENTATIVE)
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
    entries = TrustedAccount.objects.filter(account=account).select_related(
        "trusted__firm", "proposed_by", "decided_by"
    )
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
    entry = _visible(request, TrustedAccount, pk, TrustedAccount.objects.select_related("account"))
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
    account = _visible(request, Account, pk, Account.objects.select_related("firm", "market"))
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
    designated = Representative.objects.filter(account=account).select_related("user", "added_by")
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
    account = _visible(request, Account, pk, Account.objects.select_related("market"))
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
    rep = _visible(request, Representative, pk, Representative.objects.select_related("account", "user"))
    services.representative_remove(representative=rep, acting_user=request.user)
    messages.success(request, _("Representative removed."))
    return redirect("registry:representatives", pk=rep.account_id)


@login_required
@rate_limited("transfer")
@step_up_required()
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
            tx = services.units_surrender(
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
            if tx.replayed:
                _recorded(request, tx)
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
        {
            "table": table,
            "lines": lines,
            "cap": selectors.cap_for(table.market, table.year),
            "notices": selectors.line_seals(table),
        },
    )


@login_required
@require_POST
@step_up_required(when=lambda request, action, **kw: action == "issue")
def allocation_table_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    table = _visible(request, AllocationTable, pk, AllocationTable.objects.select_related("market"))
    service = {"approve": services.allocation_table_approve, "issue": services.allocation_table_issue}[action]
    try:
        service(table=table, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:allocation_table", pk=table.pk)


def _market_year(request: HttpRequest) -> tuple[Market, int]:
    """The regulator's market and the requested year, refused with the supported range if outside it."""
    market, year = _regulated_market(request), _year(request)
    market.check_year(year)
    return market, year


def _dashboard_rows(market: Market, year: int):
    statuses = selectors.compliance_statuses(market, year)
    firms = Firm.objects.in_bulk([s.firm_id for s in statuses])
    return [(firms[s.firm_id], s) for s in statuses]


@login_required
@reads_from_replica
def compliance_dashboard(request: HttpRequest) -> HttpResponse:
    market, year = _market_year(request)
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
            "penalised": selectors.penalised_firm_ids(market, year),
            "notices": selectors.notice_seals(market, year, "compliance"),
        },
    )


@login_required
@require_POST
def notices_issue(request: HttpRequest) -> HttpResponse:
    """Issue every firm's compliance or allocation notice for the year, in the background (the job page shows
    the progress)."""
    market, year = _market_year(request)
    try:
        job = documents.notices_issue(
            market=market, year=year, kind=request.POST.get("kind", ""), acting_user=request.user
        )
    except Refused as refused:
        show_refusal(request, refused)
        return redirect(f"{reverse('registry:compliance')}?year={year}")
    return redirect("ui:job_detail", pk=job.pk)


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
    rows = list(Penalty.objects.filter(firm__market=market).select_related("firm", "decided_by")[:200])
    context = {"market": market, "penalties": rows, "form": DecisionForm(), "seals": selectors.penalty_seals(rows)}
    return render(request, "registry/penalties.html", context)


@login_required
@require_POST
@step_up_required(when=lambda request, action, **kw: action == "decide")
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


STATISTICS_COLUMNS = [
    ("market", gettext_lazy("market")),
    ("year", gettext_lazy("year")),
    ("obliged_firms", gettext_lazy("obliged firms")),
    ("compliant_firms", gettext_lazy("compliant firms")),
    ("compliance_rate_pct", gettext_lazy("compliance rate (%)")),
    ("surrendered_tco2e", gettext_lazy("surrendered (t)")),
    ("offsets_tco2e", gettext_lazy("offsets surrendered (t)")),
    ("offsets_share_pct", gettext_lazy("offsets share (%)")),
    ("traded_tco2e", gettext_lazy("traded volume (t)")),
    ("trading_rate_pct", gettext_lazy("trading rate (%)")),
    ("cap_tco2e", gettext_lazy("cap (tCO2e)")),
    ("allocated_tco2e", gettext_lazy("allocated (tCO2e)")),
    ("issued_tco2e", gettext_lazy("issued (tCO2e)")),
]


def _statistics_table(stats_list) -> tuple[list[str], list[list]]:
    header = [str(label) for _key, label in STATISTICS_COLUMNS]
    rows = [
        [str(getattr(s, key)) if key == "market" else getattr(s, key) for key, _label in STATISTICS_COLUMNS]
        for s in stats_list
    ]
    return header, rows


@login_required
@reads_from_replica
def statistics(request: HttpRequest) -> HttpResponse:
    """By year for one market, and (national administrator) across markets; charts and CSV/XLSX."""
    market, year = _market_year(request)
    years = selectors.statistics_years()
    if year not in years:
        years = sorted({*years, year})
    series = selectors.statistics_series(market, years)
    across = (
        selectors.statistics_across_markets(Market.objects.order_by("pk"), year)
        if request.user.is_national_admin
        else []
    )
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header, rows = _statistics_table(across or series)
        name = f"statistics-{year}" if across else f"statistics-{market.code}"
        return exports.tabular_response(fmt, name, header, rows)
    stats = next(s for s in series if s.year == year)
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
    rate_chart = charts.bar_chart(
        [(str(s.year), s.compliance_rate_pct) for s in series],
        title=_("%(market)s: compliance rate by year") % {"market": market},
        unit="%",
    )
    across_chart = (
        charts.bar_chart(
            [(str(s.market), s.compliance_rate_pct) for s in across],
            title=_("Compliance rate by market, %(year)s") % {"year": year},
            unit="%",
        )
        if across
        else ""
    )
    header, series_rows = _statistics_table(series)
    context = {
        "market": market,
        "year": year,
        "years": years,
        "markets": Market.objects.order_by("pk") if request.user.is_national_admin else [],
        "stats": stats,
        "chart": chart,
        "rate_chart": rate_chart,
        "rates": series,
        "header": header[1:],
        "series_rows": [row[1:] for row in series_rows],
        "across_rows": _statistics_table(across)[1],
        "across_header": header,
        "across_chart": across_chart,
    }
    return render(request, "registry/statistics.html", context)


@login_required
@rate_limited("upload")
def trade_import(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    form = TradeImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = uploads.read_upload(upload)
            uploads.check_name(uploads.CSV, upload.name)
            recorded = services.trades_import(market=market, data=data, acting_user=request.user)
        except uploads.UploadRejected as rejected:
            errors = [str(rejected.message)]
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
            tx = services.offsets_issue(
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
            _recorded(request, tx)
            return redirect("registry:offset_credits")
    return render(request, "registry/offset_credits.html", {"market": market, "form": form, "key": key})


def _require_officer(request: HttpRequest) -> Market:
    market = _regulated_market(request)
    if not request.user.is_regulator:
        raise PermissionDenied(_("Only the market's regulator may do this."))
    return market


@login_required
@step_up_required()
def allowances_issue(request: HttpRequest) -> HttpResponse:
    """Allowances issued to a firm outside an allocation table (e.g. to a new entrant from the reserve)."""
    market = _require_officer(request)
    form = IssueForm(request.POST or None, market=market)
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tx = services.allowances_issue(
                firm=data["account"].firm,
                vintage=data["vintage"],
                quantity=data["quantity"],
                idempotency_key=f"issue:{key}",
                acting_user=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            _recorded(request, tx)
            return redirect("registry:transaction", pk=tx.pk)
    return render(request, "registry/issue.html", {"market": market, "form": form, "key": key, "sale": False})


@login_required
@step_up_required()
def allowances_sell(request: HttpRequest) -> HttpResponse:
    """An auction (or fixed-price) sale from the market's auction account to a firm."""
    market = _require_officer(request)
    form = SaleForm(request.POST or None, market=market)
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tx = services.allowances_sell(
                firm=data["account"].firm,
                vintage=data["vintage"],
                quantity=data["quantity"],
                price_cny_per_t=data["price_cny_per_t"],
                idempotency_key=f"sale:{key}",
                acting_user=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            _recorded(request, tx)
            return redirect("registry:transaction", pk=tx.pk)
    return render(request, "registry/issue.html", {"market": market, "form": form, "key": key, "sale": True})


def _recorded(request: HttpRequest, tx: Transaction) -> None:
    if getattr(tx, "replayed", False):
        messages.info(
            request, _("This request was already recorded as transaction #%(pk)s; nothing new moved.") % {"pk": tx.pk}
        )
    else:
        messages.success(request, _("Recorded as transaction #%(pk)s.") % {"pk": tx.pk})


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
