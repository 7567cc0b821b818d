"""The year's allocation tables: list, one table, approve and issue."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from mrv.refusals import Refused, show_refusal
from registry import selectors, services
from registry.forms import (
    ComputeTableForm,
)
from registry.views.common import _regulated_market
from signin.mfa import step_up_required


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
    tables = selectors.allocation_tables_of(market=market)
    caps = selectors.market_caps(market=market)
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
    table = selectors.allocation_table_visible(user=request.user, pk=pk)
    lines = selectors.table_lines(table=table)
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
    table = selectors.allocation_table_visible(user=request.user, pk=pk)
    service = {"approve": services.allocation_table_approve, "issue": services.allocation_table_issue}[action]
    try:
        service(table=table, acting_user=request.user)
    except Refused as refused:
        show_refusal(request, refused)
    return redirect("registry:allocation_table", pk=table.pk)
