"""A firm surrenders units; the regulator's compliance dashboard."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrv.refusals import Refused, show_refusal
from mrv.replicas import reads_from_replica
from registry import documents, exports, selectors, services
from registry.forms import (
    SurrenderForm,
)
from registry.views.common import _market_year, _recorded, _year
from signin.mfa import step_up_required
from signin.ratelimit import rate_limited


@login_required
@rate_limited("transfer")
@step_up_required()
def surrender(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_visible(user=request.user, pk=pk)
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


COMPLIANCE_PAGE_ROWS = 200  # rows rendered per page: the page's time does not grow with the market


@login_required
@reads_from_replica
def compliance_dashboard(request: HttpRequest) -> HttpResponse:
    """Every covered firm's position for a year: a page of rows on screen (the summary counts them all), every
    row in the CSV and XLSX exports."""
    market, year = _market_year(request)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        rows = selectors.compliance_rows(market=market, year=year)
        header = [
            _("firm"),
            _("credit code"),
            _("obligation (tCO2e)"),
            _("allowances (t)"),
            _("offsets (t)"),
            _("carried in (t)"),
            _("shortfall at the deadline (t)"),
            _("shortfall (t)"),
            _("surrendered late (t)"),
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
                s.frozen_shortfall_tco2e if s.frozen else None,
                s.shortfall_tco2e,
                s.late_tco2e,
                str(s.label),
            )
            for f, s in rows
        ]
        return exports.tabular_response(fmt, f"compliance-{market.code}-{year}", header, data)
    # A page of firms, their statuses alone; the summary counts every firm in SQL.
    page = Paginator(selectors.compliance_firm_ids(market, year), COMPLIANCE_PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    statuses = selectors.compliance_statuses_of(market, year, page.object_list)
    firms = selectors.firms_by_id(ids=page.object_list)
    return render(
        request,
        "registry/compliance.html",
        {
            "market": market,
            "year": year,
            "rows": [(firms[s.firm_id], s) for s in statuses],
            "page": page,
            "summary": selectors.compliance_summary(market, year),
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
