"""Each market opens its year from its own covered-firm list: the market's inclusion rule decides who is on it,
a head approves it, and the roll-over opens reports and engagements for exactly those firms.

(The later stages of a year — verification, review, allocation, surrender — have their own per-market tests;
this file proves the start of every market's year from the product alone.)"""

import pytest

from deadlines.services import rollover_open_year
from mrv.models import EmissionReport, Firm, User, VerificationEngagement
from mrv.services import coverage as svc
from tests import factories as f

pytestmark = pytest.mark.django_db

YEAR = 2026

# market: sector, (candidate that the market's own rule covers), (one it leaves out), words of the reason
CASES = {
    "beijing": (
        "cement",
        {2023: (12000, None), 2024: (11000, None), 2025: (10000, None)},
        {2023: (6000, None), 2024: (8000, None), 2025: (14000, None)},
        "Average",
    ),
    "shanghai": ("steel", {2025: (20000, None)}, {2025: (19999, None)}, "threshold 20,000"),
    "tianjin": ("chemicals", {2025: (20500, None)}, {2025: (19500, None), 2024: (50000, None)}, "threshold 20,000"),
    "chongqing": (
        "cement",
        {2023: (21000, None), 2025: (1000, None)},
        {2022: (90000, None), 2025: (19000, None)},
        "threshold 20,000",
    ),
    "hubei": (
        "paper",
        {2024: (None, 62000), 2025: (None, 1000)},
        {2023: (None, 99000), 2025: (None, 59000)},
        "60,000.00 tce",
    ),
    "guangdong": ("ceramics", {2025: (None, 11000)}, {2025: (None, 9000)}, "converted from 11000"),
    "shenzhen": ("transport", {2025: (3000, None)}, {2025: (2999, None)}, "threshold 3,000"),
    "fujian": (
        "copper_smelting",
        {2022: (None, 10500), 2025: (None, 100)},
        {2021: (None, 50000), 2025: (None, 9999)},
        "2022",
    ),
    "national": ("power", {2021: (None, 11000)}, {2018: (None, 90000), 2025: (None, 9000)}, "2.6"),
}


def _figures(spec):
    return {
        str(year): {k: str(v) for k, v in (("emissions_tco2e", t), ("energy_tce", e)) if v is not None}
        for year, (t, e) in spec.items()
    }


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_market_opens_its_year_for_exactly_the_firms_its_own_rule_covers(code):
    market = f.market(code)
    sector, covered, left_out, words = CASES[code]
    authority = f.AuthorityFactory(market=market)
    officer = f.UserFactory(username=f"{code}_o", role=User.Role.REGULATOR_OFFICER, authority=authority)
    head = f.UserFactory(username=f"{code}_h", role=User.Role.REGULATOR_HEAD, authority=authority)
    already = f.FirmFactory(market=market, sector=f.sector(sector), name=f"{code} 名册上的企业")
    coverage_list = svc.coverage_list_open(market=market, year=YEAR, acting_user=officer)
    inside = svc.coverage_entry_save(
        coverage_list=coverage_list,
        acting_user=officer,
        name=f"{code} 纳入",
        credit_code=f.credit_code(),
        sector=f.sector(sector),
        figures=_figures(covered),
    )
    outside = svc.coverage_entry_save(
        coverage_list=coverage_list,
        acting_user=officer,
        name=f"{code} 不纳入",
        credit_code=f.credit_code(),
        sector=f.sector(sector),
        figures=_figures(left_out),
    )
    assert inside.rule_included and words in inside.rule_reason, inside.rule_reason
    assert not outside.rule_included, outside.rule_reason
    svc.coverage_list_propose(coverage_list=coverage_list, acting_user=officer)
    svc.coverage_list_approve(coverage_list=coverage_list, acting_user=head)
    rollover_open_year(year=YEAR, market_id=market.pk)
    opened = set(Firm.objects.filter(reports__year=YEAR, reports__period="annual", market=market))
    assert opened == {Firm.objects.get(credit_code=inside.credit_code)}
    assert set(
        VerificationEngagement.objects.filter(market=market, year=YEAR).values_list("firm__name", flat=True)
    ) == {inside.name}
    assert not EmissionReport.objects.filter(firm=already, year=YEAR).exists()
