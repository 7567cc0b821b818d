"""Grid and heat emission factors loaded by a data migration. All are general knowledge (gk), not
from the source paper; each row names its source. A factor stays in force until a newer year is set
(`GridFactor.for_year`), so add a row when the authority publishes a new value.
"""

from decimal import Decimal as D

HEAT_DEFAULT = D("0.11")  # tCO2/GJ: the default of the NDRC/MEE enterprise accounting guidelines

# (market code or None for national, year, tCO2/MWh, tCO2/GJ, source)
GRID_FACTORS = [
    (
        None,
        2019,
        D("0.6101"),
        HEAT_DEFAULT,
        "(gk) MEE, 环办气候〔2021〕9号: national grid average for 2019–2020 reporting; heat: guideline default",
    ),
    (
        None,
        2021,
        D("0.5810"),
        HEAT_DEFAULT,
        "(gk) MEE, 环办气候函〔2022〕111号: national grid average for 2021–2022 reporting; heat: guideline default",
    ),
    (
        None,
        2022,
        D("0.5703"),
        HEAT_DEFAULT,
        "(gk) MEE, 环办气候函〔2023〕43号: national grid average 2022; heat: guideline default",
    ),
    (
        "shanghai",
        2022,
        D("0.4200"),
        D("0.0600"),
        "(gk) Shanghai EEB, 沪环气〔2022〕34号: 4.2 tCO2/10^4 kWh and 0.06 tCO2/GJ for the city's guidelines",
    ),
]


def load(apps) -> None:
    """Create the rows that are missing; running it twice changes nothing."""
    GridFactor = apps.get_model("mrv", "GridFactor")
    Market = apps.get_model("mrv", "Market")
    for market_code, year, electricity, heat, source in GRID_FACTORS:
        market = Market.objects.filter(code=market_code).first() if market_code else None
        if market_code and market is None:
            continue
        GridFactor.objects.get_or_create(
            market=market,
            year=year,
            defaults={"electricity_tco2_per_mwh": electricity, "heat_tco2_per_gj": heat, "source": source},
        )
