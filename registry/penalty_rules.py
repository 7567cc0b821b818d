"""The penalty a shortfall costs under a rule pack: pure, shared by the penalty service and the positions
(a proposed penalty follows a corrected obligation)."""

from decimal import Decimal


def penalty_compute(shortfall_tco2e: Decimal, pack) -> tuple[Decimal, Decimal]:
    """(fine in CNY, deduction from the next allocation in t) per the rule pack."""
    if shortfall_tco2e <= 0:
        return Decimal("0.00"), Decimal(0)
    fine = shortfall_tco2e * pack.penalty_fine_per_tonne_cny
    fine = max(fine, pack.penalty_fine_min_cny)
    if pack.penalty_fine_max_cny is not None:
        fine = min(fine, pack.penalty_fine_max_cny)
    deduction = (shortfall_tco2e * pack.penalty_deduction_multiple).to_integral_value()
    return fine.quantize(Decimal("0.01")), deduction
