"""The seed's 2016–2020 compliance counts of the seven pilots, published as history with computed rates."""

from decimal import Decimal

import pytest
from django.test import Client

from disclosure import history_data
from disclosure.models import HistoricalStatistic

pytestmark = pytest.mark.django_db
D = Decimal

# market: (covered 2020, compliant 2020, computed rate 2020) and table 5's (count, printed rate) per year 2016–2019
SEED = {
    "shanghai": (1031, 1031, D("100.0"), [(316, "100"), (326, "100"), (361, "100"), (389, "100")]),
    "guangdong": (884, 884, D("100.0"), [(844, "100"), (246, "100"), (186, "100"), (1068, "100")]),
    "shenzhen": (1236, 1230, D("99.5"), [(943, "99.0"), (787, "95.5"), (859, "99.8"), (928, "99.3")]),
    "tianjin": (1112, 1111, D("99.9"), [(109, "100"), (135, "100"), (109, "100"), (215, "99")]),
    "beijing": (1543, 1543, D("100.0"), [(556, "100"), (None, ""), (543, "100"), (748, "100")]),
    "hubei": (838, 838, D("100.0"), [(236, "100"), (392, "100"), (468, "100"), (634, "100")]),
    "chongqing": (537, 466, D("86.8"), [(None, ""), (None, ""), (None, ""), (458, "98.5")]),
}


def test_the_public_statistics_2016_to_2020_match_the_seeds_counts_with_computed_rates():
    stats = {(s.market.code, s.year): s for s in HistoricalStatistic.objects.select_related("market")}
    assert len(stats) == 35
    for code, (covered, compliant, rate, earlier) in SEED.items():
        s2020 = stats[(code, 2020)]
        assert (s2020.obliged_firms, s2020.compliant_firms, s2020.computed_rate_pct) == (covered, compliant, rate)
        assert s2020.source == history_data.SOURCE_2020
        for year, (count, printed) in zip(range(2016, 2020), earlier, strict=True):
            stat = stats[(code, year)]
            assert (stat.compliant_firms, stat.printed_rate) == (count, printed)
            assert stat.source == history_data.SOURCE_2016_2019


def test_rates_that_do_not_follow_from_the_counts_are_computed_and_the_printed_one_noted():
    shenzhen = HistoricalStatistic.objects.get(market__code="shenzhen", year=2020)
    tianjin = HistoricalStatistic.objects.get(market__code="tianjin", year=2020)
    chongqing = HistoricalStatistic.objects.get(market__code="chongqing", year=2020)
    assert (shenzhen.computed_rate_pct, shenzhen.printed_rate, shenzhen.printed_rate_differs) == (
        D("99.5"),
        "99.7",
        True,
    )
    assert (tianjin.computed_rate_pct, tianjin.printed_rate, tianjin.printed_rate_differs) == (D("99.9"), "99.8", True)
    assert chongqing.compliant_is_lower_bound and chongqing.printed_rate == ">70"
    assert not HistoricalStatistic.objects.get(market__code="shanghai", year=2020).printed_rate_differs


def test_the_public_page_shows_the_trend_computed_rates_and_the_printed_ones():
    page = Client().get("/public/").content.decode()
    assert "<svg" in page and "Shenzhen 2016" in page
    assert "99.5" in page and "the source prints 99.7 %" in page
    assert "99.9" in page and "the source prints 99.8 %" in page
    assert "&gt;86.8" in page and "the source prints &gt;70 %" in page
    assert "中国碳排放权交易报告" in page and "表 4" in page
    shenzhen = Client().get("/public/shenzhen/").content.decode()
    assert "1236" in shenzhen and "1230" in shenzhen and "99.5" in shenzhen


def test_the_history_api_and_export_carry_computed_and_printed_rates():
    rows = {(r["market"], r["year"]): r for r in Client().get("/public/api/v1/history/").json()}
    assert rows[("shenzhen", 2020)]["computed_rate_pct"] == "99.5"
    assert rows[("shenzhen", 2020)]["printed_rate_pct"] == "99.7"
    assert rows[("tianjin", 2020)]["computed_rate_pct"] == "99.9"
    assert rows[("beijing", 2017)]["compliant_firms"] is None
    csv = Client().get("/public/history.csv").content.decode()
    assert "99.5" in csv and "99.7" in csv
