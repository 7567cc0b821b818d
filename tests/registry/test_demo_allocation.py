"""The demo's allocation for every market, and every market-year page a regulator opens.

1. Each of the nine markets has a draft 2025 table computed from the demo's inputs, each line by the market's
   own method (hand-computed below); seeding twice changes nothing.
2. Every market's officer opens covered firms, allocation, allocation inputs, compliance and statistics for
   every year from 2016 to the current one: one request per page per year per market; each answers 200, or
   400 with the "year not supported" message for a year before the market's first (national: 2019).
"""

from decimal import Decimal

from django.test import Client
from django.utils import timezone

from mrv.models import Market, User
from registry.models import AllocationLine, AllocationTable, ProductionRecord
from tests.demo_seed import seed_demo

D = Decimal
PAGES = (
    "/coverage/?year={year}",
    "/registry/allocation/?year={year}",
    "/registry/allocation/inputs/?year={year}",
    "/registry/compliance/?year={year}",
    "/registry/statistics/?year={year}",
)
OFFICERS = ("bj", "sh", "tj", "cq", "hb", "gd", "sz", "fj", "cn")

# market → {reporter login: (method, computed tCO2e)}, from the inputs of registry/demo_allocation.py:
EXPECTED = {
    # (705,000 + 690,000 + 697,700 determined) / (900,000 + 880,000 + 895,000) × 0.98 × 895,000 = 686,170.9
    "beijing": {"bj_reporter": ("historical_intensity", 686170)},
    # min(300,000 declared, mean(268,000, 259,000, 287,749 determined) = 271,583) → cut to the history
    "chongqing": {"cq_reporter": ("self_declaration", 271583)},
    # 497,500 t × 0.20 = 99,500
    # the ammonia firm of the calculation methods: (742,000 + 739,000 + 740,000) / (368,000 + 369,000 + 370,000)
    # × 0.98 × 370,000 = 727,492.3
    "fujian": {"fj_reporter": ("benchmark", 99500), "fjc_reporter": ("historical_intensity", 727492)},
    # new entrant: design capacity 1,550,000 × 0.80 = 1,240,000 (from the reserve)
    "guangdong": {"gd_reporter": ("benchmark", 1240000)},
    # 1,900,000 × 0.80 × 0.97 = 1,474,400
    "hubei": {"hb_reporter": ("benchmark_market_adjusted", 1474400)},
    # 5,950,000 MWh × 0.85 = 5,057,500
    # the co-firing and CEMS plants: 0.85 × 800,000 and 0.85 × 2,550,000 MWh
    "national": {
        "cn_reporter": ("benchmark", 5057500),
        "cnb_reporter": ("benchmark", 680000),
        "cnm_reporter": ("benchmark", 2167500),
    },
    # power: 0.58 × 1,050,000 × 1.0 = 609,000; steel: 5,460,000 / 2,970,000 × 0.98 × 990,000 = 1,783,600 − ε
    "shanghai": {"sh_reporter": ("shanghai_power", 609000), "sh2_reporter": ("historical_intensity", 1783599)},
    # power: baseline 0.487927 ≤ peers 0.52 → own rate 0.024394 (not 0.97): 0.487927 × 0.975606 × 1,660,000
    "shenzhen": {
        "sz2_reporter": ("three_year_average_intensity", 790201),
        "sz_reporter": ("three_year_average_intensity", 39283),
    },
    # 1,355,000 / 2,272,000 × 0.98 × 762,000 = 445,360.6
    # the steel firm: (325,000 + 322,000 + 320,000) / (176,000 + 175,000 + 174,000) × 0.98 × 174,000 = 314,081.4
    "tianjin": {"tj_reporter": ("historical_intensity", 445360), "tjs_reporter": ("historical_intensity", 314081)},
}


def test_every_market_has_a_2025_table_by_its_own_method_and_the_seed_is_idempotent(db):
    seed_demo()
    counts = (AllocationTable.objects.count(), AllocationLine.objects.count(), ProductionRecord.objects.count())
    seed_demo()
    assert (AllocationTable.objects.count(), AllocationLine.objects.count(), ProductionRecord.objects.count()) == counts
    lines = AllocationLine.objects.filter(table__year=2025, table__kind="preliminary").select_related("table__market")
    found = {}
    for line in lines:
        login = User.objects.filter(firm=line.firm_id, role="firm_reporter").values_list("username", flat=True)[0]
        found.setdefault(line.table.market.code, {})[login] = (line.method, int(line.computed_tco2e))
    assert found == EXPECTED
    shenzhen_power = lines.get(firm__users__username="sz2_reporter")
    assert shenzhen_power.inputs["below_peers"] is True and shenzhen_power.inputs["decline_factor"] == "0.975606"
    assert lines.get(firm__users__username="gd_reporter").from_reserve
    assert lines.get(firm__users__username="cq_reporter").inputs["capped_by_history"] is True


def test_every_markets_regulator_opens_every_year_page(db):
    seed_demo()
    first_years = dict(Market.objects.values_list("code", "first_compliance_year"))
    codes = dict(
        zip(
            OFFICERS,
            ("beijing", "shanghai", "tianjin", "chongqing", "hubei", "guangdong", "shenzhen", "fujian", "national"),
            strict=True,
        )
    )
    failures = []
    for prefix in OFFICERS:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(User.objects.get(username=f"{prefix}_officer"))
        for year in range(2016, timezone.localdate().year + 1):
            for page in PAGES:
                url = page.format(year=year)
                response = client.get(url)
                unsupported = year < first_years[codes[prefix]]
                if response.status_code == 200:  # the allocation page lists every table, whatever the year
                    continue
                if unsupported and response.status_code == 400 and b"Year not supported" in response.content:
                    continue
                failures.append((prefix, url, response.status_code))
    assert failures == []
