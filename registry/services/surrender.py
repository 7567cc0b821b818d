"""Surrendering allowances and offsets against a year's emissions, and marking a firm non-compliant."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_actions
from mrv.models import Firm, Market
from registry import positions, selectors
from registry.ledger import (
    LedgerError,
    Unit,
    government_account,
    holding_account,
    move,
    record,
)
from registry.models import (
    ALLOWANCE,
    Account,
    ComplianceRecord,
)
from registry.models import Transaction as Tx
from registry.positions import ComplianceStatus, Status
from registry.services.common import NOT_POSITIVE, _whole

VINTAGE_TOO_LATE = _(
    "Allowances of vintage %(vintage)s cannot be surrendered for %(year)s: only the compliance year or earlier (banked) vintages."
)
OFFSET_TYPE_REFUSED = _("%(market)s does not accept %(type)s offsets (accepted: %(accepted)s).")
OFFSET_VINTAGE_REFUSED = _("Offsets of vintage %(vintage)s cannot be used for %(year)s.")
OFFSET_CAP_EXCEEDED = _(
    "Offsets are capped at %(cap)s t for %(year)s (%(pct)s%% of %(obligation)s t); %(used)s t already used, %(wanted)s t asked."
)
NO_OBLIGATION = _("Offsets can be surrendered only once the emissions of %(year)s are determined.")


def _surrender_checks(firm: Firm, year: int, allowances: dict[int, Decimal], offsets: dict[Unit, Decimal]):
    pack = firm.market.rule_pack_for(year)
    for vintage in allowances:
        if vintage > year:
            raise LedgerError(VINTAGE_TOO_LATE % {"vintage": vintage, "year": year})
    for unit in offsets:
        if unit.unit_type not in pack.accepted_offset_types:
            raise LedgerError(
                OFFSET_TYPE_REFUSED
                % {"market": firm.market, "type": unit.unit_type, "accepted": ", ".join(pack.accepted_offset_types)}
            )
        if unit.vintage > year:
            raise LedgerError(OFFSET_VINTAGE_REFUSED % {"vintage": unit.vintage, "year": year})

    def check():  # runs after the firm's account is locked, so two surrenders cannot both use the headroom
        if not offsets:
            return
        status = selectors.compliance_status(firm, year)
        if status.obligation_tco2e is None:
            raise LedgerError(NO_OBLIGATION % {"year": year})
        wanted = sum(offsets.values(), Decimal(0))
        if status.offsets_tco2e + wanted > status.offset_cap_tco2e:
            raise LedgerError(
                OFFSET_CAP_EXCEEDED
                % {
                    "cap": status.offset_cap_tco2e,
                    "year": year,
                    "pct": pack.offset_cap_pct,
                    "obligation": status.obligation_tco2e,
                    "used": status.offsets_tco2e,
                    "wanted": wanted,
                }
            )

    return check


def units_surrender(
    *,
    firm: Firm,
    year: int,
    allowances: dict[int, object] | None = None,
    offsets: dict[Unit, object] | None = None,
    idempotency_key: str,
    acting_user=None,
) -> Tx:
    """Surrender allowances (this or earlier vintages) and capped, accepted offsets for a compliance year."""
    allowances = {int(v): _whole(q) for v, q in (allowances or {}).items() if q}
    offsets = {u: _whole(q) for u, q in (offsets or {}).items() if q}
    if not allowances and not offsets:
        raise LedgerError(NOT_POSITIVE)
    check = _surrender_checks(firm, year, allowances, offsets)
    holding = holding_account(firm)
    retirement = government_account(firm.market, Account.Kind.RETIREMENT)
    legs = []
    for vintage, quantity in allowances.items():
        legs += move(holding, retirement, Unit(ALLOWANCE, vintage), quantity)
    for unit, quantity in offsets.items():
        legs += move(holding, retirement, unit, quantity)
    return record(
        market=firm.market,
        kind=Tx.Kind.SURRENDER,
        idempotency_key=idempotency_key,
        legs=legs,
        acting_user=acting_user,
        check=check,
        firm=firm,
        compliance_year=year,
    )


#: Firms marked per transaction: each batch costs the same few statements, whatever its size.
MARKING_BATCH = 500


def compliance_short(*, market: Market, year: int, today: datetime.date | None = None) -> list[ComplianceStatus]:
    """The covered firms of a market-year non-compliant at their own deadline (extensions counted), found
    before or not, in firm order (a fixed number of queries, from the positions)."""
    statuses = selectors.compliance_statuses(market, year, today=today)
    return [s for s in statuses if s.status == Status.NON_COMPLIANT]


def compliance_mark_batch(
    *, market_id: int, year: int, firm_ids: list[int], today: datetime.date | None = None, acting_user=None
) -> list[ComplianceRecord]:
    """One batch of the marking in one transaction and a constant number of statements: each of these firms
    that is non-compliant at its deadline and not found before gets its finding (the shortfall at the deadline),
    its audit row and its position's flag. Returns the findings made now.

    Safe to run twice or alongside another run (a redelivered task): the firms are locked as a position refresh
    locks them, so the statuses read are the ones written against, and a firm found before is skipped."""
    with transaction.atomic():
        positions.lock_firms(firm_ids)
        firms = {f.pk: f for f in Firm.objects.filter(pk__in=firm_ids, market_id=market_id).select_related("market")}
        if not firms:
            return []
        market = next(iter(firms.values())).market
        statuses = positions.positions_of_market(
            market, year, firms=Firm.objects.filter(pk__in=list(firms)), today=today
        )
        found = set(
            ComplianceRecord.objects.filter(firm_id__in=list(firms), year=year).values_list("firm_id", flat=True)
        )
        records = ComplianceRecord.objects.bulk_create(
            [
                ComplianceRecord(firm=firms[s.firm_id], year=year, shortfall_tco2e=s.frozen_shortfall_tco2e)
                for s in statuses
                if s.status == Status.NON_COMPLIANT and s.firm_id not in found
            ]
        )
        positions.findings_recorded([r.firm_id for r in records], year)
        log_actions(
            records,
            "registry.compliance.non_compliant",
            actor=acting_user,
            changes=lambda r: {"shortfall_tco2e": (None, r.shortfall_tco2e)},
        )
    return records


def compliance_mark_non_compliant(
    *, market: Market, year: int, acting_user=None, today: datetime.date | None = None
) -> list[ComplianceRecord]:
    """After the deadline, record every firm non-compliant at it, with its shortfall then, in batches of
    MARKING_BATCH firms (one transaction in all); running it again adds nothing. Returns the findings of every
    firm short, made now or before, in firm order."""
    with transaction.atomic():
        short = compliance_short(market=market, year=year, today=today)
        pending = [s.firm_id for s in short if not s.marked]
        for start in range(0, len(pending), MARKING_BATCH):
            compliance_mark_batch(
                market_id=market.pk,
                year=year,
                firm_ids=pending[start : start + MARKING_BATCH],
                today=today,
                acting_user=acting_user,
            )
        return list(
            ComplianceRecord.objects.filter(firm_id__in=[s.firm_id for s in short], year=year)
            .select_related("firm")
            .order_by("firm_id")
        )
