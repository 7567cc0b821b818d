"""The inputs of a market-year's allocation, read for all covered firms at once, and the firms that lack them.

Four queries whatever the number of firms: covered firms, production records, determined annual reports
and recorded figures of the base years. The allocation table and the "firms lacking inputs" page read
the same data, so a firm listed as complete computes, and a firm listed as lacking one fails for that reason.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from mrv.coverage import covered_firms
from mrv.models import EmissionReport, Firm, FirmYearFigure, Market, MarketSector
from registry import allocation
from registry.models import AllocationTable, ProductionRecord

DETERMINED = (EmissionReport.Status.DETERMINED, EmissionReport.Status.CLOSED)
BASE_YEARS = 3


@dataclass(frozen=True)
class FirmInputs:
    firm: Firm
    method: str
    sector: MarketSector | None
    data: allocation.FirmData | None


@dataclass(frozen=True)
class MissingInput:
    firm: Firm
    method: str
    reason: str

    @property
    def method_label(self) -> str:
        methods = MarketSector.AllocationMethod
        return str(methods(self.method).label) if self.method in methods.values else self.method


def method_for(firm: Firm, sector: MarketSector) -> str:
    """New installations take the sector's new-entrant method where the rule pack names one."""
    if firm.is_new_entrant and sector.new_entrant_method:
        return sector.new_entrant_method
    return sector.allocation_method


def _history(year: int, determined: dict, figures: dict, outputs: dict) -> tuple[list[Decimal], list[Decimal]]:
    """Emissions of the base years (determined reports first, else recorded figures) and their output."""
    emissions, output = [], []
    for y in range(year - BASE_YEARS, year):
        value = determined.get(y) if determined.get(y) is not None else figures.get(y)
        if value is not None:
            emissions.append(value)
            if y in outputs:
                output.append(outputs[y])
    if len(output) != len(emissions):
        output = []
    return emissions, output


def firm_inputs(market: Market, year: int, kind: str = AllocationTable.Kind.PRELIMINARY) -> list[FirmInputs]:
    """Every covered firm of the market-year with its method and data (`data` None: its sector has no rule)."""
    pack = market.rule_pack_for(year)
    sectors = {s.sector_id: s for s in MarketSector.objects.filter(rule_pack=pack)}
    firms = list(covered_firms(market, year).order_by("name", "pk"))
    ids = [f.pk for f in firms]
    span = range(year - BASE_YEARS, year + 1)
    records = defaultdict(dict)
    for r in ProductionRecord.objects.filter(firm_id__in=ids, year__in=span):
        records[r.firm_id][r.year] = r
    determined = defaultdict(dict)
    reports = EmissionReport.objects.filter(firm_id__in=ids, year__in=span, period="annual", status__in=DETERMINED)
    for firm_id, y, value in reports.values_list("firm_id", "year", "determined_emissions_tco2e"):
        determined[firm_id][y] = value
    figures = defaultdict(dict)
    for firm_id, y, value in FirmYearFigure.objects.filter(firm_id__in=ids, year__in=span).values_list(
        "firm_id", "year", "emissions_tco2e"
    ):
        figures[firm_id][y] = value
    result = []
    for firm in firms:
        sector = sectors.get(firm.sector_id)
        if sector is None:
            result.append(FirmInputs(firm, "", None, None))
            continue
        own = records[firm.pk]
        if kind == AllocationTable.Kind.TRUE_UP:
            current = own.get(year) if own.get(year) and own[year].is_verified else None
        else:
            current = own.get(year - 1)
        outputs = {y: r.output for y, r in own.items()}
        emissions, history_output = _history(year, determined[firm.pk], figures[firm.pk], outputs)
        data = allocation.FirmData(
            output=current.output if current else None,
            design_capacity=firm.design_capacity,
            is_new_entrant=firm.is_new_entrant,
            declared_tco2e=own[year].declared_tco2e if own.get(year) else None,
            history_tco2e=emissions,
            history_output=history_output,
        )
        result.append(FirmInputs(firm, method_for(firm, sector), sector, data))
    return result


def missing_inputs(market: Market, year: int, kind: str = AllocationTable.Kind.PRELIMINARY) -> list[MissingInput]:
    """The covered firms whose allocation cannot be computed yet, each with the method's own reason."""
    missing = []
    for item in firm_inputs(market, year, kind):
        if item.sector is None:
            continue  # a sector outside the rule pack is not allocated by this table (it is not a gap)
        try:
            allocation.compute(item.method, item.sector, item.data)
        except allocation.AllocationInputError as exc:
            missing.append(MissingInput(item.firm, item.method, str(exc)))
    return missing
