"""Emissions of a reporting period, computed from activity data and parameters.

Pure and stdlib-only on purpose: the figure a firm reports, a verifier re-checks and a regulator
decides on must come from one function that is reproducible from stored inputs, needs no database
and never touches binary floating point.

Methods (``Method``), per line:
- combustion, carbon content: AD × NCV × CC × OF × 44/12, giving t CO2;
- emission factor and process: AD × EF, any gas, EF in t<gas> per activity unit;
- purchased electricity / heat: energy × grid or heat EF, indirect CO2;
- exported electricity / heat: the same, subtracted from the indirect emissions;
- carbon mass balance: each material in (fuel, reducing agent, raw material) or out (product,
  by-product, waste) is a line, amount × carbon content (tC/t or tC/10^4Nm3) × 44/12, outputs
  subtracted, so the source's total is (Σ inputs − Σ outputs) × 44/12;
- CO2 transferred out (captured and sold, sent to another installation) is deducted and CO2
  transferred in is counted, each naming its counterparty;
- continuous measurement (CEMS) per emission point: operating hours × hourly mean flue-gas flow ×
  mean concentration of the gas, any gas (weighted by its GWP);
- a directly reported figure under a regulator-approved method, citing the approval; it may be
  negative (a process that binds CO2).
A biomass fraction (combustion, emission factor, process, measurement; CO2 only) splits a line: the
fossil share is counted, the biomass share is reported in ``biomass_co2_t`` and not counted. A line
without a biomass fraction has no biomass figure at all (None), not zero.
Non-CO2 gases are weighted with the GWP values of the IPCC report a market names (``GWP_SETS``).

Units are written as strings: a simple unit ("t", "10^4Nm3", "GJ", "%") or one rate
"numerator/denominator" ("GJ/t", "tC/TJ", "tCO2/MWh"). Masses of a substance carry its formula
("tC", "tCO2", "kgCH4"), so t of fuel never silently becomes t of CO2. Every product converts the
amount to the rate's denominator first and refuses units of a different kind.

Rounding, defined once by the constants below:
- intermediate products keep full precision (a local context of PRECISION digits);
- each line's gas mass (t of the gas) and its tCO2e are rounded to LINE_QUANTUM (0.001 t) with
  ROUNDING (ROUND_HALF_UP), both from the unrounded product: tCO2e is not recomputed from the
  rounded mass;
- every total is the exact sum of rounded lines (``total_tco2e``, kept unrounded);
- the reported total ``reported_tco2e`` is ``total_tco2e`` rounded to TOTAL_QUANTUM (whole tonnes)
  with ROUNDING; half-up rounds halves away from zero, so exported lines round symmetrically;
- default emission factors derived from ``FUELS`` are rounded to EF_QUANTUM.

The package is sliced as quantities (units, gases, rounding), lines, results and fuels; the names below are
the public ones, imported by callers as `calculation.<name>`.
"""

# Re-exported: callers write `<package>.<name>` without knowing the slicing.
from mrv.calculation.fuels import (  # noqa: F401
    FUELS,
    Fuel,
    default_emission_factor,
    fuel,
    is_plausible,
    plausible_range,
)
from mrv.calculation.lines import (  # noqa: F401
    BIOMASS_METHODS,
    LineInput,
    LineResult,
    Method,
    Scope,
    SourceKind,
    calculate_line,
    negative_activity_allowed,
)
from mrv.calculation.quantities import (  # noqa: F401
    EF_QUANTUM,
    GWP_SETS,
    LINE_QUANTUM,
    PRECISION,
    ROUNDING,
    SIMPLE_UNITS,
    SPECIES,
    TOTAL_QUANTUM,
    CalculationError,
    Dimension,
    GasGroup,
    Measure,
    Quantity,
    Unit,
    UnitError,
    carbon_to_co2,
    co2_from_carbon,
    convert,
    gas_group,
    gwp,
    gwp_table,
    multiply,
    parse_unit,
    round_line,
    round_total,
)
from mrv.calculation.results import (  # noqa: F401
    EmissionResult,
    calculate,
    sum_results,
)
