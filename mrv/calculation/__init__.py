"""Emissions of a reporting period, computed from activity data and parameters.

Pure and stdlib-only on purpose: the figure a firm reports, a verifier re-checks and a regulator
decides on must come from one function that is reproducible from stored inputs, needs no database
and never touches binary floating point.

Methods (``Method``), per line:
- combustion, carbon content: AD × NCV × CC × OF × 44/12, giving t CO2;
- emission factor and process: AD × EF, any gas, EF in t<gas> per activity unit;
- purchased electricity / heat: energy × grid or heat EF, indirect CO2;
- exported electricity / heat: the same, subtracted from the indirect emissions.
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
    LineInput,
    LineResult,
    Method,
    Scope,
    SourceKind,
    calculate_line,
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
