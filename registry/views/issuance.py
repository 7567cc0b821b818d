"""The regulator issues allowances and offset credits and records the government's sales."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mrv.refusals import Refused, show_refusal
from registry import services
from registry.forms import (
    IssueForm,
    OffsetCreditForm,
    SaleForm,
)
from registry.views.common import _recorded, _regulated_market, _require_officer
from signin.mfa import step_up_required


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


def _allowances_page(request: HttpRequest, form_class, record, *, sale: bool) -> HttpResponse:
    """The issue and sale pages: the officer's form, `record(data, key)` once per idempotency key, and the
    recorded transaction's page on success."""
    market = _require_officer(request)
    form = form_class(request.POST or None, market=market)
    key = request.POST.get("idempotency_key") or str(uuid.uuid4())
    if request.method == "POST" and form.is_valid():
        try:
            tx = record(form.cleaned_data, key)
        except Refused as refused:
            show_refusal(request, refused)
        else:
            _recorded(request, tx)
            return redirect("registry:transaction", pk=tx.pk)
    return render(request, "registry/issue.html", {"market": market, "form": form, "key": key, "sale": sale})


@login_required
@step_up_required()
def allowances_issue(request: HttpRequest) -> HttpResponse:
    """Allowances issued to a firm outside an allocation table (e.g. to a new entrant from the reserve)."""

    def record(data: dict, key: str):
        return services.allowances_issue(
            firm=data["account"].firm,
            vintage=data["vintage"],
            quantity=data["quantity"],
            idempotency_key=f"issue:{key}",
            acting_user=request.user,
        )

    return _allowances_page(request, IssueForm, record, sale=False)


@login_required
@step_up_required()
def allowances_sell(request: HttpRequest) -> HttpResponse:
    """An auction (or fixed-price) sale from the market's auction account to a firm."""

    def record(data: dict, key: str):
        return services.allowances_sell(
            firm=data["account"].firm,
            vintage=data["vintage"],
            quantity=data["quantity"],
            price_cny_per_t=data["price_cny_per_t"],
            idempotency_key=f"sale:{key}",
            acting_user=request.user,
        )

    return _allowances_page(request, SaleForm, record, sale=True)
