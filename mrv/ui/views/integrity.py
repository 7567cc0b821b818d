"""The integrity of the records: the latest check of the hash chains, for the regulator's market (the national
administrator sees every market), and a button to check now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from mrv.models import ChainVerification
from mrv.security import chains
from mrv.selectors.markets import market_ids_seen_by, markets_by_pk
from mrv.selectors.records import recent_chain_checks
from mrv.ui.objects import require

NOT_ALLOWED = _("Only regulators and the national administrator see the integrity checks.")
RECENT = 20


def _market_ids(user) -> set[int] | None:
    """None: every market (the national administrator)."""
    if user.is_national_admin:
        return None
    return market_ids_seen_by(user)


@login_required
@require_http_methods(["GET", "POST"])
def chain_check(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user.is_regulator or user.is_national_admin, str(NOT_ALLOWED))
    if request.method == "POST":
        try:
            run = chains.verify_chains(trigger=ChainVerification.Trigger.PAGE, acting_user=user)
        except RuntimeError as exc:
            messages.error(request, str(exc))
        else:
            ok = all(c["broken"] is None for c in run.chains_of(_market_ids(user)))
            (messages.success if ok else messages.error)(
                request, _("Checked: all chains intact.") if ok else _("Checked: a chain is broken, see below.")
            )
        return redirect("ui:chain_check")
    market_ids = _market_ids(user)
    markets = markets_by_pk()
    runs = []
    for run in recent_chain_checks(RECENT):
        mine = run.chains_of(market_ids)
        runs.append({"run": run, "ok": all(c["broken"] is None for c in mine), "rows": sum(c["rows"] for c in mine)})
    latest = runs[0]["run"] if runs else None
    context = {
        "title": _("Integrity of the records"),
        "runs": runs,
        "latest": latest,
        "latest_chains": [chains.describe(c, markets) for c in latest.chains_of(market_ids)] if latest else [],
    }
    return render(request, "ui/chain_check.html", context)
