"""A firm surrenders units; the regulator's compliance dashboard."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mrv.models import Firm, Market
from mrv.refusals import Refused, show_refusal
from mrv.replicas import reads_from_replica
from registry import exports, selectors, services
from registry.forms import (
    SurrenderForm,
)
from registry.models import (
    Account,
)
from registry.views.common import _market_year, _recorded, _visible, _year
from signin.mfa import step_up_required
from signin.ratelimit import rate_limited


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
        },
    )
