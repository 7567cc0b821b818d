"""The seed paper's compliance figures 2016–2020 for the seven pilots, as printed (loaded by a data migration).

Table 4 (2020) prints the deadline, the month compliance was completed, the covered firms, the compliant firms
and a rate; table 5 (2016–2019, citing 《中国碳排放权交易报告》) prints one firm count (履约企业) and a rate.
None stands for 未公布 (not published). Rates are kept as printed; the page computes its own where it can.
"""

SOURCE_2020 = "《我国碳交易市场运行现状与交易机制分析》, 表 4 2020年各碳交易市场履约情况"
SOURCE_2016_2019 = (
    "《我国碳交易市场运行现状与交易机制分析》, 表 5 (据《中国碳排放权交易报告》) 2016—2019 年我国 7个碳交易市场履约情况"
)

# market: (deadline, completed, covered firms, compliant firms, printed rate); ">466" is a lower bound
TABLE_4 = {
    "shanghai": ("6.1～6.3", "6.3", 1031, "1031", "100"),
    "guangdong": ("6.2", "7.8", 884, "884", "100"),
    "shenzhen": ("6.2", "6.3", 1236, "1230", "99.7"),
    "tianjin": ("5.3", "7.1", 1112, "1111", "99.8"),
    "beijing": ("6.2", "6.3", 1543, "1543", "100"),
    "hubei": ("5.3", "7.2", 838, "838", "100"),
    "chongqing": ("6.2", "7.2", 537, ">466", ">70"),
}

# market: [(compliant firms, printed rate) for 2016, 2017, 2018, 2019]
TABLE_5 = {
    "shenzhen": [(943, "99.0"), (787, "95.5"), (859, "99.8"), (928, "99.3")],
    "shanghai": [(316, "100"), (326, "100"), (361, "100"), (389, "100")],
    "beijing": [(556, "100"), (None, None), (543, "100"), (748, "100")],
    "guangdong": [(844, "100"), (246, "100"), (186, "100"), (1068, "100")],
    "tianjin": [(109, "100"), (135, "100"), (109, "100"), (215, "99")],
    "hubei": [(236, "100"), (392, "100"), (468, "100"), (634, "100")],
    "chongqing": [(None, None), (None, None), (None, None), (458, "98.5")],
}


def rows() -> list[dict]:
    result = []
    for code, (deadline, actual, obliged, compliant, rate) in TABLE_4.items():
        result.append(
            {
                "market": code,
                "year": 2020,
                "obliged_firms": obliged,
                "compliant_firms": int(compliant.lstrip(">")),
                "compliant_is_lower_bound": compliant.startswith(">"),
                "printed_rate": rate,
                "deadline_month": deadline,
                "actual_month": actual,
                "source": SOURCE_2020,
            }
        )
    for code, years in TABLE_5.items():
        for year, (compliant, rate) in zip(range(2016, 2020), years, strict=True):
            result.append(
                {
                    "market": code,
                    "year": year,
                    "obliged_firms": None,
                    "compliant_firms": compliant,
                    "compliant_is_lower_bound": False,
                    "printed_rate": rate or "",
                    "deadline_month": "",
                    "actual_month": "",
                    "source": SOURCE_2016_2019,
                }
            )
    return result


def load(apps, schema_editor=None) -> None:
    Market = apps.get_model("mrv", "Market")
    HistoricalStatistic = apps.get_model("disclosure", "HistoricalStatistic")
    markets = {m.code: m for m in Market.objects.filter(code__in=TABLE_4)}
    for row in rows():
        market = markets.get(row.pop("market"))
        if market is None:
            continue
        HistoricalStatistic.objects.update_or_create(market=market, year=row.pop("year"), defaults=row)


def unload(apps, schema_editor=None) -> None:
    apps.get_model("disclosure", "HistoricalStatistic").objects.all().delete()
