"""Penalties for a shortfall: computed from the rule pack, proposed, decided or withdrawn."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mrv.audit import log_action
from mrv.models import Firm
from mrv.transitions import run_transition
from registry import selectors
from registry.ledger import (
    LedgerError,
)
from registry.models import (
    ComplianceRecord,
    Penalty,
)
from registry.services.common import _require_regulator

NO_SHORTFALL = _("%(firm)s has no shortfall for %(year)s: no penalty.")
NOT_MARKED = _("%(firm)s has not been found non-compliant for %(year)s.")


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


def penalty_propose(*, firm: Firm, year: int, acting_user) -> Penalty:
    _require_regulator(acting_user, firm.market_id)
    if not ComplianceRecord.objects.filter(firm=firm, year=year).exists():
        raise LedgerError(NOT_MARKED % {"firm": firm, "year": year})
    status = selectors.compliance_status(firm, year)
    if status.shortfall_tco2e <= 0:
        raise LedgerError(NO_SHORTFALL % {"firm": firm, "year": year})
    fine, deduction = penalty_compute(status.shortfall_tco2e, firm.market.rule_pack_for(year))
    with transaction.atomic():
        penalty, created = Penalty.objects.get_or_create(
            firm=firm,
            year=year,
            defaults={"shortfall_tco2e": status.shortfall_tco2e, "fine_cny": fine, "deduction_tco2e": deduction},
        )
        if created:
            log_action(
                penalty,
                "registry.penalty.proposed",
                actor=acting_user,
                changes={"fine_cny": (None, fine), "deduction_tco2e": (None, deduction)},
            )
    return penalty


def penalty_decide(*, penalty: Penalty, decision_text: str, acting_user) -> Penalty:
    run_transition(
        penalty,
        "decide",
        acting_user=acting_user,
        reason=decision_text,
        reason_required=True,
        by=acting_user,
        text=decision_text,
    )
    return penalty


def penalty_withdraw(*, penalty: Penalty, reason: str, acting_user) -> Penalty:
    run_transition(penalty, "withdraw", acting_user=acting_user, reason=reason, reason_required=True)
    return penalty
