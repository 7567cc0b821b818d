"""Public pages (no sign-in, cached per market-year, rate-limited) and the regulators' publication pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from disclosure import cache_keys, charts, selectors, services, workflow
from disclosure.forms import ProposeForm, RejectForm
from disclosure.models import Publication
from disclosure.throttling import throttled
from mrv.models import Market
from mrv.transitions import TransitionRefused
from mrv.ui.buttons import allowed
from registry import exports

CACHE_SECONDS = (
    3600  # a publication clears its pages at once; this bounds staleness after a deploy (templates, translations)
)


def _cached(key: str, build):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _page(request: HttpRequest, title: str, body: str) -> HttpResponse:
    """The cached body inside the page layout, which is rendered per request (its CSRF token is the visitor's)."""
    return render(request, "disclosure/public_page.html", {"title": title, "body": mark_safe(body)})  # noqa: S308


def _market(code: str) -> Market:
    return selectors.market_by_code(code=code)


def _published(market: Market, year: int) -> list[Publication]:
    versions = selectors.published_versions(market, year)
    if not versions:
        raise Http404(_("Nothing is published for this market and year."))
    return versions


# --- Public -----------------------------------------------------------------------------------


@throttled
def index(request: HttpRequest) -> HttpResponse:
    def build() -> str:
        years = selectors.published_years()
        markets = [(m, years.get(m.pk, [])) for m in selectors.markets_in_order()]
        stats = selectors.history()
        context = {"markets": markets, "history": stats, "trend": charts.history_trend(stats)}
        return render_to_string("disclosure/_index.html", context)

    return _page(request, _("Public disclosure"), _cached(cache_keys.page("index", language=get_language()), build))


@throttled
def market_page(request: HttpRequest, code: str) -> HttpResponse:
    def build() -> str:
        market = _market(code)
        stats = selectors.history(market)
        context = {
            "market": market,
            "years": selectors.published_years().get(market.pk, []),
            "history": stats,
            "trend": charts.history_trend(stats),
        }
        return render_to_string("disclosure/_market.html", context)

    body = _cached(cache_keys.page("market", code, language=get_language()), build)
    return _page(request, _("Public disclosure"), body)


def _page_number(request: HttpRequest) -> int:
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= 100_000:
        raise Http404
    return int(number)


@throttled
def market_year(request: HttpRequest, code: str, year: int) -> HttpResponse:
    number = _page_number(request)

    def build() -> str:
        market = _market(code)
        versions = _published(market, year)
        current = versions[0]
        snapshot = current.snapshot
        try:
            page = Paginator(snapshot["firms"], selectors.FIRMS_PER_PAGE).page(number)
        except EmptyPage:
            raise Http404 from None
        header, rows = selectors.firm_table({**snapshot, "firms": page.object_list})
        context = {
            "page": page,
            "market": market,
            "year": year,
            "current": current,
            "corrections": versions,
            "snapshot": snapshot,
            "firm_header": header,
            "firm_rows": rows,
            "totals": selectors.totals_table(snapshot)[1],
            "chart": charts.totals_chart(snapshot, title=f"{market} {year}"),
            "history": [s for s in selectors.history(market) if s.year == year],
            "thresholds": selectors.inclusion_thresholds(market, year),
        }
        return render_to_string("disclosure/_market_year.html", context)

    body = _cached(cache_keys.page("market-year", code, year, number, language=get_language()), build)
    return _page(request, _("Public disclosure"), body)


@throttled
def export(request: HttpRequest, code: str, year: int, table: str, fmt: str) -> HttpResponse:
    if table not in cache_keys.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    key = cache_keys.page("export", code, year, table, fmt, language=get_language())

    def build() -> tuple[bytes, str, str]:
        snapshot = _published(_market(code), year)[0].snapshot
        header, rows = (selectors.firm_table if table == "firms" else selectors.totals_table)(snapshot)
        response = exports.tabular_response(fmt, f"{code}-{year}-{table}", header, rows)
        return response.content, response["Content-Type"], response["Content-Disposition"]

    content, content_type, disposition = _cached(key, build)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition
    return response


@throttled
def history_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header, rows = selectors.history_table(selectors.history())
    return exports.tabular_response(fmt, "compliance-history-2016-2020", header, rows)


# --- Regulators -------------------------------------------------------------------------------


def _regulated_market(request: HttpRequest) -> Market:
    """The regulator's own market; the national administrator looks at one with ?market=code (read only)."""
    user = request.user
    if user.is_regulator:
        return selectors.regulator_market(user=user)
    if user.is_national_admin:
        return selectors.market_by_code(code=request.GET.get("market") or "shanghai")
    raise PermissionDenied(_("Only a market's regulator may open this page."))


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        return timezone.localdate().year - 1


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    market, year = _regulated_market(request), _year(request)
    publications = selectors.publications_visible(user=request.user, market=market)
    for publication in publications:  # its buttons: the transitions the gate lets this user run (no query)
        publication.can = allowed(publication, request.user)
    context = {
        "market": market,
        "year": year,
        "publications": publications,
        "can": workflow.manage_actions(market.pk, request.user),
        "form": ProposeForm(initial={"year": year}),
        "reject_form": RejectForm(),
    }
    return render(request, "disclosure/manage.html", context)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What a proposal (or an earlier version) freezes, for the market's regulators before and after deciding."""
    publication = selectors.publication_visible(user=request.user, pk=pk)
    header, rows = selectors.firm_table(publication.snapshot)
    context = {
        "publication": publication,
        "firm_header": header,
        "firm_rows": rows,
        "totals": selectors.totals_table(publication.snapshot)[1],
    }
    return render(request, "disclosure/preview.html", context)


@login_required
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    market = _regulated_market(request)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("disclosure:manage")
    try:
        publication = services.publication_propose(
            market=market, year=form.cleaned_data["year"], note=form.cleaned_data["note"], acting_user=request.user
        )
    except TransitionRefused as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('disclosure:manage')}?year={form.cleaned_data['year']}")
    messages.success(request, _("Proposed; a regulator head other than you decides whether it is published."))
    return redirect("disclosure:preview", pk=publication.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    publication = selectors.publication_visible(user=request.user, pk=pk)
    try:
        if action == "publish":
            services.publication_publish(publication=publication, acting_user=request.user)
            messages.success(request, _("Published."))
        else:
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.publication_reject(publication=publication, reason=reason, acting_user=request.user)
            messages.success(request, _("Rejected; nothing was published."))
    except TransitionRefused as exc:
        messages.error(request, str(exc.message))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(f"{reverse('disclosure:manage')}?year={publication.year}")
