"""Demo: each market's covered-firm list for the current year, proposed by its officer and waiting for a
head's approval, with one extra candidate per market that shows the market's own inclusion rule."""

from decimal import Decimal

from django.utils import timezone

from mrv.models import CoverageList, Firm, FirmYearFigure, Market, Sector, User
from mrv.services import coverage

# market: (name, sector, new entrant, {year offset: (tCO2e, tce)}) — what the rule shows
EXTRA = {
    "beijing": (
        "北京亦庄云计算数据中心有限公司",
        "services",
        False,
        {-3: (6000, None), -2: (8000, None), -1: (14000, None)},
    ),
    "tianjin": ("天津港保税区精细化工有限公司", "chemicals", False, {-1: (19500, None)}),
    "shanghai": ("上海松江特钢制品有限公司", "steel", False, {-1: (19800, None)}),
    "guangdong": ("广东佛山陶瓷有限公司", "ceramics", False, {-1: (None, 11000)}),
    "shenzhen": ("深圳顺达物流车队有限公司", "transport", False, {-1: (3200, None)}),
    "hubei": ("湖北荆州纸业有限公司", "paper", False, {-2: (None, 62000), -1: (None, 55000)}),
    "chongqing": ("重庆长寿水泥有限公司", "cement", False, {-3: (21000, None), -2: (18000, None), -1: (17000, None)}),
    "fujian": (
        "福建紫金铜业有限公司",
        "copper_smelting",
        False,
        {-4: (None, 10500), -3: (None, 8000), -1: (None, 8200)},
    ),
    "national": ("福建宁德自备电厂有限公司", "power", False, {-5: (None, 11000), -1: (None, 9000)}),
}


def _figures_of(firm: Firm, year: int) -> dict:
    rows = {f.year: f for f in FirmYearFigure.objects.filter(firm=firm, year__lt=year)}
    figures = {
        str(y): {k: str(getattr(r, k)) for k in ("emissions_tco2e", "energy_tce") if getattr(r, k) is not None}
        for y, r in rows.items()
    }
    if rows and str(year - 1) not in figures:  # last year's figure, as the firm declared it
        last = rows[max(rows)]
        figures[str(year - 1)] = {"emissions_tco2e": str((last.emissions_tco2e * Decimal("1.01")).quantize(1))}
    return figures


def _extra_figures(year: int, spec: dict) -> dict:
    out = {}
    for offset, (tco2e, tce) in spec.items():
        row = {}
        if tco2e is not None:
            row["emissions_tco2e"] = str(tco2e)
        if tce is not None:
            row["energy_tce"] = str(tce)
        out[str(year + offset)] = row
    return out


def seed_coverage_lists(*, PREFIXES: dict, REGIONS: dict, _code) -> None:  # noqa: N803 (the demo's names)
    year = timezone.localdate().year
    sectors = {s.code: s for s in Sector.objects.all()}
    for serial, market in enumerate(Market.objects.filter(code__in=PREFIXES), start=1):
        officer = User.objects.get(username=f"{PREFIXES[market.code]}_officer")
        coverage_list = coverage.coverage_list_open(market=market, year=year, acting_user=officer)
        if coverage_list.status != CoverageList.Status.DRAFT or coverage_list.entries.exists():
            continue
        for firm in Firm.objects.filter(market=market).select_related("sector"):
            coverage.coverage_entry_save(
                coverage_list=coverage_list,
                acting_user=officer,
                name=firm.name,
                credit_code=firm.credit_code,
                sector=firm.sector,
                installations="; ".join(firm.sources.values_list("name", flat=True)),
                is_new_entrant=firm.is_new_entrant,
                design_capacity=firm.design_capacity,
                figures=_figures_of(firm, year),
            )
        name, sector, new, spec = EXTRA[market.code]
        coverage.coverage_entry_save(
            coverage_list=coverage_list,
            acting_user=officer,
            name=name,
            credit_code=_code(REGIONS[market.code], 710000000 + serial),
            sector=sectors[sector],
            is_new_entrant=new,
            figures=_extra_figures(year, spec),
        )
        coverage.coverage_list_propose(coverage_list=coverage_list, acting_user=officer, reason="年度名单初稿")
