"""The registry's places on the desk: its navigation entry and its home-page queues.

`register()` is called once from `RegistryConfig.ready()`; mrv never imports the registry.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mrv import access
from registry import positions, selectors
from registry.models import AllocationTable, ComplianceRecord, Penalty, Transaction, TransferProposal


def may_use_registry(user) -> bool:
    """Firms (their account) and a market's regulators or the national administrator (the market pages)."""
    return user.is_firm_user or user.is_regulator or user.is_national_admin


def _regulator(user) -> bool:
    return user.is_regulator or user.is_national_admin


def _surrender_years(today: datetime.date) -> list[int]:
    return [today.year - 2, today.year - 1]


def firm_transfers_to_approve(user):
    from mrv.ui.home import ActionItem, queue

    if not user.is_firm_user:
        return None
    proposals = (
        access.visible_to(user, TransferProposal)
        .filter(status=TransferProposal.Status.PROPOSED)
        .exclude(proposed_by=user)
        .select_related("from_account", "to_account")
        .order_by("created_at")
    )
    return queue(
        _("Transfers to approve"),
        proposals,
        lambda p: ActionItem(
            _("%(qty)s t to account %(to)s") % {"qty": p.quantity, "to": p.to_account.number},
            reverse("registry:account", args=[p.from_account_id]),
            p.status,
        ),
        more_url=reverse("registry:index"),
    )


def _figure(value, places: int = 0) -> str:
    """A figure as the page shows it: grouped in the user's language (604,780 t; CNY 50,000.00)."""
    return number_format(value, places, use_l10n=True, force_grouping=True)


def firm_surrender_due(user):
    """The surrender of the last compliance years: what is owed, surrendered, short, and any penalty."""
    from mrv.ui.home import ActionItem, Section

    if not user.is_firm_user:
        return None
    today = timezone.localdate()
    account_url = reverse("registry:index")
    items = []
    for year in _surrender_years(today):
        status = selectors.compliance_status(user.firm, year, today=today)
        if status.status == selectors.Status.EMISSIONS_MISSING:
            note = _("covered, but no emissions determined; due %(due)s") % {"due": status.deadline or "–"}
            items.append(
                ActionItem(_("Emissions of %(year)s missing") % {"year": year}, account_url, status.status, note)
            )
            continue
        if status.obligation_tco2e is None or status.status in (selectors.Status.COMPLIANT, selectors.Status.EXCLUDED):
            continue
        note = _("obligation %(owed)s t, shortfall %(short)s t, due %(due)s") % {
            "owed": _figure(status.obligation_tco2e),
            "short": _figure(status.shortfall_tco2e),
            "due": status.deadline or "–",
        }
        items.append(ActionItem(_("Surrender for %(year)s") % {"year": year}, account_url, status.status, note))
    penalties = Penalty.objects.filter(firm_id=user.firm_id).exclude(status=Penalty.Status.WITHDRAWN)
    for p in penalties.order_by("-year")[:5]:
        note = _("fine CNY %(fine)s, deduction %(deduction)s t") % {
            "fine": _figure(p.fine_cny, 2),
            "deduction": _figure(p.deduction_tco2e),
        }
        items.append(ActionItem(_("Penalty for %(year)s") % {"year": p.year}, account_url, p.status, note))
    return Section(_("Surrender, shortfall and penalties"), items, account_url, count=len(items))


def regulator_penalties_to_decide(user):
    from mrv.ui.home import ActionItem, queue

    if not _regulator(user):
        return None
    penalties = (
        access.visible_to(user, Penalty)
        .filter(status=Penalty.Status.PROPOSED)
        .select_related("firm")
        .order_by("year", "firm__name")
    )
    url = reverse("registry:penalties")
    return queue(
        _("Penalties to decide"),
        penalties,
        lambda p: ActionItem(f"{p.firm.name} {p.year}", url, p.status),
        more_url=url,
    )


def regulator_non_compliant_without_penalty(user):
    from mrv.ui.home import ActionItem, queue

    if not user.is_regulator:
        return None
    penalised = Penalty.objects.filter(firm_id=OuterRef("firm_id"), year=OuterRef("year"))
    records = (
        ComplianceRecord.objects.filter(firm__market_id=user.market_id)
        .exclude(Exists(penalised))
        .select_related("firm")
        .order_by("-year", "firm__name")
    )
    return queue(
        _("Non-compliant firms without a penalty proposal"),
        records,
        lambda r: ActionItem(
            f"{r.firm.name} {r.year}", reverse("registry:compliance") + f"?year={r.year}", "non_compliant"
        ),
        more_url=reverse("registry:compliance"),
    )


def regulator_emissions_missing(user):
    """Last year's covered firms whose emissions are not determined: not compliant until they are."""
    from mrv.models import Market
    from mrv.ui.home import ActionItem, queue

    if not user.is_regulator:
        return None
    year = timezone.localdate().year - 1
    market = Market.objects.get(pk=user.market_id)
    url = reverse("registry:compliance") + f"?year={year}"
    return queue(
        _("Covered firms with emissions missing"),
        positions.firms_missing_emissions(market, year).order_by("name", "pk"),
        lambda f: ActionItem(f"{f.name} {year}", url, selectors.Status.EMISSIONS_MISSING),
        more_url=url,
    )


def regulator_allocation_tables(user):
    from mrv.ui.home import ActionItem, queue

    if not user.is_regulator:
        return None
    tables = AllocationTable.objects.filter(
        market_id=user.market_id, status__in=[AllocationTable.Status.DRAFT, AllocationTable.Status.APPROVED]
    ).order_by("year", "pk")
    return queue(
        _("Allocation tables to approve or issue"),
        tables,
        lambda t: ActionItem(str(t), reverse("registry:allocation_table", args=[t.pk]), t.status),
        more_url=reverse("registry:allocation_tables"),
    )


HOME_SECTIONS = [
    firm_transfers_to_approve,
    firm_surrender_due,
    regulator_penalties_to_decide,
    regulator_non_compliant_without_penalty,
    regulator_emissions_missing,
    regulator_allocation_tables,
]


def _action_labels() -> dict:
    labels = {kind: label for kind, label in Transaction.Kind.choices}
    return {
        **labels,
        "computed": pgettext_lazy("audit action", "allocation table computed"),
        "production_entered": pgettext_lazy("audit action", "production data entered"),
        "production_confirmed": pgettext_lazy("audit action", "production data confirmed by the verifier"),
        "production_imported": pgettext_lazy("audit action", "production data imported"),
        "proposed": pgettext_lazy("audit action", "proposed"),
        "issue": pgettext_lazy("audit action", "issued"),
        "non_compliant": pgettext_lazy("audit action", "marked non-compliant"),
        "mark_non_compliant": pgettext_lazy("audit action", "marked non-compliant"),
        "added": pgettext_lazy("audit action", "representative added"),
        "recomputed": pgettext_lazy("audit action", "recomputed with the corrected obligation"),
        "removed": pgettext_lazy("audit action", "representative removed"),
        "caps_set": pgettext_lazy("audit action", "transfer caps set"),
    }


def register() -> None:
    """Put the registry in the navigation bar, its queues on the home page, its codes in the labels."""
    from mrv.ui import actions, badges, home, navigation

    badges.register_labels(selectors.Status.LABELS)
    actions.register_actions(_action_labels())

    navigation.register(navigation.NavItem(_("Registry"), "registry:index", may_use_registry, order=35))
    for section in HOME_SECTIONS:
        home.home_section(section)
