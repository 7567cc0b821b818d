"""A year's allocation table: computed from the rule pack, approved, then issued."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.coverage import covered_firms
from mrv.models import EmissionReport, Firm, FirmYearFigure, Market, MarketSector
from mrv.transitions import run_transition
from registry import allocation, selectors
from registry.ledger import (
    LedgerError,
    Leg,
    Unit,
    government_account,
    holding_account,
    record,
)
from registry.models import (
    ALLOWANCE,
    Account,
    AllocationLine,
    AllocationTable,
    Penalty,
    ProductionRecord,
)
from registry.models import Transaction as Tx
from registry.services.common import NO_CAP, _cap_check, _require_regulator

RESERVE_EXCEEDED = _("New-entrant lines (%(wanted)s t) exceed the adjustment reserve of %(reserve)s t.")
INITIAL_EXCEEDED = _(
    "The allocation (%(wanted)s t) exceeds the initial allocation of %(initial)s t (cap minus reserve)."
)
TABLE_NOT_DRAFT = _("Only a draft table can be recomputed; this one is %(status)s.")
MISSING_INPUTS = _("Allocation inputs are missing: %(details)s")


def _history(firm: Firm, before_year: int, years: int = 3) -> tuple[list[Decimal], list[Decimal]]:
    """Emissions (determined reports first, else recorded figures) and output of the base years."""
    span = list(range(before_year - years, before_year))
    determined = dict(
        EmissionReport.objects.filter(
            firm=firm, year__in=span, period="annual", status__in=selectors.DETERMINED
        ).values_list("year", "determined_emissions_tco2e")
    )
    figures = dict(FirmYearFigure.objects.filter(firm=firm, year__in=span).values_list("year", "emissions_tco2e"))
    outputs = dict(ProductionRecord.objects.filter(firm=firm, year__in=span).values_list("year", "output"))
    emissions, output = [], []
    for y in span:
        value = determined.get(y) if determined.get(y) is not None else figures.get(y)
        if value is not None:
            emissions.append(value)
            if y in outputs:
                output.append(outputs[y])
    if len(output) != len(emissions):
        output = []
    return emissions, output


def _firm_data(firm: Firm, year: int, kind: str) -> allocation.FirmData:
    records = {r.year: r for r in ProductionRecord.objects.filter(firm=firm, year__in=[year - 1, year])}
    if kind == AllocationTable.Kind.TRUE_UP:
        current = records.get(year) if records.get(year) and records[year].is_verified else None
    else:
        current = records.get(year - 1)
    declared = records.get(year).declared_tco2e if records.get(year) else None
    emissions, output = _history(firm, year)
    return allocation.FirmData(
        output=current.output if current else None,
        design_capacity=firm.design_capacity,
        is_new_entrant=firm.is_new_entrant,
        declared_tco2e=declared,
        history_tco2e=emissions,
        history_output=output,
    )


def _deductions(market: Market, year: int) -> dict[int, Decimal]:
    rows = Penalty.objects.filter(firm__market=market, year=year - 1, status=Penalty.Status.DECIDED)
    return dict(rows.values_list("firm_id", "deduction_tco2e"))


def _previously_issued(market: Market, year: int) -> dict[int, Decimal]:
    rows = (
        AllocationLine.objects.filter(
            table__market=market, table__year=year, table__status=AllocationTable.Status.ISSUED
        )
        .values("firm_id")
        .annotate(free=Sum("free_tco2e"), auction=Sum("auction_tco2e"))
    )
    return {r["firm_id"]: r["free"] + r["auction"] for r in rows}


def allocation_table_compute(
    *, market: Market, year: int, kind: str = AllocationTable.Kind.PRELIMINARY, acting_user
) -> AllocationTable:
    """Compute (or recompute) a draft table: one line per covered firm with its method, inputs and formula."""
    _require_regulator(acting_user, market.pk)
    pack = market.rule_pack_for(year)
    cap = selectors.cap_for(market, year)
    if cap is None or cap.cap_tco2e is None:
        raise LedgerError(NO_CAP % {"market": market, "year": year})
    sectors = {s.sector_id: s for s in MarketSector.objects.filter(rule_pack=pack)}
    deductions, earlier = _deductions(market, year), _previously_issued(market, year)
    with transaction.atomic():
        table, _created = AllocationTable.objects.select_for_update().get_or_create(market=market, year=year, kind=kind)
        if table.status != AllocationTable.Status.DRAFT:
            raise LedgerError(TABLE_NOT_DRAFT % {"status": table.get_status_display()})
        table.lines.all().delete()
        lines, missing = [], []
        firms = covered_firms(market, year).select_related("market").order_by("pk")
        for firm in firms:
            if firm.sector_id not in sectors:
                continue
            ms = sectors[firm.sector_id]
            method = ms.new_entrant_method if firm.is_new_entrant and ms.new_entrant_method else ms.allocation_method
            try:
                result = allocation.compute(method, ms, _firm_data(firm, year, kind))
            except allocation.AllocationInputError as exc:
                missing.append(f"{firm.name}: {exc}")
                continue
            deduction = min(deductions.get(firm.pk, Decimal(0)), result.tco2e)
            previous = earlier.get(firm.pk, Decimal(0)) if kind == AllocationTable.Kind.TRUE_UP else Decimal(0)
            free, auction = allocation.split_free_and_auction(
                result.tco2e - deduction - previous, pack.free_allocation_pct
            )
            lines.append(
                AllocationLine(
                    table=table,
                    firm=firm,
                    method=method,
                    inputs=result.inputs,
                    formula=result.formula,
                    computed_tco2e=result.tco2e,
                    deduction_tco2e=deduction,
                    previously_issued_tco2e=previous,
                    free_tco2e=free,
                    auction_tco2e=auction,
                    from_reserve=firm.is_new_entrant,
                )
            )
        if missing:
            raise LedgerError(MISSING_INPUTS % {"details": "; ".join(missing)})
        _check_table_limits(cap, lines, earlier if kind == AllocationTable.Kind.TRUE_UP else {})
        AllocationLine.objects.bulk_create(lines)
        log_action(table, "registry.allocationtable.computed", actor=acting_user, changes={"lines": (None, len(lines))})
    return table


def _check_table_limits(cap, lines: list[AllocationLine], earlier: dict) -> None:
    """Existing firms share the initial allocation (cap − reserve); new entrants draw on the reserve."""
    reserve = sum((line.total_tco2e + line.previously_issued_tco2e for line in lines if line.from_reserve), Decimal(0))
    initial = sum(
        (line.total_tco2e + line.previously_issued_tco2e for line in lines if not line.from_reserve), Decimal(0)
    )
    if reserve > cap.reserve_tco2e:
        raise LedgerError(RESERVE_EXCEEDED % {"wanted": reserve, "reserve": cap.reserve_tco2e})
    if initial > cap.initial_tco2e:
        raise LedgerError(INITIAL_EXCEEDED % {"wanted": initial, "initial": cap.initial_tco2e})


def allocation_table_approve(*, table: AllocationTable, acting_user) -> AllocationTable:
    run_transition(table, "approve", acting_user=acting_user, by=acting_user)
    return table


def allocation_table_issue(*, table: AllocationTable, acting_user) -> AllocationTable:
    """Move every line's units out of the issuance account in one transaction (the auctioned share to auction)."""
    market = table.market
    issuance = government_account(market, Account.Kind.ISSUANCE)
    auction_account = government_account(market, Account.Kind.AUCTION)
    unit = Unit(ALLOWANCE, table.year)
    lines = list(table.lines.select_related("firm__market"))
    legs, net = [], Decimal(0)
    for line in lines:
        if line.free_tco2e:
            legs.append(Leg(holding_account(line.firm), unit, line.free_tco2e))
    auctioned = sum((line.auction_tco2e for line in lines), Decimal(0))
    if auctioned:
        legs.append(Leg(auction_account, unit, auctioned))
    net = sum((leg.quantity for leg in legs), Decimal(0))
    with transaction.atomic():
        if net:
            legs.append(Leg(issuance, unit, -net))
        if legs:
            table.ledger_transaction = record(
                market=market,
                kind=Tx.Kind.ISSUANCE if table.kind == "preliminary" else Tx.Kind.TRUE_UP,
                idempotency_key=f"allocation:{table.pk}",
                legs=legs,
                acting_user=acting_user,
                check=_cap_check(market, table.year, net),
            )
        run_transition(table, "issue", acting_user=acting_user)
    return table
